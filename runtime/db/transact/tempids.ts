// Giving tempids their entity ids: a tempid asserting a unique identity value that an entity already
// holds becomes that entity (upsert); tempids asserting the same new identity value become one entity;
// the rest get fresh ids in order of appearance.
import { lookupUnique } from '../db/resolve-ref.js';
import type { DbState } from '../db/state.js';
import { TX0 } from '../ids.js';
import type { Value } from '../types.js';
import { show } from '../values/show.js';
import { type TxError, txError } from './errors.js';
import { ADD, type Op, Temp } from './ops.js';

export interface Allocation {
  readonly maxEid: number;
  readonly tempids: Record<string, number>;
}

export function resolveTempids(state: DbState, ops: readonly Op[], allTemps: readonly Temp[], txData: readonly unknown[]): Allocation {
  if (allTemps.length > 0) upsert(state, ops, txData);
  let maxEid = state.maxEid;
  for (const op of ops) if (typeof op.e === 'number' && op.e > maxEid && op.e < TX0) maxEid = op.e;
  for (const t of allTemps) {
    const root = t.root();
    if (!root.asEntity && !t.asEntity) throw tempOnlyValue(t, txData);
    if (root.id === -1) root.id = ++maxEid;
    t.id = root.id;
  }
  for (const op of ops) {
    if (op.e instanceof Temp) op.e = op.e.id;
    if (op.v instanceof Temp) op.v = op.v.id;
    else if (holdsTemp(op.v)) op.v = (op.v as unknown[]).map((x) => (x instanceof Temp ? x.id : x)) as unknown as Value;
  }
  const tempids: Record<string, number> = {};
  for (const t of allTemps) if (t.name !== undefined) tempids[t.name] = t.id;
  if (maxEid >= TX0) throw txError(txData, undefined, `entity ids exhausted (${maxEid} reaches the transaction ids at ${TX0})`);
  return { maxEid, tempids };
}

function tempOnlyValue(t: Temp, txData: readonly unknown[]): TxError {
  return txError(txData, t.src, `tempid ${JSON.stringify(t.name ?? '(nested map)')} is only used as a value; nothing is asserted about it`);
}

function upsert(state: DbState, ops: readonly Op[], txData: readonly unknown[]): void {
  // Repeat while a resolution lets another identity value (a ref to a just-resolved tempid) resolve.
  for (let again = true; again; ) {
    again = false;
    const claims = new Map<number, Map<unknown, Temp>>();
    for (const op of ops) {
      if (op.kind !== ADD || !(op.e instanceof Temp) || !op.attr!.isIdentity) continue;
      const temp = op.e.root();
      const v = resolvedSoFar(op.v);
      if (v === undefined) continue;
      const existing = lookupUnique(state, op.attr!, v);
      if (existing !== undefined) {
        if (temp.id === -1) {
          temp.id = existing;
          again = true;
        } else if (temp.id !== existing) {
          throw txError(txData, op.src, `conflicting upsert: ${temp.name === undefined ? 'the entity' : `tempid ${JSON.stringify(temp.name)}`} resolves to entity ${temp.id} and, through ${op.attr!.ident} ${show(v, 60)}, to entity ${existing}`);
        }
        continue;
      }
      // Same new identity value from two tempids: they are one entity.
      let byValue = claims.get(op.attr!.id);
      if (byValue === undefined) claims.set(op.attr!.id, (byValue = new Map()));
      const key = valueKey(v as Value);
      const other = byValue.get(key)?.root();
      if (other === undefined) byValue.set(key, temp);
      else if (other !== temp) {
        if (other.id !== -1 && temp.id !== -1 && other.id !== temp.id)
          throw txError(txData, op.src, `conflicting upsert: entities ${other.id} and ${temp.id} would both hold ${op.attr!.ident} ${show(v, 60)}`);
        if (temp.id === -1) temp.alias = other;
        else other.alias = temp;
        if (temp.asEntity || other.asEntity) temp.asEntity = other.asEntity = true;
      }
    }
  }
}

/** A tuple value holding tempids (refs inside tuples). */
function holdsTemp(v: unknown): boolean {
  return Array.isArray(v) && v.some((x) => x instanceof Temp);
}

// The value with its tempids replaced by the ids they resolved to; undefined while one is unresolved.
function resolvedSoFar(v: Value | Temp | undefined): Value | undefined {
  if (v instanceof Temp) {
    const id = v.root().id;
    return id === -1 ? undefined : id;
  }
  if (!holdsTemp(v)) return v;
  const out: unknown[] = [];
  for (const x of v as unknown as unknown[]) {
    const id = x instanceof Temp ? x.root().id : x;
    if (id === -1) return undefined;
    out.push(id);
  }
  return out as unknown as Value;
}

// Identity values as Map keys: primitives stand for themselves, other values by their printed form.
function valueKey(v: Value): unknown {
  return typeof v === 'object' ? show(v, Infinity) : v;
}
