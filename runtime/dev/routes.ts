// The local gateway's routing table, built from the `httpApi` and `http` events of the lambda ions,
// matched the way API Gateway does: the most specific route wins, greedy paths and `$default` last.
import type { IonsConfig } from '../config/ions-config.js';
import type { RouteMatch } from './http-api-event.js';

export interface Route {
  lambda: string;
  /** Upper case, or `ANY`. */
  method: string;
  /** Path segments of the route: literal, `{name}` or a final `{name+}`; undefined for `$default`. */
  segments?: string[];
  routeKey: string;
}

export interface RoutedRequest extends RouteMatch {
  lambda: string;
}

export function routesOf(config: IonsConfig): Route[] {
  const routes: Route[] = [];
  for (const [lambda, ion] of Object.entries(config.lambdas ?? {})) {
    for (const [index, ev] of (ion.events ?? []).entries()) {
      for (const kind of ['httpApi', 'http'] as const) {
        if (kind in ev) routes.push(routeOf(lambda, ev[kind], `ions.lambdas.${lambda}.events[${index}].${kind}`));
      }
    }
  }
  return routes.sort(bySpecificity);
}

function routeOf(lambda: string, spec: unknown, where: string): Route {
  let method: string;
  let path: string;
  if (spec === '*') return { lambda, method: 'ANY', routeKey: '$default' };
  if (typeof spec === 'string') {
    const parts = spec.trim().split(/\s+/);
    if (parts.length !== 2) throw new Error(`${where}: expected "METHOD /path" or "*", got ${JSON.stringify(spec)}`);
    [method, path] = parts as [string, string];
  } else if (typeof spec === 'object' && spec !== null && typeof (spec as { path?: unknown }).path === 'string') {
    const s = spec as { method?: unknown; path: string };
    method = typeof s.method === 'string' ? s.method : '*';
    path = s.path;
  } else {
    throw new Error(`${where}: expected "METHOD /path", "*" or { method, path }`);
  }
  method = method === '*' || method.toLowerCase() === 'any' ? 'ANY' : method.toUpperCase();
  const normalized = `/${path.replace(/^\/+/, '')}`;
  return { lambda, method, segments: splitPath(normalized), routeKey: `${method} ${normalized}` };
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

const isGreedy = (segment: string) => /^\{[^}]+\+\}$/.test(segment);
const isParam = (segment: string) => /^\{[^}]+\}$/.test(segment);

function bySpecificity(a: Route, b: Route): number {
  return rank(a).localeCompare(rank(b));
}

/** Sort key: `$default` last, then greedy routes, then by literal segments, then exact method first. */
function rank(route: Route): string {
  if (route.segments === undefined) return '9';
  const greedy = route.segments.some(isGreedy) ? 1 : 0;
  const literals = route.segments.filter((s) => !isParam(s)).length;
  const params = route.segments.length - literals;
  return `${greedy}${String(999 - literals).padStart(3, '0')}${String(params).padStart(3, '0')}${route.method === 'ANY' ? 1 : 0}`;
}

/** The route serving `method path`, or undefined (API Gateway's 404). */
export function matchRoute(routes: Route[], method: string, path: string): RoutedRequest | undefined {
  const segments = splitPath(path);
  for (const route of routes) {
    if (route.method !== 'ANY' && route.method !== method.toUpperCase()) continue;
    if (route.segments === undefined) return { lambda: route.lambda, routeKey: route.routeKey };
    const params = matchSegments(route.segments, segments);
    if (params !== undefined) {
      const match: RoutedRequest = { lambda: route.lambda, routeKey: route.routeKey };
      if (Object.keys(params).length > 0) match.pathParameters = params;
      return match;
    }
  }
  return undefined;
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (isGreedy(p)) {
      if (i >= actual.length) return undefined;
      params[p.slice(1, -2)] = actual.slice(i).map(decodeSegment).join('/');
      return params;
    }
    const a = actual[i];
    if (a === undefined) return undefined;
    if (isParam(p)) params[p.slice(1, -1)] = decodeSegment(a);
    else if (p !== a) return undefined;
  }
  return pattern.length === actual.length ? params : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape reaches the app as sent, as it would through API Gateway.
    return segment;
  }
}

/**
 * The lambda to serve a request no route matched: the app's only web ion, when it declares no HTTP
 * routes of its own (a web ion with routes answers only those, as it would behind API Gateway).
 */
export function defaultWebLambda(config: IonsConfig): string | undefined {
  // A web ion with a function URL answers there only, as it would in AWS.
  const web = Object.entries(config.lambdas ?? {}).filter(([, ion]) => ion.integration === 'api-gateway' && ion.url === undefined);
  if (web.length !== 1) return undefined;
  const [name, ion] = web[0]!;
  const routed = (ion.events ?? []).some((ev) => 'httpApi' in ev || 'http' in ev);
  return routed ? undefined : name;
}

/** Where the local gateway serves the function URL of a lambda: `/_ions/url/<lambda>/...`. */
export const FUNCTION_URL_PREFIX = '/_ions/url/';

/** The lambdas with a function URL (`url` in their config). */
export function functionUrlsOf(config: IonsConfig): string[] {
  return Object.entries(config.lambdas ?? {})
    .filter(([, ion]) => ion.url !== undefined)
    .map(([lambda]) => lambda);
}

/** The function URL lambda a path reaches, and the path that lambda sees at its own URL; undefined for other paths. */
export function matchFunctionUrl(lambdas: readonly string[], path: string): { lambda: string; rawPath: string } | undefined {
  if (!path.startsWith(FUNCTION_URL_PREFIX)) return undefined;
  const rest = path.slice(FUNCTION_URL_PREFIX.length);
  const slash = rest.indexOf('/');
  const name = decodeSegment(slash === -1 ? rest : rest.slice(0, slash));
  if (!lambdas.includes(name)) return undefined;
  return { lambda: name, rawPath: slash === -1 ? '/' : rest.slice(slash) };
}
