// What a compiled plan runs against: the sources of one q() call and the state its rules share.
import type { Database, FunctionRegistry } from '../types.js';
import type { Rule } from './ast.js';
import { QueryError } from './errors.js';
import type { BodyProgress, RuleTable } from './rule-table.js';
import type { Row } from './tuple-set.js';

/** A source is a database or a collection of tuples queried by position. */
export type Source = Database | readonly (readonly unknown[])[];

export function isDatabase(source: Source | undefined): source is Database {
  return source !== undefined && !Array.isArray(source);
}

export interface RunState {
  readonly rules: ReadonlyMap<string, readonly Rule[]>;
  readonly tables: Map<string, RuleTable>;
  /** A number per source value that rule tables were made for, to key the tables. */
  readonly sourceIds: Map<Source, number>;
  /** True while a rule fixpoint is being computed; nested rule calls then only register inputs. */
  solving: boolean;
  /** Set when a round of the fixpoint found a new answer or a new input. */
  dirty: boolean;
  /** The rule body being evaluated semi-naively, if any; its one rule call reads and updates it. */
  current?: BodyProgress | undefined;
}

export interface Env {
  readonly sources: ReadonlyMap<string, Source>;
  readonly functions: FunctionRegistry | undefined;
  readonly state: RunState;
}

export type Step = (rows: Row[], env: Env) => Row[];

export interface Plan {
  readonly steps: readonly Step[];
  /** Variable of each column of the rows the plan produces. */
  readonly cols: readonly string[];
  /** Whether the rows it produces are distinct, unless a source is a history database. */
  readonly distinct: boolean;
}

export function runPlan(plan: Plan, rows: Row[], env: Env): Row[] {
  for (const step of plan.steps) {
    if (rows.length === 0) return rows;
    rows = step(rows, env);
  }
  return rows;
}

export function sourceOf(env: Env, name: string, form: unknown): Source {
  const source = env.sources.get(name);
  if (source === undefined) throw new QueryError(`source ${name} is not bound by :in`, form);
  return source;
}

export function databaseOf(env: Env, name: string, form: unknown): Database {
  const source = sourceOf(env, name, form);
  if (!isDatabase(source)) throw new QueryError(`source ${name} is a collection, not a database`, form);
  return source;
}
