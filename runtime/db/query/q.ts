// q(query, ...inputs): parse and plan a query once (cached by its text or by the data object), then
// run the plan over the inputs.
import { readEdn } from '../edn/reader.js';
import { Keyword } from '../edn-names.js';
import type { Database, EntityRef } from '../types.js';
import type { Binding, Query, Rule } from './ast.js';
import { bindingVars } from './ast.js';
import type { Env, Plan, Source } from './env.js';
import { isDatabase, runPlan } from './env.js';
import { QueryError } from './errors.js';
import type { Finder } from './find.js';
import { compileFind } from './find.js';
import { parseQuery, parseRules } from './parse.js';
import { compileClauses } from './plan.js';
import type { Estimate } from './plan.js';
import type { Row } from './tuple-set.js';
import { keyOf } from './values.js';

/** A query as data: `[':find', ...]`-style vectors of Keyword/Sym/values, or a map of sections. */
export type QueryForm = readonly unknown[] | ReadonlyMap<unknown, unknown> | { readonly find: readonly unknown[]; readonly [section: string]: unknown };

interface Compiled {
  readonly query: Query;
  /** Planned on the first run, when a database is at hand to estimate how selective patterns are. */
  planned?: { readonly plan: Plan; readonly find: Finder };
}

const MAX_CACHED_TEXTS = 1000;
const byText = new Map<string, Compiled>();
const byForm = new WeakMap<object, Compiled>();
const rulesByText = new Map<string, Map<string, Rule[]>>();
const rulesByForm = new WeakMap<object, Map<string, Rule[]>>();

function compile(form: unknown): Compiled {
  return { query: parseQuery(form) };
}

/** Estimates from the first run's databases; `release` drops them so the cached plan keeps no db alive
 *  (rule bodies planned later, on demand, go without estimates). */
function estimator(sources: ReadonlyMap<string, Source>): { estimate: Estimate; release: () => void } {
  let from: ReadonlyMap<string, Source> | undefined = sources;
  const estimate: Estimate = (c) => {
    const db = from?.get(c.src);
    if (!isDatabase(db)) return undefined;
    const [, a, v] = c.terms;
    if (a?.t !== 'const' || v?.t !== 'const') return undefined;
    const attr = a.value instanceof Keyword || typeof a.value === 'number' ? db.attribute(a.value) : undefined;
    if (attr === undefined) return 0;
    const value = attr.valueType === 'ref' && (v.value instanceof Keyword || Array.isArray(v.value)) ? db.entid(v.value as EntityRef) : v.value;
    return value === undefined ? 0 : db.datomArray('avet', attr.id, value).length;
  };
  return { estimate, release: () => (from = undefined) };
}

function plan(query: Query, sources: ReadonlyMap<string, Source>): { plan: Plan; find: Finder } {
  const entry: string[] = [];
  const constant = new Set<string>();
  let distinct = true;
  for (const input of query.inputs) {
    if (input.kind !== 'binding') continue;
    for (const v of bindingVars(input.binding)) if (!entry.includes(v)) entry.push(v);
    // A collection or relation input may hold duplicates; a scalar or tuple input is the same in every row.
    if (input.binding.kind === 'scalar' || input.binding.kind === 'tuple') bindingVars(input.binding).forEach((v) => constant.add(v));
    else distinct = false;
  }
  const { estimate, release } = estimator(sources);
  const where = compileClauses(query.where, entry, distinct, estimate);
  release();
  return { plan: where, find: compileFind(query, where, constant) };
}

function compiled(query: string | QueryForm): Compiled {
  if (typeof query === 'string') {
    let found = byText.get(query);
    if (found === undefined) {
      found = compile(readEdn(query));
      if (byText.size >= MAX_CACHED_TEXTS) byText.delete(byText.keys().next().value!);
      byText.set(query, found);
    }
    return found;
  }
  if (typeof query !== 'object' || query === null) throw new QueryError('a query is EDN text or query data', query);
  let found = byForm.get(query);
  if (found === undefined) {
    found = compile(query);
    byForm.set(query, found);
  }
  return found;
}

