// A stand-in for the `awslambda` global that Lambda's Node.js runtime defines for response streaming,
// for `ions dev` and the tests. It marks streaming handlers as the runtime does, and writes what the
// runtime sends a function URL: the prelude as JSON, 8 zero bytes, then the body.
import { PassThrough } from 'node:stream';
import type { AwsLambdaRuntime, LambdaResponseStream, StreamingHandler } from '../proxy/awslambda.js';

/** The property the runtime's `streamifyResponse` sets on a handler. */
export const STREAMING_HANDLER = Symbol.for('aws.lambda.runtime.handler.streaming');
/** The content type of an answer that starts with a prelude. */
export const HTTP_INTEGRATION_RESPONSE = 'application/vnd.awslambda.http-integration-response';
export const PRELUDE_DELIMITER_BYTES = 8;

/** What a streaming handler writes to; the runtime's side reads it (as the function URL would). */
export class ResponseStream extends PassThrough implements LambdaResponseStream {
  contentType = 'application/octet-stream';

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }
}

export const awslambdaStandIn: AwsLambdaRuntime = {
  streamifyResponse(handler) {
    Object.defineProperty(handler, STREAMING_HANDLER, { value: 'response' });
    return handler;
  },
  HttpResponseStream: {
    from(responseStream, prelude) {
      responseStream.setContentType(HTTP_INTEGRATION_RESPONSE);
      responseStream.write(JSON.stringify(prelude));
      responseStream.write(new Uint8Array(PRELUDE_DELIMITER_BYTES));
      return responseStream;
    },
  },
};

/**
 * Installs the stand-in's members on `globalThis.awslambda` unless the runtime's own are there (in
 * Lambda). The object itself may exist without them: the AWS SDK creates it for its invoke store.
 * Answers a function that removes what it installed.
 */
export function installAwsLambda(): () => void {
  const global = globalThis as unknown as { awslambda?: Partial<AwsLambdaRuntime> };
  if (typeof global.awslambda?.streamifyResponse === 'function') return () => {};
  const target = (global.awslambda ??= {});
  Object.assign(target, awslambdaStandIn);
  return () => {
    if (target.streamifyResponse !== awslambdaStandIn.streamifyResponse) return;
    delete target.streamifyResponse;
    delete target.HttpResponseStream;
  };
}

export function isStreamingHandler(handler: unknown): handler is StreamingHandler {
  return typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[STREAMING_HANDLER] === 'response';
}
