// The ultimate proxy: the one Lambda handler behind every lambda ion. It holds no app logic. It learns
// from its environment which ion it serves and where the nodes are, forwards the event and the useful
// parts of its context to a node as a signed invoke, and returns the node's answer untouched.
import type { KeyObject } from 'node:crypto';
import { PROXY_ENV } from '../protocol/proxy-env.js';
import { signingKey } from '../protocol/signing.js';
import { lambdaTarget, type InvokeBody } from '../protocol/wire.js';
import { fail, type Integration } from './failure.js';
import { forwardTarget, forwardThen, parseEndpoint, type Endpoint, type ForwardResult, type ForwardTarget } from './forward.js';
import { loadSecret, type ProxyEnvVars } from './secret.js';

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
}

export type ProxyHandler = (event: unknown, context: ProxyContext) => Promise<unknown>;

const DEFAULT_MARGIN_MS = 500;

interface ProxySettings {
  target: ForwardTarget;
  integration: Integration;
  endpoints: Endpoint[];
}

function readSettings(env: ProxyEnvVars): ProxySettings {
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

/** A proxy serving what `env` describes; the environment and the key are read once, on first use. */
export function createProxyHandler(env: ProxyEnvVars, options: ProxyOptions = {}): ProxyHandler {
  const marginMs = options.marginMs ?? DEFAULT_MARGIN_MS;
  let settings: ProxySettings | undefined;
  let secret: Promise<KeyObject> | undefined;
  let loaded: KeyObject | undefined;
  // A failed read is not kept: the next invocation of this container tries again.
  const key = (): Promise<KeyObject> =>
    (secret ??= loadSecret(env)
      .then(signingKey)
      .catch((error: unknown) => {
        secret = undefined;
        throw error;
      }));
  if (options.eagerKey === true && env[PROXY_ENV.secretParameter]) {
    key().catch((error: unknown) => {
      console.error(JSON.stringify({ type: 'alert', msg: 'ions proxy: reading the key at start failed; the first invocation reads it again', reason: (error as Error).message }));
    });
  }
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
      const body: InvokeBody = {
        event,
        context: {
          awsRequestId: context.awsRequestId,
          deadline: Date.now() + remaining,
          functionName: context.functionName,
          invokedFunctionArn: context.invokedFunctionArn,
          identity: context.identity,
          clientContext: context.clientContext,
        },
      };
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

/** What the Lambda returns for the node's answer (or its absence); throws where an event must be retried. */
function answer({ target, integration }: ProxySettings, event: unknown, result: ForwardResult): unknown {
  if (result.kind === 'unreachable') return failed(integration, event, 502, `ions node unreachable: ${result.message}`);
  if (result.kind === 'timeout') return failed(integration, event, 504, `ions node too slow: ${result.message}`);
  if (result.status === 200) {
    try {
      return JSON.parse(result.body) as unknown;
    } catch {
      return failed(integration, event, 502, `ions node answered ${target.name} with invalid JSON`);
    }
  }
  const reason = `ions node answered ${result.status} for ${target.name}: ${result.body}`;
  if (result.status === 429 || result.status === 503) {
    return failed(integration, event, 503, reason, result.retryAfter ?? '1');
  }
  // 500: the ion failed; 504: the deadline passed before it could start; anything else means this
  // proxy and the node disagree (key, target), which the client can only see as a bad gateway.
  const status = result.status === 500 || result.status === 504 ? result.status : 502;
  return failed(integration, event, status, reason);
}

function failed(integration: Integration, event: unknown, status: number, reason: string, retryAfter?: string) {
  // The log keeps the detail that the client response leaves out.
  console.error(JSON.stringify({ type: 'alert', msg: 'ions proxy failed', status, reason }));
  return fail(integration, event, status, reason, retryAfter);
}

/** The deployed Lambda's handler: configured by the process environment, its key read while the container starts. */
export const handler: ProxyHandler = createProxyHandler(process.env, { eagerKey: true });
