// A whole (buffered) Lambda answer told as a streamed one: the prelude and the body bytes. Used by a
// streaming proxy for everything that is not a streamed answer from the node: refusals, failures, and
// the JSON a node answers for anything but a web ion. Failures answering a REST event carry their
// headers in `multiValueHeaders` (failure.ts), so both header maps are read.
import { Buffer } from 'node:buffer';
import type { StreamPrelude } from '../protocol/wire.js';

export interface WholeAnswer {
  prelude: StreamPrelude;
  body: Buffer;
}

interface StructuredResult {
  statusCode: number;
  headers?: Record<string, unknown>;
  multiValueHeaders?: Record<string, unknown>;
  cookies?: unknown[];
  body?: unknown;
  isBase64Encoded?: unknown;
}

/**
 * Read the way API Gateway and function URLs read a Lambda's result: without a `statusCode`, the result
 * itself is a JSON body; a name in both header maps takes its `multiValueHeaders` values, as REST does.
 */
export function wholeAnswer(result: unknown): WholeAnswer {
  if (typeof result !== 'object' || result === null || typeof (result as { statusCode?: unknown }).statusCode !== 'number') {
    const body = Buffer.from(JSON.stringify(result ?? null), 'utf8');
    return { prelude: { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [] }, body };
  }
  const structured = result as StructuredResult;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name] = String(value);
  const cookies = (structured.cookies ?? []).map(String);
  for (const [name, value] of Object.entries(structured.multiValueHeaders ?? {})) {
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (name.toLowerCase() === 'set-cookie') cookies.push(...values);
    else headers[name] = values.join(', ');
  }
  const text = typeof structured.body === 'string' ? structured.body : '';
  const body = Buffer.from(text, structured.isBase64Encoded === true ? 'base64' : 'utf8');
  return { prelude: { statusCode: structured.statusCode, headers, cookies }, body };
}
