// Whole-attribute slices of AEVT and AVET, cached per database value. A database value never
// changes, so the slice of one attribute stays valid for as long as the value lives (the WeakMap lets
// it go with the value). When many rows probe the same attribute, a binary search in the slice is far
// cheaper than one index lookup per row.
import { compareValues } from '../values/order.js';
import type { Database, Datom, EntityId } from '../types.js';

const slices = new WeakMap<Database, Map<number, Datom[]>>();

/** Rows at or above this count probe a slice instead of doing an index lookup each. */
export const SLICE_THRESHOLD = 32;

function cached(db: Database, key: number, load: () => Datom[]): Datom[] {
  let byKey = slices.get(db);
  if (byKey === undefined) {
    byKey = new Map();
    slices.set(db, byKey);
  }
  let found = byKey.get(key);
  if (found === undefined) {
    found = load();
    byKey.set(key, found);
  }
  return found;
}

/** The AEVT datoms of attribute `a`, sorted by entity. */
export function aevtSlice(db: Database, a: EntityId): Datom[] {
  return cached(db, a * 2, () => db.datomArray('aevt', a));
}

/** The AVET datoms of attribute `a`, sorted by value. */
export function avetSlice(db: Database, a: EntityId): Datom[] {
  return cached(db, a * 2 + 1, () => db.datomArray('avet', a));
}

/** The AVET slice if this database value has it already. */
export function loadedAvetSlice(db: Database, a: EntityId): Datom[] | undefined {
  return slices.get(db)?.get(a * 2 + 1);
}

/** First index in an AEVT slice whose entity is >= e. */
export function seekEntity(slice: readonly Datom[], e: number): number {
  let lo = 0;
  let hi = slice.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (slice[mid]!.e < e) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in an AVET slice whose value is >= v, in the index's own value order. */
export function seekValue(slice: readonly Datom[], v: unknown): number {
  let lo = 0;
  let hi = slice.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareValues(slice[mid]!.v, v) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
