// `not`/`not-join` and `or`/`or-join` as plan steps. Each runs its clauses once over the distinct
// values of the variables it shares with the rows so far, then filters or hash-joins the rows.
import type { Clause, NotClause, OrClause } from './ast.js';
import type { Plan, Step } from './env.js';
import { runPlan } from './env.js';
import { QueryError } from './errors.js';
import { distinctProject, range, withDefaultSource } from './relation-ops.js';
import { TupleMultiMap, TupleSet } from './tuple-set.js';
import type { Row } from './tuple-set.js';

/** A rule body's call to its own rule with the same arguments bound: it reads the table being filled. */
export interface SelfCall {
  readonly name: string;
  readonly mask: string;
}

export type Compile = (clauses: readonly Clause[], entry: readonly string[], entryDistinct?: boolean, self?: SelfCall) => Plan;

export function compileNot(clause: NotClause, cols: string[], compile: Compile): Step {
  const join = clause.joinVars.filter((v) => cols.includes(v));
  const joinCols = join.map((v) => cols.indexOf(v));
  const sub = compile(clause.clauses, join);
  const keyCols = range(join.length);
  return (rows, env) => {
    const matched = runPlan(sub, distinctProject(rows, joinCols), withDefaultSource(env, clause.src, clause.form));
    if (matched.length === 0) return rows;
    const set = new TupleSet(keyCols);
    for (const r of matched) set.add(r);
    return rows.filter((row) => !set.has(row, joinCols));
  };
}

export function compileOr(clause: OrClause, cols: string[], compile: Compile): Step {
  const boundJoin = clause.joinVars.filter((v) => cols.includes(v));
  const free = clause.joinVars.filter((v) => !cols.includes(v));
  const boundCols = boundJoin.map((v) => cols.indexOf(v));
  const outVars = [...boundJoin, ...free];
  const branches = clause.branches.map((b) => {
    const plan = compile(b, boundJoin);
    const proj = outVars.map((v) => {
      const at = plan.cols.indexOf(v);
      if (at < 0) throw new QueryError(`a branch of or does not bind ${v}`, clause.form);
      return at;
    });
    return { plan, proj };
  });
  const width = cols.length;
  cols.push(...free);
  const k = boundJoin.length;
  const keyCols = range(k);
  return (rows, env) => {
    const inputs = distinctProject(rows, boundCols);
    const benv = withDefaultSource(env, clause.src, clause.form);
    const seen = new TupleSet(range(outVars.length));
    const results: Row[] = [];
    for (const { plan, proj } of branches) {
      for (const r of runPlan(plan, inputs, benv)) {
        const p = proj.map((i) => r[i]);
        if (seen.add(p)) results.push(p);
      }
    }
    if (free.length === 0) {
      const set = new TupleSet(keyCols);
      for (const r of results) set.add(r);
      return rows.filter((row) => set.has(row, boundCols));
    }
    const index = new TupleMultiMap(keyCols);
    for (const r of results) index.add(r);
    const out: Row[] = [];
    for (const row of rows) {
      const matches = index.get(row, boundCols);
      if (matches === undefined) continue;
      for (const m of matches) {
        const r = row.slice();
        for (let i = 0; i < free.length; i++) r[width + i] = m[k + i];
        out.push(r);
      }
    }
    return out;
  };
}
