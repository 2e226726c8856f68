// A data pattern as a plan step: for each incoming row, one index lookup chosen by which of
// e, a, v are known (EAVT for e, AVET for a+v, AEVT for a alone, a range of AVET when a comparison
// on v was pushed down), then the datoms that match extend the row.
import { Keyword } from '../edn-names.js';
import type { Database, Datom, EntityId, EntityRef, Value } from '../types.js';
import type { PatternClause } from './ast.js';
import type { Env, Step } from './env.js';
import { isDatabase, sourceOf } from './env.js';
import type { Slot } from './slots.js';
import { slotGetter, slotsFor } from './slots.js';
import type { Row } from './tuple-set.js';
import { keyOf } from './values.js';
import { compareValues } from '../values/order.js';
import { SLICE_THRESHOLD, aevtSlice, avetSlice, loadedAvetSlice, seekEntity, seekValue } from './attribute-slices.js';

/** Ranges with fewer datoms than this are read through the index; larger ones use the slice. */
const SMALL_RANGE = 256;

/** Up to `n` datoms of `datoms`; all of them when there are fewer. */
function firstDatoms(datoms: Iterable<Datom>, n: number): Datom[] {
  const out: Datom[] = [];
  for (const d of datoms) {
    out.push(d);
    if (out.length >= n) break;
  }
  return out;
}

const BY_NONE = 0;
const BY_E = 1;
const BY_V = 2;

/** Bounds on v pushed down from comparison predicates: lower inclusive, upper exclusive. */
export interface RangeHint {
  readonly lower?: (row: Row) => unknown;
  readonly upper?: (row: Row) => unknown;
}

const BLANK: Slot = { k: 'blank' };

function isEntityRef(x: unknown): x is EntityRef {
  return typeof x === 'number' || x instanceof Keyword || Array.isArray(x);
}

/** Per-database resolution of the pattern's constants (attribute ident, entity ref, ref value). */
interface Resolved {
  /** undefined when the constant names nothing: the pattern then matches nothing. */
  readonly e: EntityId | undefined;
  readonly a: EntityId | undefined;
  readonly v: unknown;
  readonly ok: boolean;
  /** Attributes met in the attribute position, by how the row named them. */
  readonly attrs: Map<unknown, AttrInfo>;
}

interface AttrInfo {
  readonly id: EntityId | undefined;
  readonly isRef: boolean;
  readonly rangeOk: ((x: unknown) => boolean) | undefined;
}

const RANGE_TYPES: Readonly<Record<string, (x: unknown) => boolean>> = {
  long: (x) => typeof x === 'number' || typeof x === 'bigint',
  double: (x) => typeof x === 'number',
  string: (x) => typeof x === 'string',
  instant: (x) => x instanceof Date,
};

