// getParams: the app's configuration and secrets from SSM Parameter Store, read with decryption and
// cached for a while so that a hot path can call it on every request. In local development a map of
// parameters set by `ions dev` (or a test) stands in for SSM entirely, so nothing reaches AWS.
import type { SSMClient } from '@aws-sdk/client-ssm';
import { currentParametersPath } from '../app/context.js';
import { normalizePath, relativeName } from './param-path.js';
import { readParametersByPath } from './ssm-reader.js';

export const DEFAULT_PARAMS_TTL_MS = 60_000;

export interface GetParamsOptions {
  /** SSM hierarchy, e.g. `/event-signup/prod/`; defaults to the app's configured `parametersPath`. */
  path?: string;
  /** How long a read stays fresh; 0 reads SSM every time. */
  ttlMs?: number;
  client?: SSMClient;
}

interface CacheEntry {
  expires: number;
  params: Promise<Record<string, string>>;
}

const cache = new Map<string, CacheEntry>();

// Set by the host (`ions dev`) and read by the app, whose revision bundles its own copy of this
// module: so it lives on globalThis, where every copy finds it.
const LOCAL_KEY = Symbol.for('serverless-ions.local-params');
type LocalHolder = { [LOCAL_KEY]?: Readonly<Record<string, string>> };
const holder = globalThis as LocalHolder;

/** Parameters under `path`, keyed by their names relative to it (`db/url` for `/app/prod/db/url`). */
export async function getParams(options: GetParamsOptions = {}): Promise<Record<string, string>> {
  const requested = options.path ?? currentParametersPath();
  if (requested === undefined) {
    throw new Error('getParams: no path given and the app config has no parametersPath');
  }
  const path = normalizePath(requested);
  const local = holder[LOCAL_KEY];
  if (local !== undefined) return paramsBelow(local, path);

  const now = Date.now();
  const hit = cache.get(path);
  if (hit !== undefined && hit.expires > now) return { ...(await hit.params) };

  const params = readParametersByPath(path, options.client);
  cache.set(path, { expires: now + (options.ttlMs ?? DEFAULT_PARAMS_TTL_MS), params });
  try {
    return { ...(await params) };
  } catch (err) {
    // A failed read is not remembered: the next call asks SSM again.
    if (cache.get(path)?.params === params) cache.delete(path);
    throw err;
  }
}

/**
 * Replaces SSM with `params` (full parameter names to values) until called with undefined.
 * `ions dev` sets it from the service's `params.local.json`.
 */
export function setLocalParams(params: Record<string, string> | undefined): void {
  if (params === undefined) delete holder[LOCAL_KEY];
  else holder[LOCAL_KEY] = Object.freeze({ ...params });
}

export function clearParamsCache(): void {
  cache.clear();
}

function paramsBelow(params: Readonly<Record<string, string>>, path: string): Record<string, string> {
  const below: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (name.startsWith(path)) below[relativeName(path, name)] = value;
  }
  return below;
}
