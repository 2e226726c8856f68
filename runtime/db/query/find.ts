// Shapes the rows of the :where clauses into the :find result: projection to distinct tuples,
// aggregates over groups (the bag of values per group, :with variables keeping duplicates apart),
// pull expressions, find specs (relation, scalar, collection, tuple) and :keys/:strs/:syms maps.
import type { Database, EntityId } from '../types.js';
import { aggregates } from './aggregates.js';
import type { Aggregate } from './aggregates.js';
import type { FindElem, Query } from './ast.js';
import type { Env, Plan } from './env.js';
import { databaseOf, isDatabase } from './env.js';
import { QueryError } from './errors.js';
import { TupleMultiMap, TupleSet } from './tuple-set.js';
import type { Row } from './tuple-set.js';
import { pull } from '../pull/pull.js';
import { Sym } from '../edn-names.js';

export type Finder = (rows: Row[], env: Env) => unknown;

/** History databases repeat (e, a, v) across transactions and collections may hold duplicate tuples. */
function mayRepeat(env: Env): boolean {
  for (const source of env.sources.values()) if (!isDatabase(source) || source.isHistory) return true;
  return false;
}

function colOf(v: string, cols: readonly string[], query: Query): number {
  const at = cols.indexOf(v);
  if (at < 0) throw new QueryError(`${v} in :find is not bound by :in or :where`, query.form);
  return at;
}

function resolveAggregate(elem: Extract<FindElem, { kind: 'agg' }>, env: Env): Aggregate {
  const builtin = aggregates.get(elem.fn);
  if (builtin !== undefined) return builtin;
  const custom = env.functions?.resolve(elem.fn);
  if (custom === undefined) throw new QueryError(`unknown aggregate ${elem.fn}: not a built-in and not on the allow list`, elem.form);
  // A custom aggregate gets its constant parameters first and the collection of values last.
  return (values, ...params) => (custom as (...args: unknown[]) => unknown)(...params, values);
}

/** `constant` names variables that hold the same value in every row (scalar and tuple inputs). */
export function compileFind(query: Query, plan: Plan, constant: ReadonlySet<string>): Finder {
  const cols = plan.cols;
  const elems = query.find;
  const elemCols = elems.map((e) => colOf(e.kind === 'var' ? e.name : e.kind === 'agg' ? e.arg : e.v, cols, query));
  const hasAgg = elems.some((e) => e.kind === 'agg');
  // A pattern given as a variable (`(pull ?e ?pattern)`) comes from a scalar input: one value for all rows.
  const pulls = elems.flatMap((e, i) => {
    if (e.kind !== 'pull') return [];
    if (!(e.pattern instanceof Sym && e.pattern.isVariable)) return [{ i, e, patternCol: -1 }];
    if (!constant.has(e.pattern.name)) throw new QueryError(`the pull pattern ${e.pattern.name} must be a scalar :in input`, e.form);
    return [{ i, e, patternCol: colOf(e.pattern.name, cols, query) }];
  });
  const keys = query.keys?.names;

  // Distinct rows projected onto every column that varies stay distinct: no need to deduplicate them again.
  const coversAll = cols.every((v, c) => elemCols.includes(c) || constant.has(v));
  const project = hasAgg ? aggregator(query, cols, elemCols) : (rows: Row[], env: Env): Row[] => {
    const dedupe = !(plan.distinct && coversAll) || mayRepeat(env);
    const seen = new TupleSet(elemCols);
    const out: Row[] = [];
    for (const row of rows) {
      if (dedupe && !seen.add(row)) continue;
      const r = new Array<unknown>(elemCols.length);
      for (let i = 0; i < elemCols.length; i++) r[i] = row[elemCols[i]!];
      out.push(r);
    }
    return out;
  };

  const finish = (rows: Row[], env: Env): Row[] => {
    const tuples = project(rows, env);
    for (const { i, e, patternCol } of pulls) {
      const pattern = patternCol < 0 ? e.pattern : rows[0]?.[patternCol];
      const db: Database = databaseOf(env, e.src, e.form);
      for (const t of tuples) {
        try {
          t[i] = pull(db, pattern, t[i] as EntityId);
        } catch (error) {
          throw new QueryError(`pull failed: ${(error as Error).message}`, e.form);
        }
      }
    }
    return tuples;
  };

  const asObject = (t: Row): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    keys!.forEach((k, i) => (o[k] = t[i]));
    return o;
  };

  switch (query.shape) {
    case 'rel':
      return keys ? (rows, env) => finish(rows, env).map(asObject) : finish;
    case 'coll':
      return (rows, env) => finish(rows, env).map((t) => t[0]);
    case 'scalar':
      return (rows, env) => {
        const t = finish(rows, env)[0];
        return t === undefined ? null : t[0];
      };
    case 'tuple':
      return (rows, env) => {
        const t = finish(rows, env)[0];
        return t === undefined ? null : keys ? asObject(t) : t;
      };
  }
}

function aggregator(query: Query, cols: readonly string[], elemCols: readonly number[]): (rows: Row[], env: Env) => Row[] {
  const elems = query.find;
  const groupIdx = elems.flatMap((e, i) => (e.kind === 'agg' ? [] : [i]));
  const groupCols = groupIdx.map((i) => elemCols[i]!);
  const withCols = query.with.map((v) => colOf(v, cols, query));
  const distinctCols = [...new Set([...groupCols, ...withCols, ...elemCols])];
  for (const e of elems) {
    if (e.kind === 'agg') {
      for (const p of e.params) if (typeof p === 'object' && p !== null && String(p).startsWith('?')) throw new QueryError('aggregate parameters must be constants', e.form);
    }
  }
  return (rows, env) => {
    const fns = elems.map((e) => (e.kind === 'agg' ? resolveAggregate(e, env) : undefined));
    const seen = new TupleSet(distinctCols);
    const groups = new TupleMultiMap(groupCols);
    const firsts: Row[] = [];
    const firstSeen = new TupleSet(groupCols);
    for (const row of rows) {
      if (!seen.add(row)) continue;
      groups.add(row);
      if (firstSeen.add(row)) firsts.push(row);
    }
    return firsts.map((first) => {
      const members = groups.get(first, groupCols)!;
      return elems.map((e, i) => {
        const col = elemCols[i]!;
        if (e.kind !== 'agg') return first[col];
        const values = members.map((m) => m[col]);
        try {
          return fns[i]!(values, ...e.params);
        } catch (error) {
          if (error instanceof QueryError) throw new QueryError(error.message, e.form);
          throw new QueryError(`aggregate ${e.fn} threw: ${(error as Error).message}`, e.form);
        }
      });
    });
  };
}
