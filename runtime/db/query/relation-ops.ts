// Small row helpers shared by the steps that run a sub-plan (not, or, rule calls).
import type { Env, Source } from './env.js';
import { sourceOf } from './env.js';
import { TupleSet } from './tuple-set.js';
import type { Row } from './tuple-set.js';

/** Distinct projections of `rows` onto `cols`, as rows of just those values. */
export function distinctProject(rows: readonly Row[], cols: readonly number[]): Row[] {
  const seen = new TupleSet(cols);
  const out: Row[] = [];
  for (const row of rows) {
    if (!seen.add(row)) continue;
    const p = new Array<unknown>(cols.length);
    for (let i = 0; i < cols.length; i++) p[i] = row[cols[i]!];
    out.push(p);
  }
  return out;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

const rebound = new WeakMap<Env, Map<string, Env>>();

/** `env` with `$` standing for source `name`, for `($src not ...)`, `($src or ...)` and `($src rule ...)`. */
export function withDefaultSource(env: Env, name: string, form: unknown): Env {
  if (name === '$') return env;
  let byName = rebound.get(env);
  if (byName === undefined) {
    byName = new Map();
    rebound.set(env, byName);
  }
  let found = byName.get(name);
  if (found === undefined) {
    const sources = new Map<string, Source>(env.sources);
    sources.set('$', sourceOf(env, name, form));
    found = { ...env, sources };
    byName.set(name, found);
  }
  return found;
}