export function compilePattern(clause: PatternClause, cols: string[], range: RangeHint | undefined): Step {
  const [E = BLANK, A = BLANK, V = BLANK, T = BLANK, ADDED = BLANK] = slotsFor(clause.terms, cols);
  const newSlots = [E, A, V, T, ADDED].filter((s) => s.k === 'new').length;
  const hasBlank = [E, A, V].some((s) => s.k === 'blank');
  const src = clause.src;
  const eGet = slotGetter(E);
  const aGet = slotGetter(A);
  const vGet = slotGetter(V);
  const tGet = slotGetter(T);
  const addedGet = slotGetter(ADDED);
  // Weakly keyed: a compiled query is cached, and must not keep the databases it ran on alive.
  const resolvedByDb = new WeakMap<Database, Resolved>();

  const resolve = (db: Database): Resolved => {
    const found = resolvedByDb.get(db);
    if (found !== undefined) return found;
    let ok = true;
    let e: EntityId | undefined;
    let a: EntityId | undefined;
    let v: unknown = V.k === 'const' ? V.value : undefined;
    if (E.k === 'const') {
      e = isEntityRef(E.value) ? db.entid(E.value) : undefined;
      ok &&= e !== undefined;
    }
    if (A.k === 'const') {
      const attr = isEntityRef(A.value) ? db.attribute(A.value) : undefined;
      a = attr?.id;
      ok &&= a !== undefined;
      if (attr?.valueType === 'ref' && V.k === 'const' && typeof v !== 'number' && isEntityRef(v)) {
        v = db.entid(v);
        ok &&= v !== undefined;
      }
    }
    const resolved: Resolved = { e, a, v, ok, attrs: new Map() };
    resolvedByDb.set(db, resolved);
    return resolved;
  };

  const attrInfo = (db: Database, res: Resolved, a: unknown): AttrInfo => {
    let info = res.attrs.get(a);
    if (info === undefined) {
      const attr = isEntityRef(a) ? db.attribute(a) : undefined;
      info = { id: attr?.id, isRef: attr?.valueType === 'ref', rangeOk: attr === undefined ? undefined : RANGE_TYPES[attr.valueType] };
      res.attrs.set(a, info);
    }
    return info;
  };

  const matchTuples = (tuples: readonly (readonly unknown[])[], rows: Row[]): Row[] => {
    const slots = [E, A, V, T, ADDED].slice(0, clause.terms.length);
    const out: Row[] = [];
    for (const row of rows) {
      for (const tuple of tuples) {
        if (tuple.length < slots.length) continue;
        const r = row.slice();
        let ok = true;
        for (let i = 0; i < slots.length && ok; i++) {
          const s = slots[i]!;
          const x = tuple[i];
          if (s.k === 'const') ok = keyOf(x) === keyOf(s.value);
          else if (s.k === 'bound') ok = keyOf(x) === keyOf(row[s.col]);
          else if (s.k === 'dup') ok = keyOf(x) === keyOf(r[s.col]);
          else if (s.k === 'new') r[s.col] = x;
        }
        if (ok) out.push(r);
      }
    }
    return out;
  };

  return (rows: Row[], env: Env): Row[] => {
    const source = sourceOf(env, src, clause.form);
    if (!isDatabase(source)) return matchTuples(source, rows);
    const db = source;
    const res = resolve(db);
    if (!res.ok) return [];
    const out: Row[] = [];
    for (const row of rows) {
      let e: unknown = E.k === 'const' ? res.e : eGet?.(row);
      if (e !== undefined && typeof e !== 'number') {
        e = isEntityRef(e) ? db.entid(e) : undefined;
        if (e === undefined) continue;
      }
      let a: unknown = A.k === 'const' ? res.a : aGet?.(row);
      let isRef = false;
      let rangeOk: ((x: unknown) => boolean) | undefined;
      if (A.k === 'const' || A.k === 'bound') {
        const info = attrInfo(db, res, A.k === 'const' ? A.value : a);
        if (info.id === undefined) continue;
        a = info.id;
        isRef = info.isRef;
        rangeOk = info.rangeOk;
      }
      let v: unknown = V.k === 'const' ? res.v : vGet?.(row);
      if (isRef && v !== undefined && typeof v !== 'number') {
        v = isEntityRef(v) ? db.entid(v) : undefined;
        if (v === undefined) continue;
      }
      const vKey = v === undefined ? undefined : keyOf(v);
      // The datoms to look at are arr[i..end); with a slice, `by` says where the matching run stops.
      let arr: readonly Datom[];
      let i = 0;
      let end: number;
      let by = BY_NONE;
      let vChecked = false;
      if (e !== undefined) {
        if (a !== undefined && rows.length >= SLICE_THRESHOLD) {
          arr = aevtSlice(db, a as EntityId);
          i = seekEntity(arr, e as number);
          by = BY_E;
        } else arr = a !== undefined ? db.datomArray('eavt', e, a) : db.datomArray('eavt', e);
        end = arr.length;
      } else if (a !== undefined) {
        if (v !== undefined) {
          vChecked = true;
          if (rows.length >= SLICE_THRESHOLD) {
            arr = avetSlice(db, a as EntityId);
            i = seekValue(arr, v);
            by = BY_V;
          } else arr = db.datomArray('avet', a, v);
          end = arr.length;
        } else if (range !== undefined && rangeOk !== undefined) {
          const lower = range.lower?.(row);
          const upper = range.upper?.(row);
          const lo = lower !== undefined && rangeOk(lower) ? (lower as Value) : undefined;
          const hi = upper !== undefined && rangeOk(upper) ? (upper as Value) : undefined;
          // A small range is read as it is; a large one loads the attribute's slice, which later
          // ranges on this database value then only binary-search.
          const loaded = loadedAvetSlice(db, a as EntityId);
          const head = loaded === undefined ? firstDatoms(db.indexRange(a as EntityId, lo, hi), SMALL_RANGE) : undefined;
          if (head !== undefined && head.length < SMALL_RANGE) {
            arr = head;
            end = head.length;
          } else {
            arr = loaded ?? avetSlice(db, a as EntityId);
            i = lo !== undefined ? seekValue(arr, lo) : 0;
            end = hi !== undefined ? seekValue(arr, hi) : arr.length;
          }
        } else {
          arr = aevtSlice(db, a as EntityId);
          end = arr.length;
        }
      } else {
        arr = db.datomArray('eavt');
        end = arr.length;
      }
      const t = tGet?.(row);
      const added = addedGet?.(row);
      let last: Row | undefined;
      for (; i < end; i++) {
        const d = arr[i]!;
        if (by === BY_E) {
          if (d.e !== e) break;
        } else if (by === BY_V && d.v !== v && compareValues(d.v, v) !== 0) break;
        if (a !== undefined && d.a !== a) continue;
        if (vKey !== undefined && !vChecked && d.v !== v && keyOf(d.v) !== vKey) continue;
        if (t !== undefined && d.tx !== t) continue;
        if (added !== undefined && d.added !== added) continue;
        if (newSlots === 0) {
          out.push(row);
          break;
        }
        // New columns are assigned in column order, so each assignment appends.
        const r = row.slice();
        if (E.k === 'new') r[E.col] = d.e;
        if (A.k === 'new') r[A.col] = d.a;
        else if (A.k === 'dup' && r[A.col] !== d.a) continue;
        if (V.k === 'new') r[V.col] = d.v;
        else if (V.k === 'dup' && keyOf(r[V.col]) !== keyOf(d.v)) continue;
        if (T.k === 'new') r[T.col] = d.tx;
        else if (T.k === 'dup' && r[T.col] !== d.tx) continue;
        if (ADDED.k === 'new') r[ADDED.col] = d.added;
        else if (ADDED.k === 'dup' && r[ADDED.col] !== d.added) continue;
        if (hasBlank && last !== undefined && sameNew(last, r, row.length, r.length)) continue;
        out.push(r);
        last = r;
      }
    }
    return out;
  };
}

function sameNew(a: Row, b: Row, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (a[i] !== b[i] && keyOf(a[i]) !== keyOf(b[i])) return false;
  return true;
}