function rulesOf(input: unknown): Map<string, Rule[]> {
  if (typeof input === 'string') {
    let found = rulesByText.get(input);
    if (found === undefined) {
      found = parseRules(readEdn(input));
      if (rulesByText.size >= MAX_CACHED_TEXTS) rulesByText.delete(rulesByText.keys().next().value!);
      rulesByText.set(input, found);
    }
    return found;
  }
  if (typeof input !== 'object' || input === null) throw new QueryError('rules (%) must be EDN text or a vector of rules', input);
  let found = rulesByForm.get(input);
  if (found === undefined) {
    found = parseRules(input);
    rulesByForm.set(input, found);
  }
  return found;
}

function seq(value: unknown, what: string): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  throw new QueryError(`${what} input must be a collection, got ${String(value)}`);
}

/** Extends `rows` by the values `binding` takes from `value`; a variable bound twice must agree. */
function bindInput(rows: Row[], cols: string[], binding: Binding, value: unknown): Row[] {
  const tuples: (readonly unknown[])[] =
    binding.kind === 'scalar'
      ? [[value]]
      : binding.kind === 'coll'
        ? seq(value, 'collection').map((x) => [x])
        : binding.kind === 'tuple'
          ? [seq(value, 'tuple')]
          : seq(value, 'relation').map((t) => seq(t, 'relation tuple'));
  const vars = binding.kind === 'scalar' || binding.kind === 'coll' ? [binding.v] : binding.vars;
  const places = vars.map((v) => {
    if (v === null) return -1;
    const at = cols.indexOf(v);
    if (at >= 0) return -2 - at;
    cols.push(v);
    return cols.length - 1;
  });
  const out: Row[] = [];
  for (const row of rows) {
    next: for (const t of tuples) {
      if (t.length < vars.length) throw new QueryError(`input tuple has ${t.length} values for ${vars.length} variables`);
      const r = row.slice();
      for (let i = 0; i < places.length; i++) {
        const p = places[i]!;
        if (p >= 0) r[p] = t[i];
        else if (p < -1 && keyOf(r[-2 - p]) !== keyOf(t[i])) continue next;
      }
      out.push(r);
    }
  }
  return out;
}

/**
 * Runs a Datalog query. `query` is EDN text or the same query as data (vectors of Sym, Keyword and
 * values; a string in data is always a string constant). `inputs` match `:in` in order (by default a
 * single database `$`).
 */
export function q(query: string | QueryForm, ...inputs: unknown[]): unknown {
  const entry = compiled(query);
  const parsed = entry.query;
  if (inputs.length !== parsed.inputs.length) {
    throw new QueryError(`query takes ${parsed.inputs.length} inputs (:in), got ${inputs.length}`, parsed.form);
  }
  const sources = new Map<string, Source>();
  let rules = new Map<string, Rule[]>();
  let rows: Row[] = [[]];
  const cols: string[] = [];
  parsed.inputs.forEach((input, i) => {
    const value = inputs[i];
    if (input.kind === 'src') {
      if (value === null || typeof value !== 'object') throw new QueryError(`input ${input.name} must be a database or a collection of tuples`, parsed.form);
      sources.set(input.name, value as Source);
    } else if (input.kind === 'rules') rules = rulesOf(value);
    else rows = bindInput(rows, cols, input.binding, value);
  });
  const main = sources.get('$');
  const firstDb = isDatabase(main) ? main : ([...sources.values()].find(isDatabase) as Database | undefined);
  const env: Env = { sources, functions: firstDb?.functions, state: { rules, tables: new Map(), sourceIds: new Map(), solving: false, dirty: false } };
  entry.planned ??= plan(parsed, sources);
  return entry.planned.find(runPlan(entry.planned.plan, rows, env), env);
}
