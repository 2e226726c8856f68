// A response map checked and reduced to what every Lambda answer shape needs: status, headers with
// `set-cookie` values kept apart, and a body that is either text or base64. Each event shape then
// lays these out its own way.
import { STATUS_CODES } from 'node:http';
import type { HeaderValue, IonResponse, ResponseBody } from '../types.js';
import { describeValue } from './describe.js';
import { emptyMap } from './dict.js';
import { lowerName, setCookieSpellings } from './headers.js';
import { isTextContentType } from './text-types.js';

export interface NormalizedResponse {
  statusCode: number;
  /** Names as the handler wrote them, `set-cookie` excluded. */
  headers: Record<string, string | string[]>;
  /** Whether any header holds several values (so a single-value answer must join them). */
  multiValued: boolean;
  /** Every `set-cookie` value, in order. */
  cookies: string[];
  body: string;
  isBase64Encoded: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

export function isJsonBody(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function chunkBuffer(chunk: unknown): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`ion response body stream yielded ${describeValue(chunk)}; chunks must be strings or bytes`);
}

export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunkBuffer(chunk));
  return Buffer.concat(chunks);
}

/** The body when it is a stream or async iterable, whose bytes must be collected before answering. */
export function streamedBody(response: unknown): AsyncIterable<unknown> | undefined {
  const body = (checkResponse(response) as { body?: unknown }).body;
  return isAsyncIterable(body) ? body : undefined;
}

/** The body as a string or bytes; `json` says it was a plain object or array serialized here. */
function bodyContent(body: ResponseBody, collected: Buffer | undefined): { content: string | Buffer | undefined; json: boolean } {
  if (collected !== undefined) return { content: collected, json: false };
  if (body === undefined || body === null) return { content: undefined, json: false };
  if (typeof body === 'string') return { content: body, json: false };
  if (body instanceof Uint8Array) return { content: chunkBuffer(body), json: false };
  if (isJsonBody(body)) return { content: JSON.stringify(body), json: true };
  throw new TypeError(
    `ion response body must be a string, bytes, a stream or async iterable, a plain object or array, or nothing; got ${describeValue(body)}`,
  );
}

export function checkStatus(status: unknown): number {
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new TypeError(`ion response status must be an integer from 100 to 599, got ${describeValue(status)}`);
  }
  return status;
}

function headerString(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new TypeError(`ion response header '${name}' must be a string, a number or an array of them; got ${describeValue(value)}`);
}

export function headerStrings(name: string, value: HeaderValue): string | string[] {
  if (!Array.isArray(value)) return headerString(name, value);
  const values: string[] = [];
  for (const item of value as readonly unknown[]) values.push(headerString(name, item));
  return values;
}

export function checkResponse(response: unknown): IonResponse {
  if (typeof response !== 'object' || response === null) {
    throw new TypeError(`an ion handler must return a response map such as { status: 200, body: 'ok' }, got ${describeValue(response)}`);
  }
  return response as IonResponse;
}

/** `collected`: the bytes of a streamed body (see streamedBody), gathered before anything else is checked. */
export function normalizeResponse(value: unknown, collected?: Buffer): NormalizedResponse {
  const response = checkResponse(value);
  const { content, json } = bodyContent(response.body, collected);
  const statusCode = checkStatus(response.status);
  const headers = emptyMap<string | string[]>();
  const cookies: string[] = [];
  let contentType: string | undefined;
  let contentEncoding = false;
  let multiValued = false;
  const given = response.headers;
  if (given != null) {
    if (typeof given !== 'object') throw new TypeError(`ion response headers must be an object, got ${describeValue(given)}`);
    for (const name in given) {
      const raw = given[name];
      if (raw === undefined) continue;
      const value = headerStrings(name, raw);
      const lower = lowerName(name);
      if (lower === 'set-cookie') {
        if (typeof value === 'string') cookies.push(value);
        else cookies.push(...value);
        continue;
      }
      if (typeof value !== 'string') multiValued = true;
      if (lower === 'content-type') contentType = typeof value === 'string' ? value : value[0];
      else if (lower === 'content-encoding') contentEncoding = true;
      headers[name] = value;
    }
  }
  if (json && contentType === undefined) {
    headers['content-type'] = JSON_TYPE;
    contentType = JSON_TYPE;
  }
  const override = response.isBase64Encoded;
  if (override !== undefined && typeof override !== 'boolean') {
    throw new TypeError(`ion response isBase64Encoded must be true, false or absent, got ${describeValue(override)}`);
  }
  const base64 = override ?? (content !== undefined && content.length > 0 && (contentEncoding || !isTextContentType(contentType)));
  let body: string;
  if (content === undefined) body = '';
  else if (base64) body = typeof content === 'string' ? Buffer.from(content, 'utf8').toString('base64') : content.toString('base64');
  else body = typeof content === 'string' ? content : content.toString('utf8');
  return { statusCode, headers, multiValued, cookies, body, isBase64Encoded: base64 };
}

/** Joins multi-valued headers for answers whose header map holds one string per name. */
export function joinedHeaders(response: NormalizedResponse): Record<string, string> {
  if (!response.multiValued) return response.headers as Record<string, string>;
  const joined = emptyMap<string>();
  for (const name in response.headers) {
    const value = response.headers[name]!;
    joined[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return joined;
}

export function multiValueHeaders(headers: Record<string, string | string[]>, cookies: readonly string[]): Record<string, string[]> {
  const multi = emptyMap<string[]>();
  for (const name in headers) {
    const value = headers[name]!;
    multi[name] = typeof value === 'string' ? [value] : value;
  }
  if (cookies.length > 0) multi['set-cookie'] = cookies as string[];
  return multi;
}

export function statusDescription(statusCode: number): string {
  const reason = STATUS_CODES[statusCode];
  return reason === undefined ? String(statusCode) : `${statusCode} ${reason}`;
}

/** Single-value headers plus each `set-cookie` under its own spelling of the name. */
export function singleValueHeadersWithCookies(response: NormalizedResponse): Record<string, string> {
  const headers = joinedHeaders(response);
  if (response.cookies.length > 0) {
    const spellings = setCookieSpellings(response.cookies.length);
    for (let i = 0; i < spellings.length; i++) headers[spellings[i]!] = response.cookies[i]!;
  }
  return headers;
}
