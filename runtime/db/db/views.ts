// What asOf, since and history values see, computed from the live and history indexes on the fly:
//  - asOf(t): live datoms with tx <= t, plus retracted assertions whose latest change by t was an assertion;
//  - since(t): of those, the ones with tx > t;
//  - history: every assertion and retraction within those tx bounds.
import type { Node } from '../index/btree.js';
import { mergeIterables } from '../index/merge.js';
import type { IndexOrder } from '../index/orders.js';
import { type Bounds, DatomRange } from '../index/range.js';
import type { Datom } from '../types.js';

export interface ViewFilter {
  /** Greatest tx id seen, or Infinity. */
  readonly maxTx: number;
  /** Tx ids must be greater than this, or -1. */
  readonly minTx: number;
  readonly history: boolean;
}

export function* viewDatoms(live: Iterable<Datom>, hist: Node<Datom>, order: IndexOrder, bounds: Bounds<Datom>, f: ViewFilter): Generator<Datom> {
  const liveIn = inTx(live, f.minTx, f.maxTx);
  if (!f.history && f.maxTx === Infinity) {
    yield* liveIn;
    return;
  }
  const histRange = new DatomRange(hist, bounds);
  const histIn = f.history ? inTx(histRange, f.minTx, f.maxTx) : inTx(visibleAsOf(histRange, order, f.maxTx), f.minTx, Infinity);
  yield* mergeIterables(liveIn, histIn, order.full);
}

function* inTx(ds: Iterable<Datom>, minTx: number, maxTx: number): Generator<Datom> {
  for (const d of ds) if (d.tx > minTx && d.tx <= maxTx) yield d;
}

// History holds, per fact, its assertions and retractions in tx order; the fact was true at maxTx
// when its last change at or before maxTx was an assertion.
function* visibleAsOf(hist: Iterable<Datom>, order: IndexOrder, maxTx: number): Generator<Datom> {
  let current: Datom | undefined;
  let last: Datom | undefined;
  for (const d of hist) {
    if (current !== undefined && order.key(current, d) !== 0) {
      if (last !== undefined && last.added) yield last;
      last = undefined;
    }
    current = d;
    if (d.tx <= maxTx) last = d;
  }
  if (last !== undefined && last.added) yield last;
}
