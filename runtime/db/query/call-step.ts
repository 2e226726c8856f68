// Predicates `[(pred args...)]` and function expressions `[(f args...) binding]` as plan steps.
// Functions are the built-ins or, by name, the allow-listed functions of the database's registry.
import type { Binding, CallClause } from './ast.js';
import { builtins } from './builtins.js';
import type { Env, Step } from './env.js';
import { sourceOf } from './env.js';
import { QueryError } from './errors.js';
import type { Slot } from './slots.js';
import { slotsFor } from './slots.js';
import type { Row } from './tuple-set.js';
import { keyOf } from './values.js';

type Fn = (...args: unknown[]) => unknown;

export function resolveFunction(name: string, env: Env, form: unknown): Fn {
  const builtin = builtins.get(name);
  if (builtin !== undefined) return builtin as Fn;
  const found = env.functions?.resolve(name);
  if (found === undefined) {
    throw new QueryError(`unknown function ${name}: not a built-in and not on the allow list`, form);
  }
  return found as Fn;
}

function truthy(x: unknown): boolean {
  return x !== null && x !== undefined && x !== false;
}

function argReader(slots: readonly Slot[], clause: CallClause): (row: Row, env: Env) => unknown[] {
  const getters = slots.map((s): ((row: Row, env: Env) => unknown) => {
    switch (s.k) {
      case 'const': {
        const value = s.value;
        return () => value;
      }
      case 'bound': {
        const col = s.col;
        return (row) => row[col];
      }
      case 'src': {
        const name = s.name;
        return (_row, env) => sourceOf(env, name, clause.form);
      }
      default:
        throw new QueryError('function arguments must be bound variables, sources or constants', clause.form);
    }
  });
  return (row, env) => {
    const args = new Array<unknown>(getters.length);
    for (let i = 0; i < getters.length; i++) args[i] = getters[i]!(row, env);
    return args;
  };
}

function call(fn: Fn, args: unknown[], clause: CallClause): unknown {
  try {
    return fn(...args);
  } catch (error) {
    if (error instanceof QueryError) throw new QueryError(error.message, clause.form);
    throw new QueryError(`${clause.fn} threw: ${(error as Error).message}`, clause.form);
  }
}

export function compileCall(clause: CallClause, cols: string[]): Step {
  const inputCols = cols.slice();
  const argSlots = slotsFor(clause.args, inputCols);
  if (inputCols.length !== cols.length) {
    throw new QueryError(`insufficient bindings: ${inputCols.slice(cols.length).join(', ')} not bound before`, clause.form);
  }
  const readArgs = argReader(argSlots, clause);
  // Resolved once per run; weakly keyed so that the cached query keeps no run's databases alive.
  const fnByEnv = new WeakMap<Env, Fn>();
  const lookup = (env: Env): Fn => {
    let fn = fnByEnv.get(env);
    if (fn === undefined) {
      fn = resolveFunction(clause.fn, env, clause.form);
      fnByEnv.set(env, fn);
    }
    return fn;
  };
  if (clause.kind === 'pred') {
    return (rows, env) => {
      const f = lookup(env);
      const out: Row[] = [];
      for (const row of rows) if (truthy(call(f, readArgs(row, env), clause))) out.push(row);
      return out;
    };
  }
  const bind = binder(clause.binding!, cols, clause);
  return (rows, env) => {
    const f = lookup(env);
    const out: Row[] = [];
    for (const row of rows) bind(row, call(f, readArgs(row, env), clause), out);
    return out;
  };
}

type Binder = (row: Row, value: unknown, out: Row[]) => void;

/** Binds a function result to a binding form, appending new variables to `cols`. */
export function binder(binding: Binding, cols: string[], clause: { form: unknown }): Binder {
  const width = cols.length;
  const place = (v: string | null): { k: 'skip' } | { k: 'check'; col: number } | { k: 'set'; col: number } => {
    if (v === null) return { k: 'skip' };
    const at = cols.indexOf(v);
    if (at >= 0) return { k: 'check', col: at };
    cols.push(v);
    return { k: 'set', col: cols.length - 1 };
  };
  const assign = (places: ReturnType<typeof place>[]) => (r: Row, values: readonly unknown[]): boolean => {
    for (let i = 0; i < places.length; i++) {
      const p = places[i]!;
      const x = values[i];
      if (p.k === 'set') r[p.col] = x;
      else if (p.k === 'check' && keyOf(r[p.col]) !== keyOf(x)) return false;
    }
    return true;
  };
  const seq = (value: unknown): readonly unknown[] | undefined => {
    if (value === null || value === undefined) return undefined;
    if (Array.isArray(value)) return value;
    if (value instanceof Set) return [...value];
    throw new QueryError(`expected a collection from ${String(value)}`, clause.form);
  };
  // New columns are set in column order, so each assignment appends to the copy.
  const extend = (row: Row): Row => row.slice();
  switch (binding.kind) {
    case 'scalar': {
      const set = assign([place(binding.v)]);
      return (row, value, out) => {
        if (value === null || value === undefined) return;
        const r = cols.length === width ? row : extend(row);
        if (set(r, [value])) out.push(r);
      };
    }
    case 'tuple': {
      const set = assign(binding.vars.map(place));
      const n = binding.vars.length;
      return (row, value, out) => {
        const xs = seq(value);
        if (xs === undefined) return;
        if (xs.length < n) throw new QueryError(`expected a tuple of ${n}, got ${xs.length} values`, clause.form);
        const r = extend(row);
        if (set(r, xs)) out.push(r);
      };
    }
    case 'coll': {
      const set = assign([place(binding.v)]);
      return (row, value, out) => {
        for (const x of seq(value) ?? []) {
          const r = extend(row);
          if (set(r, [x])) out.push(r);
        }
      };
    }
    case 'rel': {
      const set = assign(binding.vars.map(place));
      const n = binding.vars.length;
      return (row, value, out) => {
        for (const tuple of seq(value) ?? []) {
          const xs = seq(tuple);
          if (xs === undefined || xs.length < n) throw new QueryError(`expected tuples of ${n} values`, clause.form);
          const r = extend(row);
          if (set(r, xs)) out.push(r);
        }
      };
    }
  }
}
