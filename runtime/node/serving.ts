// What a node serves for one loaded revision: which targets it exposes, how each is called, and the
// admission control in front of each. A swap builds a new Serving; requests keep the one they arrived
// with, so in-flight work finishes on the old revision while new work goes to the new one.
import type { Context } from 'aws-lambda';
import { ionize } from '../../adapter/index.js';
import { IONIZED_RESPOND, type IonizedRespond } from '../../adapter/ionize.js';
import { IONIZED_STREAM, type IonizedStream } from '../../adapter/stream.js';
import type { Handler } from '../../adapter/types.js';
import {
  DEFAULT_HTTP_DIRECT_CONCURRENCY,
  DEFAULT_HTTP_DIRECT_PENDING,
  DEFAULT_LAMBDA_CONCURRENCY,
  type FunctionRef,
} from '../config/ions-config.js';
import type { FunctionRegistry } from '../db/types.js';
import type { RevisionFunction, LoadedRevision } from '../revision/index.js';
import { lambdaTarget, parseTarget } from '../protocol/wire.js';
import { admission, type Admission } from './admission.js';

export interface ServingLimits {
  /** Requests a lambda ion (or the allow-listed functions together) may keep waiting. */
  lambdaPending: number;
}

/** How an invoke of one target runs: `(event, context) => result`, a promise or a value (the caller awaits it). */
export interface Route {
  admission: Admission;
  call(event: unknown, context: Context): unknown;
  /** A web ion's callback entry (see IONIZED_RESPOND), which the invoke path prefers to `call`. */
  respond?: IonizedRespond;
  /** A web ion's streaming entry (see IONIZED_STREAM), for invokes that ask for a streamed answer. */
  stream?: IonizedStream;
}

export interface HttpDirect {
  admission: Admission;
  handler: Handler;
  throttleStatus: number;
  throttleMessage: string;
}

export interface Serving {
  revision: LoadedRevision;
  /** The route of a target string, or undefined when the revision does not expose it. */
  route(target: string): Route | undefined;
  httpDirect: HttpDirect | undefined;
  /** Allow-listed functions only, for the datom store. */
  functions: FunctionRegistry;
}

type WebIon = (event: unknown, context: Context) => Promise<unknown>;

export function serving(revision: LoadedRevision, limits: ServingLimits): Serving {
  const { config } = revision;
  // Keyed by the whole target string (`lambda/<name>`), so the usual invoke finds its route in one lookup.
  const lambdas = new Map<string, Route>();
  for (const [name, lambda] of Object.entries(config.lambdas ?? {})) {
    const fn = revision.resolve(lambda.fn);
    const limit = admission(lambda.concurrency ?? DEFAULT_LAMBDA_CONCURRENCY, limits.lambdaPending);
    const call = lambdaCall(fn, lambda.integration === 'api-gateway');
    lambdas.set(lambdaTarget(name), { admission: limit, call, respond: respondOf(call), stream: streamOf(call) });
  }

  let httpDirect: HttpDirect | undefined;
  let httpDirectRoute: Route | undefined;
  if (config.httpDirect) {
    const { handler, processingConcurrency, pendingOps, throttleStatus, throttleMessage } = config.httpDirect;
    const fn = revision.resolve(handler);
    const limit = admission(processingConcurrency ?? DEFAULT_HTTP_DIRECT_CONCURRENCY, pendingOps ?? DEFAULT_HTTP_DIRECT_PENDING);
    const web = asWebIon(fn);
    httpDirect = {
      admission: limit,
      handler: (fn.ringHandler ?? fn) as Handler,
      throttleStatus: throttleStatus ?? 429,
      throttleMessage: throttleMessage ?? 'Busy',
    };
    httpDirectRoute = { admission: limit, call: web, respond: respondOf(web), stream: streamOf(web) };
  }

  const allowed = new Set<FunctionRef>(config.allow ?? []);
  const fnAdmission = admission(DEFAULT_LAMBDA_CONCURRENCY, limits.lambdaPending);
  const functions: FunctionRegistry = {
    resolve: (name) => (allowed.has(name) ? revision.resolve(name) : undefined),
  };

  return {
    revision,
    httpDirect,
    functions,
    route(target) {
      const lambda = lambdas.get(target);
      if (lambda !== undefined) return lambda;
      const parsed = parseTarget(target);
      if (!parsed || parsed.kind === 'lambda') return undefined;
      if (parsed.kind === 'http-direct') return httpDirectRoute;
      if (!allowed.has(parsed.ref)) return undefined;
      const fn = revision.resolve(parsed.ref) as (...args: unknown[]) => unknown;
      // A function's arguments travel as the event: an array spreads, anything else is the one argument.
      return { admission: fnAdmission, call: (event) => fn(...(Array.isArray(event) ? event : [event])) };
    },
  };
}

/**
 * An export with `ringHandler` is an ionized web ion, called as `(event, context)`; so is any export of
 * an `api-gateway` lambda (ionized here when the app exported the bare ring handler). An `eventIon(...)`
 * export (it carries `ion`) is already a Lambda-style handler. Everything else is an event ion, called
 * as `({ event, context })`.
 */
function lambdaCall(fn: RevisionFunction, apiGateway: boolean): Route['call'] {
  if (fn.ringHandler || apiGateway) return asWebIon(fn);
  if ('ion' in fn && typeof fn.ion === 'function') return fn as unknown as WebIon;
  const eventIon = fn as unknown as (input: { event: unknown; context: Context }) => unknown;
  return (event, context) => eventIon({ event, context });
}

function respondOf(call: Route['call']): IonizedRespond | undefined {
  const respond = (call as { [IONIZED_RESPOND]?: unknown })[IONIZED_RESPOND];
  return typeof respond === 'function' ? (respond as IonizedRespond) : undefined;
}

function streamOf(call: Route['call']): IonizedStream | undefined {
  const stream = (call as { [IONIZED_STREAM]?: unknown })[IONIZED_STREAM];
  return typeof stream === 'function' ? (stream as IonizedStream) : undefined;
}

function asWebIon(fn: RevisionFunction): WebIon {
  return fn.ringHandler ? (fn as unknown as WebIon) : (ionize(fn as unknown as Handler) as unknown as WebIon);
}
