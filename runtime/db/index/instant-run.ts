// The :db/txInstant datoms of transactions made since a database value was loaded, kept beside the
// live trees instead of in them. Every transaction makes one, and they arrive already sorted in each
// index that holds them: by tx entity in EAVT and AEVT, and by instant in AVET (instants never go back,
// and equal instants fall back to entity order, which is t order). Appending to an array is then all
// the indexing they need, and a transaction updates the trees for its own datoms alone. Readers merge
// the run into what the trees give (see db/live.ts); bulk loads put every datom in the trees instead.
//
// Like the log, successive values share the datoms (see shared-run.ts).
import type { Datom, IndexName } from '../types.js';
import type { Bounds } from './btree.js';
import { SharedRun } from './shared-run.js';

export class InstantRun {
  static readonly EMPTY = new InstantRun(SharedRun.empty());

  private constructor(private readonly datoms: SharedRun<Datom>) {}

  get length(): number {
    return this.datoms.length;
  }

  /** This run and `d` after it; `d` must sort after every datom of the run. */
  plus(d: Datom): InstantRun {
    return new InstantRun(this.datoms.plus(d));
  }

  /** The run's datoms within `bounds` of `index`, in its order; undefined when there are none. */
  within(index: IndexName, bounds: Bounds<Datom>): Datom[] | undefined {
    const n = this.datoms.length;
    if (n === 0 || index === 'vaet') return undefined;
    const ds = this.datoms;
    if (bounds.seek(ds.at(n - 1)!) < 0) return undefined;
    let lo = 0;
    // Most reads are of ordinary entities and attributes, all of which sort before the first instant
    // in EAVT, or after every instant in AEVT and AVET: settled without a search.
    if (bounds.seek(ds.at(0)!) < 0) {
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (bounds.seek(ds.at(mid)!) < 0) lo = mid + 1;
        else hi = mid;
      }
    }
    let end = lo;
    while (end < n && !bounds.stop(ds.at(end)!)) end++;
    return end === lo ? undefined : ds.slice(lo, end);
  }
}
