// ionize: a ring handler becomes a Lambda handler for every HTTP-shaped event. Each event is read in
// its own shape into the one request map, and the response map is answered in the shape it came in.
import type { Context } from 'aws-lambda';
import { alert } from '../runtime/cast/index.js';
import { albRequest, albResult } from './http/alb.js';
import { failureResponse } from './http/failure.js';
import { httpApiV2Request, httpApiV2Result } from './http/http-api-v2.js';
import { latticeRequest, latticeResult } from './http/lattice.js';
import { normalizeBasePath } from './http/path.js';
import { collect, normalizeResponse, streamedBody, type NormalizedResponse } from './http/response.js';
import { restRequest, restResult } from './http/rest.js';
import { describeValue } from './http/describe.js';
import { httpShapeOf } from './http/shape.js';
import { failedStream, IONIZED_STREAM, streamedResponse, type IonizedStream } from './stream.js';
import type { Handler, HttpResult, IonizedHandler, IonizeOptions, IonRequest } from './types.js';

interface ShapeCodec {
  request(event: never, context: Context | undefined, basePath: string | undefined): IonRequest;
  result(response: NormalizedResponse, event: never): HttpResult;
}

const codecs = {
  rest: { request: restRequest, result: restResult },
  'http-api-v2': { request: httpApiV2Request, result: httpApiV2Result },
  alb: { request: albRequest, result: albResult },
  'lattice-v2': { request: latticeRequest, result: latticeResult },
} satisfies Record<string, ShapeCodec>;

function requestIdOf(event: unknown, context: Context | undefined): string | undefined {
  if (context?.awsRequestId !== undefined) return context.awsRequestId;
  const requestContext = (event as { requestContext?: { requestId?: unknown } }).requestContext;
  return typeof requestContext?.requestId === 'string' ? requestContext.requestId : undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The codec of an HTTP-shaped event; throws for any other event. */
function codecOf(event: unknown): ShapeCodec {
  const shape = httpShapeOf(event);
  if (shape === undefined) {
    throw new TypeError(
      `ionize: not an HTTP event (API Gateway REST or HTTP API, ALB, function URL or VPC Lattice v2); got ${describeValue(event)}`,
    );
  }
  return codecs[shape] as ShapeCodec;
}

/** A handler that threw or rejected: alerted, and answered with a generic 500 carrying the request id. */
function failed(codec: ShapeCodec, event: unknown, context: Context | undefined, request: IonRequest | undefined, error: unknown): HttpResult {
  return codec.result(failureResponse(alertFailure(event, context, request, error)), event as never);
}

/** Casts the alert for a failed handler; answers the request id the client is told. */
function alertFailure(event: unknown, context: Context | undefined, request: IonRequest | undefined, error: unknown): string | undefined {
  const requestId = requestIdOf(event, context);
  alert({ msg: 'ion handler failed', ex: error, requestId, requestMethod: request?.requestMethod, uri: request?.uri });
  return requestId;
}

/**
 * The key of an ionized handler's callback entry, `(event, context, done) => void`: it answers through
 * `done`, exactly once, and throws only for an event that is not HTTP-shaped. A compute node calls it
 * instead of the promise-returning handler, which spares every request a promise and a microtask of
 * the node's own. Registered (`Symbol.for`), because the node and the app each bundle their own copy of
 * this module; not part of the public API.
 */
export const IONIZED_RESPOND = Symbol.for('serverless-ions.ionized-respond');

export type IonizedRespond = (event: unknown, context: Context | undefined, done: (result: HttpResult) => void) => void;

export function ionize(handler: Handler, options: IonizeOptions = {}): IonizedHandler {
  if (typeof handler !== 'function') {
    throw new TypeError(`ionize(handler) needs a function (request) => response, got ${describeValue(handler)}`);
  }
  const basePath = normalizeBasePath(options.basePath);

  async function ionized(event: unknown, context?: Context): Promise<HttpResult> {
    const codec = codecOf(event);
    let request: IonRequest | undefined;
    try {
      request = codec.request(event as never, context, basePath);
      let response: unknown = handler(request);
      // Awaiting only what is pending keeps a synchronous handler off the microtask queue.
      if (isThenable(response)) response = await response;
      // A streamed body is consumed (and its errors caught) before the rest of the map is checked.
      const stream = streamedBody(response);
      const normalized = normalizeResponse(response, stream === undefined ? undefined : await collect(stream));
      return codec.result(normalized, event as never);
    } catch (error) {
      return failed(codec, event, context, request, error);
    }
  }

  // The same steps as `ionized`, on callbacks. Kept apart on purpose: built as a promise around this
  // one, the Lambda path measured about a microsecond slower per request (bench/adapter), and built the
  // other way round, the node's path pays for a promise. `done` must not throw: it runs from promise callbacks.
  const respond: IonizedRespond = (event, context, done) => {
    const codec = codecOf(event);
    let request: IonRequest | undefined;
    const fail = (error: unknown): void => done(failed(codec, event, context, request, error));
    const answer = (response: unknown, collected: Buffer | undefined): void => {
      let result: HttpResult;
      try {
        result = codec.result(normalizeResponse(response, collected), event as never);
      } catch (error) {
        return fail(error);
      }
      done(result);
    };
    const finish = (response: unknown): void => {
      let stream: AsyncIterable<unknown> | undefined;
      try {
        stream = streamedBody(response);
      } catch (error) {
        return fail(error);
      }
      if (stream === undefined) answer(response, undefined);
      else collect(stream).then((collected) => answer(response, collected), fail);
    };
    let response: unknown;
    try {
      request = codec.request(event as never, context, basePath);
      response = handler(request);
    } catch (error) {
      return fail(error);
    }
    if (isThenable(response)) Promise.resolve(response).then(finish, fail);
    else finish(response);
  };

  // For a proxy answering as a Lambda response stream: the body is handed on as it comes, never collected.
  const stream: IonizedStream = async (event, context) => {
    const codec = codecOf(event);
    let request: IonRequest | undefined;
    try {
      request = codec.request(event as never, context, basePath);
      return await streamedResponse(await handler(request));
    } catch (error) {
      return failedStream(alertFailure(event, context, request, error));
    }
  };

  return Object.assign(ionized, { ringHandler: handler, [IONIZED_RESPOND]: respond, [IONIZED_STREAM]: stream });
}
