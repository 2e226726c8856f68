// The seam to Lambda's Node.js runtime for response streaming: the `awslambda` global it defines (and
// only it: `ions dev` and the tests install a stand-in, runtime/dev/awslambda.ts).
import type { Writable } from 'node:stream';

/** The stream a streaming handler writes its answer to. */
export interface LambdaResponseStream extends Writable {
  setContentType(contentType: string): void;
}

/**
 * What a streaming answer says ahead of its body, in the fields the service in front reads: a function
 * URL reads `cookies`, a REST API `multiValueHeaders` (see stream-metadata.ts).
 */
export interface HttpResponseMetadata {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  multiValueHeaders?: Record<string, string[]>;
}

export type StreamingHandler = (event: unknown, responseStream: LambdaResponseStream, context: never) => Promise<void>;

export interface AwsLambdaRuntime {
  /** Marks a handler as `(event, responseStream, context)`; the runtime then streams what it writes. */
  streamifyResponse<H extends StreamingHandler>(handler: H): H;
  HttpResponseStream: {
    /** Writes the metadata (as JSON, then 8 zero bytes) ahead of the body written to the stream it returns. */
    from(responseStream: LambdaResponseStream, metadata: HttpResponseMetadata): LambdaResponseStream;
  };
}

/** The runtime's `awslambda` global, when it has the streaming members (the AWS SDK may create the object without them). */
export function awslambdaGlobal(): AwsLambdaRuntime | undefined {
  const runtime = (globalThis as unknown as { awslambda?: Partial<AwsLambdaRuntime> }).awslambda;
  return typeof runtime?.streamifyResponse === 'function' && runtime.HttpResponseStream !== undefined ? (runtime as AwsLambdaRuntime) : undefined;
}
