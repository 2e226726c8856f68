// The proxy of a web ion that answers as a Lambda response stream (IONS_STREAMING=1), behind a function
// URL with InvokeMode RESPONSE_STREAM or a REST API method whose integration streams: it asks the node
// for a streamed answer and streams it on to the client as it comes. Everything that is not a streamed
// answer (a refusal, an unreachable node, an event ion's JSON) is answered whole, with the same
// statuses as the usual proxy.
import type { IncomingMessage } from 'node:http';
import { PROXY_ENV } from '../protocol/proxy-env.js';
import type { InvokeBody } from '../protocol/wire.js';
import { answer, failed } from './answer.js';
import { awslambdaGlobal, type AwsLambdaRuntime, type LambdaResponseStream } from './awslambda.js';
import { forwardStreamThen, type ForwardResult } from './forward.js';
import type { ProxyEnvVars } from './secret.js';
import { DEFAULT_MARGIN_MS, forwardedContext, keyReader, readSettings, settingsAtStart, type ProxyContext, type ProxyOptions, type ProxySettings } from './settings.js';
import { frontOf, metadataFor, type StreamFront } from './stream-metadata.js';
import { PreludeFailure, relayStream } from './stream-relay.js';
import { wholeAnswer } from './whole-answer.js';
import { logAlert } from './log-alert.js';

export type StreamingProxyHandler = (event: unknown, responseStream: LambdaResponseStream, context: ProxyContext) => Promise<void>;

type Forwarded = ForwardResult | { kind: 'stream'; response: IncomingMessage };

/** A streaming proxy serving what `env` describes, writing through `runtime` (Lambda's `awslambda`). */
export function createStreamingProxyHandler(env: ProxyEnvVars, runtime: AwsLambdaRuntime, options: ProxyOptions = {}): StreamingProxyHandler {
  const marginMs = options.marginMs ?? DEFAULT_MARGIN_MS;
  const key = keyReader(env, options);
  let settings = settingsAtStart(env, options, streamingSettings);
  return async (event, responseStream, context) => {
    settings ??= streamingSettings(env);
    const current = settings;
    const secret = await key();
    const remaining = context.getRemainingTimeInMillis();
    const body: InvokeBody = { event, context: forwardedContext(context, remaining), stream: true };
    const deadline = Date.now() + remaining - marginMs;
    const forwarded = await new Promise<Forwarded>((resolve) =>
      forwardStreamThen(current.endpoints, secret, current.target, JSON.stringify(body), deadline, resolve, (response) => resolve({ kind: 'stream', response })),
    );
    const front = frontOf(event);
    if (forwarded.kind !== 'stream') return writeWhole(runtime, front, responseStream, answer(current, event, forwarded));
    try {
      await relayStream(runtime, front, forwarded.response, responseStream, deadline);
    } catch (error) {
      if (error instanceof PreludeFailure) {
        const status = error.timedOut ? 504 : 502;
        return writeWhole(runtime, front, responseStream, failed(current.integration, event, status, `${current.target.name}: ${error.message}`));
      }
      // Bytes went out: the answer can only be cut off, which failing the invocation does.
      logAlert({ msg: 'ions proxy: streamed answer cut off', target: current.target.name, reason: (error as Error).message });
      throw error;
    }
  };
}

function streamingSettings(env: ProxyEnvVars): ProxySettings {
  const settings = readSettings(env);
  if (settings.integration !== 'api-gateway') {
    throw new Error(`ions proxy: ${PROXY_ENV.streaming}=1 needs ${PROXY_ENV.integration}=api-gateway: only a web ion answers as a stream`);
  }
  return settings;
}

async function writeWhole(runtime: AwsLambdaRuntime, front: StreamFront, responseStream: LambdaResponseStream, result: unknown): Promise<void> {
  const { prelude, body } = wholeAnswer(result);
  const out = runtime.HttpResponseStream.from(responseStream, metadataFor(front, prelude));
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(body, () => resolve());
  });
}

/** The deployed streaming handler: the proxy marked for Lambda's runtime with `awslambda.streamifyResponse`. */
export function streamingLambdaHandler(env: ProxyEnvVars, options: ProxyOptions): StreamingProxyHandler {
  const runtime = awslambdaGlobal();
  if (runtime === undefined) {
    throw new Error(
      `ions proxy: ${PROXY_ENV.streaming}=1 needs the awslambda global of Lambda's Node.js runtime, which defines it (ions dev and the tests install a stand-in)`,
    );
  }
  return runtime.streamifyResponse(createStreamingProxyHandler(env, runtime, options));
}
