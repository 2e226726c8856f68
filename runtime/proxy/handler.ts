// The ultimate proxy: the one Lambda handler behind every lambda ion. It holds no app logic. It learns
// from its environment which ion it serves and where the nodes are, forwards the event and the useful
// parts of its context to a node as a signed invoke, and returns the node's answer untouched.
import type { KeyObject } from 'node:crypto';
import { PROXY_ENV } from '../protocol/proxy-env.js';
import type { InvokeBody } from '../protocol/wire.js';
import { answer } from './answer.js';
import { forwardThen } from './forward.js';
import type { ProxyEnvVars } from './secret.js';
import { DEFAULT_MARGIN_MS, forwardedContext, keyReader, readSettings, settingsAtStart, type ProxyContext, type ProxyOptions, type ProxySettings } from './settings.js';
import { streamingLambdaHandler, type StreamingProxyHandler } from './stream-handler.js';

export type { ProxyContext, ProxyOptions } from './settings.js';

export type ProxyHandler = (event: unknown, context: ProxyContext) => Promise<unknown>;

/** A proxy serving what `env` describes; the environment and the key are read once, on first use. */
export function createProxyHandler(env: ProxyEnvVars, options: ProxyOptions = {}): ProxyHandler {
  const marginMs = options.marginMs ?? DEFAULT_MARGIN_MS;
  const key = keyReader(env, options);
  let settings = settingsAtStart(env, options, readSettings);
  let loaded: KeyObject | undefined;
  const firstUse = async (event: unknown, context: ProxyContext): Promise<unknown> => {
    settings ??= readSettings(env);
    loaded = await key();
    return invoke(settings, loaded, event, context);
  };
  // Once settings and key are in hand, an invocation is one promise, settled straight from the
  // answer's callback: no async layer of ours adds a microtask between the node and the runtime.
  const invoke = (current: ProxySettings, key: KeyObject, event: unknown, context: ProxyContext): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const remaining = context.getRemainingTimeInMillis();
      const body: InvokeBody = { event, context: forwardedContext(context, remaining) };
      forwardThen(current.endpoints, key, current.target, JSON.stringify(body), remaining - marginMs, (result) => {
        try {
          resolve(answer(current, event, result));
        } catch (error) {
          // An event integration fails by throwing, so that AWS retries the event.
          reject(error);
        }
      });
    });
  return (event, context) => (settings !== undefined && loaded !== undefined ? invoke(settings, loaded, event, context) : firstUse(event, context));
}

/** What Lambda runs: a response-streaming proxy when `env` says so (IONS_STREAMING=1), else the usual one. */
export type LambdaHandler = ProxyHandler | StreamingProxyHandler;

export function createLambdaHandler(env: ProxyEnvVars, options: ProxyOptions = {}): LambdaHandler {
  return env[PROXY_ENV.streaming] === '1' ? streamingLambdaHandler(env, options) : createProxyHandler(env, options);
}

/** The deployed Lambda's handler: configured by the process environment; its key read and a node connected while the container starts. */
export const handler: LambdaHandler = createLambdaHandler(process.env, { eagerKey: true, preconnect: true });
