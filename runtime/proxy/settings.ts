// What a proxy learns once per cold start, whether it answers whole or as a stream: which ion it
// serves, how its failures surface, where the nodes are, and the HMAC key.
import type { KeyObject } from 'node:crypto';
import { PROXY_ENV } from '../protocol/proxy-env.js';
import { signingKey } from '../protocol/signing.js';
import { lambdaTarget, type InvokeContext } from '../protocol/wire.js';
import type { Integration } from './failure.js';
import { forwardTarget, parseEndpoint, preconnect, type Endpoint, type ForwardTarget } from './forward.js';
import { loadSecret, type ProxyEnvVars } from './secret.js';
import { logAlert } from './log-alert.js';

/** The parts of the Lambda context a proxy reads. */
export interface ProxyContext {
  awsRequestId: string;
  functionName: string;
  invokedFunctionArn?: string;
  identity?: unknown;
  clientContext?: unknown;
  getRemainingTimeInMillis(): number;
}

export interface ProxyOptions {
  /** Time kept back from the Lambda's remaining time to answer after the node gives up. */
  marginMs?: number;
  /**
   * Start reading the key from SSM when the handler is made, not on the first invocation: Lambda runs
   * module code in its init phase, with a full CPU and before any request waits on it, and loading the
   * SSM client and calling SSM is most of a proxy's cold start. Only the SSM key is read early.
   */
  eagerKey?: boolean;
  /**
   * Also read the settings and connect to a node when the handler is made (see `preconnect`), so that
   * the first invocation finds a kept-alive connection. Settings that cannot be read are left for the
   * first invocation to report.
   */
  preconnect?: boolean;
}

export const DEFAULT_MARGIN_MS = 500;

export interface ProxySettings {
  target: ForwardTarget;
  integration: Integration;
  endpoints: Endpoint[];
}

export function readSettings(env: ProxyEnvVars): ProxySettings {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`ions proxy: environment variable ${name} is not set`);
    return value;
  };
  const integration = env[PROXY_ENV.integration] ?? 'event';
  if (integration !== 'api-gateway' && integration !== 'event') {
    throw new Error(`ions proxy: ${PROXY_ENV.integration} must be api-gateway or event, not ${integration}`);
  }
  const endpoints = required(PROXY_ENV.endpoint)
    .split(',')
    .map((endpoint) => endpoint.trim())
    .filter(Boolean)
    .map(parseEndpoint);
  if (endpoints.length === 0) throw new Error(`ions proxy: ${PROXY_ENV.endpoint} lists no endpoint`);
  return { target: forwardTarget(lambdaTarget(required(PROXY_ENV.target))), integration, endpoints };
}

/**
 * Settings read at once and a node connected to, when `options.preconnect` asks for it; undefined
 * otherwise or when the settings are wrong, which the first invocation then reports as usual.
 */
export function settingsAtStart(env: ProxyEnvVars, options: ProxyOptions, read: (env: ProxyEnvVars) => ProxySettings): ProxySettings | undefined {
  if (options.preconnect !== true) return undefined;
  let settings: ProxySettings;
  try {
    settings = read(env);
  } catch {
    return undefined;
  }
  preconnect(settings.endpoints, (error) => {
    if (error) logAlert({ msg: 'ions proxy: connecting to a node at start failed; the first invocation connects again', reason: error.message });
  });
  return settings;
}

/** The key, read once; a failed read is not kept, so the next invocation of this container tries again. */
export function keyReader(env: ProxyEnvVars, options: ProxyOptions): () => Promise<KeyObject> {
  let secret: Promise<KeyObject> | undefined;
  const key = (): Promise<KeyObject> =>
    (secret ??= loadSecret(env)
      .then(signingKey)
      .catch((error: unknown) => {
        secret = undefined;
        throw error;
      }));
  if (options.eagerKey === true && env[PROXY_ENV.secretParameter]) {
    key().catch((error: unknown) => {
      logAlert({ msg: 'ions proxy: reading the key at start failed; the first invocation reads it again', reason: (error as Error).message });
    });
  }
  return key;
}

/** The context a node rebuilds for the ion, its deadline `remaining` ms from now. */
export function forwardedContext(context: ProxyContext, remaining: number): InvokeContext {
  return {
    awsRequestId: context.awsRequestId,
    deadline: Date.now() + remaining,
    functionName: context.functionName,
    invokedFunctionArn: context.invokedFunctionArn,
    identity: context.identity,
    clientContext: context.clientContext,
  };
}
