// What a function URL with InvokeMode RESPONSE_STREAM makes of a streaming handler, locally: it runs
// the handler on a ResponseStream, reads the prelude (JSON up to 8 zero bytes) into a status, headers
// and cookies, and hands on the rest as the body while the handler writes it.
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { StreamingHandler } from '../proxy/awslambda.js';
import type { StreamPrelude } from '../protocol/wire.js';
import { HTTP_INTEGRATION_RESPONSE, PRELUDE_DELIMITER_BYTES, ResponseStream } from './awslambda.js';

/** Longest prelude read before the answer counts as broken. */
const PRELUDE_LIMIT_BYTES = 1024 * 1024;

/** A streamed answer with its head read; its body still flowing. */
export class StreamedInvocation {
  constructor(
    readonly prelude: StreamPrelude,
    /** Fails (is destroyed with an error) when the handler fails after its prelude: the client sees a cut-off answer. */
    readonly body: Readable,
  ) {}
}

/** Runs `handler`; resolves once its prelude is known, rejects when it fails before that. */
export function invokeStreaming(handler: StreamingHandler, event: unknown, context: unknown): Promise<StreamedInvocation> {
  const stream = new ResponseStream();
  let ran: Promise<void>;
  try {
    ran = handler(event, stream, context as never);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  ran.then(
    () => {
      // The runtime ends the answer when the handler is done, whether or not the handler ended it.
      if (!stream.writableEnded) stream.end();
    },
    (error: unknown) => stream.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return readHead(stream);
}

function readHead(stream: ResponseStream): Promise<StreamedInvocation> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    // The error listener stays: an error after the head reaches whoever reads the body (a pipeline
    // sees a stream that already failed), and without a listener it would end the process first.
    const stop = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
    };
    const plain = (): StreamedInvocation =>
      new StreamedInvocation({ statusCode: 200, headers: { 'content-type': stream.contentType }, cookies: [] }, stream);
    const onReadable = (): void => {
      if (stream.contentType !== HTTP_INTEGRATION_RESPONSE) {
        stop();
        return resolve(plain());
      }
      let chunk: Buffer | null;
      while ((chunk = stream.read() as Buffer | null) !== null) {
        head = Buffer.concat([head, chunk]);
        const delimiter = head.indexOf(Buffer.alloc(PRELUDE_DELIMITER_BYTES));
        if (delimiter === -1) {
          if (head.length > PRELUDE_LIMIT_BYTES) {
            stop();
            stream.destroy();
            return reject(new Error(`the streamed answer has no prelude within ${PRELUDE_LIMIT_BYTES} bytes`));
          }
          continue;
        }
        stop();
        const rest = head.subarray(delimiter + PRELUDE_DELIMITER_BYTES);
        if (rest.length > 0) stream.unshift(rest);
        let prelude: StreamPrelude;
        try {
          prelude = preludeOf(JSON.parse(head.subarray(0, delimiter).toString('utf8')));
        } catch (error) {
          stream.destroy();
          return reject(new Error(`the streamed answer's prelude is invalid: ${(error as Error).message}`));
        }
        return resolve(new StreamedInvocation(prelude, stream));
      }
    };
    const onEnd = (): void => {
      stop();
      if (stream.contentType === HTTP_INTEGRATION_RESPONSE) reject(new Error('the streamed answer ended inside its prelude'));
      else resolve(plain());
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', reject);
  });
}

function preludeOf(value: unknown): StreamPrelude {
  const given = value as { statusCode?: unknown; headers?: Record<string, unknown>; cookies?: unknown[] } | null;
  if (given === null || typeof given !== 'object') throw new Error('expected an object');
  const statusCode = given.statusCode ?? 200;
  if (typeof statusCode !== 'number') throw new Error('statusCode must be a number');
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(given.headers ?? {})) headers[name] = String(header);
  return { statusCode, headers, cookies: (given.cookies ?? []).map(String) };
}

/**
 * Writes a streamed answer to a client as it comes. Resolves when the body is through; a body that
 * fails midway cuts the connection (the client sees a cut-off answer) and rejects with why.
 */
export async function writeStreamed(res: ServerResponse, answer: StreamedInvocation): Promise<void> {
  const { statusCode, headers, cookies } = answer.prelude;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.writeHead(statusCode);
  // Sent now: a client may act on the head (an event stream opening) before the first body byte.
  res.flushHeaders();
  try {
    await pipeline(answer.body, res);
  } catch (error) {
    res.destroy();
    throw error;
  }
}

/** The whole answer, for callers that print rather than stream it (`ions invoke`). */
export async function collectStreamed(answer: StreamedInvocation): Promise<StreamPrelude & { body: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of answer.body) chunks.push(chunk as Buffer);
  return { ...answer.prelude, body: Buffer.concat(chunks).toString('utf8') };
}
