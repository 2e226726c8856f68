// Relays a node's streamed answer (see STREAM_FRAMING) into the Lambda response stream: the prelude
// line becomes the metadata the service in front reads (a function URL or a REST API, see
// stream-metadata.ts), and the body bytes are piped through as they arrive, each read from the node
// only once the response stream has taken the one before. The proxy's deadline still holds while the
// body flows: past it the answer is cut off with an error.
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { StreamPrelude } from '../protocol/wire.js';
import type { AwsLambdaRuntime, LambdaResponseStream } from './awslambda.js';
import { Deadline } from './deadlines.js';
import { metadataFor, type StreamFront } from './stream-metadata.js';

/** Longest prelude line read: headers and cookies, never the body. */
export const PRELUDE_LIMIT_BYTES = 256 * 1024;

/** Why a streamed answer could not be relayed before anything was written: still answerable as a whole failure. */
export class PreludeFailure extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'PreludeFailure';
  }
}

/**
 * Resolves once the whole body went through. Rejects with a PreludeFailure while nothing was written
 * (the caller answers a failure instead), or with the error that cut the answer off after that.
 */
export async function relayStream(
  runtime: AwsLambdaRuntime,
  front: StreamFront,
  response: IncomingMessage,
  responseStream: LambdaResponseStream,
  deadline: number,
): Promise<void> {
  const watch = new StreamDeadline(deadline, response);
  watch.watch();
  try {
    let prelude: StreamPrelude;
    try {
      prelude = await readPrelude(response);
    } catch (error) {
      throw new PreludeFailure((error as Error).message, watch.expired);
    }
    await pipeline(response, runtime.HttpResponseStream.from(responseStream, metadataFor(front, prelude)));
  } finally {
    watch.unwatch();
  }
}

class StreamDeadline extends Deadline {
  expired = false;

  constructor(
    at: number,
    private readonly response: IncomingMessage,
  ) {
    super(at);
  }

  expire(): void {
    this.expired = true;
    this.response.destroy(new Error('the ions node did not finish its streamed answer before the proxy deadline'));
  }
}

/** The prelude line; the bytes after it stay in the response for the body. */
function readPrelude(response: IncomingMessage): Promise<StreamPrelude> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      response.off('readable', onReadable);
      response.off('end', onEnd);
      response.off('error', onError);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = response.read() as Buffer | null) !== null) {
        const newline = chunk.indexOf(0x0a);
        if (newline === -1) {
          parts.push(chunk);
          size += chunk.length;
          if (size > PRELUDE_LIMIT_BYTES) {
            stop();
            response.destroy();
            return reject(new Error(`the ions node's streamed answer has no prelude line within ${PRELUDE_LIMIT_BYTES} bytes`));
          }
          continue;
        }
        parts.push(chunk.subarray(0, newline));
        stop();
        if (newline + 1 < chunk.length) response.unshift(chunk.subarray(newline + 1));
        try {
          return resolve(parsePrelude(Buffer.concat(parts).toString('utf8')));
        } catch (error) {
          response.destroy();
          return reject(error as Error);
        }
      }
    };
    const onEnd = (): void => {
      stop();
      reject(new Error('the ions node ended its streamed answer before the prelude line'));
    };
    const onError = (error: Error): void => {
      stop();
      reject(new Error(`the ions node broke off its streamed answer before the prelude line: ${error.message}`));
    };
    response.on('readable', onReadable);
    response.on('end', onEnd);
    response.on('error', onError);
  });
}

function parsePrelude(line: string): StreamPrelude {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('the ions node sent a prelude line that is not JSON');
  }
  const prelude = value as Partial<StreamPrelude> | null;
  const strings = (list: unknown): boolean => Array.isArray(list) && list.every((item) => typeof item === 'string');
  if (
    prelude === null ||
    typeof prelude !== 'object' ||
    typeof prelude.statusCode !== 'number' ||
    typeof prelude.headers !== 'object' ||
    prelude.headers === null ||
    !strings(Object.values(prelude.headers)) ||
    !strings(prelude.cookies)
  ) {
    throw new Error('the ions node sent a prelude line that is not { statusCode, headers, cookies }');
  }
  return prelude as StreamPrelude;
}
