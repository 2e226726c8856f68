// A web ion answering as a stream (Lambda response streaming through a function URL or a REST API). The
// response map's status, headers and cookies become the prelude that streams first, laid out as the
// HTTP API v2 codec lays them out (one string per header name, `set-cookie` values apart in `cookies`),
// whatever the event's shape: the proxy writes it in the fields its front reads
// (runtime/proxy/stream-metadata.ts). The body becomes bytes, handed over in the order the body yields
// them rather than collected. The bytes go out as they are, so `isBase64Encoded` in the map has nothing
// to decide here.
import { Readable } from 'node:stream';
import type { Context } from 'aws-lambda';
import { failureResponse } from './http/failure.js';
import { checkResponse, chunkBuffer, isAsyncIterable, isJsonBody, joinedHeaders, normalizeResponse, type NormalizedResponse } from './http/response.js';
import { lowerName } from './http/headers.js';
import { describeValue } from './http/describe.js';
import type { IonResponse } from './types.js';
import type { StreamPrelude } from '../runtime/protocol/wire.js';

export interface StreamedResponse {
  prelude: StreamPrelude;
  /** The body's bytes. Its first chunk has been pulled already, so a body that fails at once fails as the handler. */
  body: AsyncIterator<Uint8Array, undefined>;
}

/**
 * The key of an ionized handler's streaming entry, `(event, context) => Promise<StreamedResponse>`. It
 * rejects only for an event that is not HTTP-shaped: a handler that throws, or whose body fails before
 * its first chunk, gives the generic 500 (and an alert) like the other entries. Registered, for the same
 * reason as IONIZED_RESPOND; not part of the public API.
 */
export const IONIZED_STREAM = Symbol.for('serverless-ions.ionized-stream');

export type IonizedStream = (event: unknown, context: Context | undefined) => Promise<StreamedResponse>;

const JSON_TYPE = 'application/json; charset=utf-8';
// The body goes out as bytes, so normalizing the map is only asked for its status, headers and cookies.
const NO_BYTES = Buffer.alloc(0);
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** The streamed answer of a response map; rejects when the map is invalid or its body fails before its first chunk. */
export async function streamedResponse(value: unknown): Promise<StreamedResponse> {
  const response: IonResponse = checkResponse(value);
  const body = response.body;
  let prelude: StreamPrelude;
  try {
    prelude = preludeOf(normalizeResponse({ ...response, body: undefined }, NO_BYTES));
  } catch (error) {
    // A stream that will never be read is stopped, so that it holds nothing open. (A Node stream's
    // iterator, never started, would not destroy it on `return()`.)
    if (body instanceof Readable) body.destroy();
    else if (isAsyncIterable(body)) await body[Symbol.asyncIterator]().return?.();
    throw error;
  }
  if (isAsyncIterable(body)) {
    const source = body[Symbol.asyncIterator]();
    const first = await source.next();
    let firstBytes: IteratorResult<Uint8Array, undefined>;
    try {
      // Converted here, so that a first chunk of the wrong kind fails as the handler, before any byte went out.
      firstBytes = bytesOf(first);
    } catch (error) {
      await source.return?.();
      throw error;
    }
    return { prelude, body: new BodyBytes(firstBytes, source) };
  }
  if (body === undefined || body === null) return { prelude, body: new BodyBytes(DONE, undefined) };
  if (typeof body === 'string' || body instanceof Uint8Array) return { prelude, body: new BodyBytes(bytesOf({ done: false, value: body }), undefined) };
  if (!isJsonBody(body)) {
    throw new TypeError(
      `ion response body must be a string, bytes, a stream or async iterable, a plain object or array, or nothing; got ${describeValue(body)}`,
    );
  }
  if (!Object.keys(prelude.headers).some((name) => lowerName(name) === 'content-type')) prelude.headers['content-type'] = JSON_TYPE;
  return { prelude, body: new BodyBytes(bytesOf({ done: false, value: JSON.stringify(body) }), undefined) };
}

/** The generic 500 a failed handler answers, as a streamed answer. */
export function failedStream(requestId: string | undefined): StreamedResponse {
  const failure = failureResponse(requestId);
  return { prelude: preludeOf(failure), body: new BodyBytes(bytesOf({ done: false, value: failure.body }), undefined) };
}

function preludeOf(response: NormalizedResponse): StreamPrelude {
  // A copy: joinedHeaders hands back the normalized map itself when nothing needed joining.
  return { statusCode: response.statusCode, headers: { ...joinedHeaders(response) }, cookies: response.cookies };
}

function bytesOf(result: IteratorResult<unknown>): IteratorResult<Uint8Array, undefined> {
  return result.done === true ? DONE : { done: false, value: chunkBuffer(result.value) };
}

/** The body's chunks as bytes: the chunk already pulled, then the rest of the source. */
class BodyBytes implements AsyncIterator<Uint8Array, undefined> {
  constructor(
    private pulled: IteratorResult<Uint8Array, undefined> | undefined,
    private readonly source: AsyncIterator<unknown> | undefined,
  ) {}

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    const pulled = this.pulled;
    if (pulled !== undefined) {
      this.pulled = undefined;
      return pulled;
    }
    return this.source === undefined ? DONE : bytesOf(await this.source.next());
  }

  /** Stops the source (a Node stream is destroyed, a generator runs its `finally`). */
  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.pulled = undefined;
    await this.source?.return?.();
    return DONE;
  }
}
