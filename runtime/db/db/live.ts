// The live datoms of a database value within bounds: what its trees hold, merged with its run of
// recent transaction instants (index/instant-run.ts). Every read of the live set goes through here.
import type { Bounds } from '../index/btree.js';
import { ORDERS } from '../index/orders.js';
import { DatomRange, rangeArray } from '../index/range.js';
import type { Datom, IndexName } from '../types.js';
import type { DbState } from './state.js';

export function liveArray(state: DbState, index: IndexName, bounds: Bounds<Datom>): Datom[] {
  const tree = rangeArray(state.live[index], bounds);
  const run = state.instants.within(index, bounds);
  return run === undefined ? tree : mergeSorted(tree, run, ORDERS[index].key);
}

/** Lazy, like DatomRange: each iteration walks the tree afresh. */
export function liveRange(state: DbState, index: IndexName, bounds: Bounds<Datom>): Iterable<Datom> {
  const tree = new DatomRange(state.live[index], bounds);
  const run = state.instants.within(index, bounds);
  if (run === undefined) return tree;
  const order = ORDERS[index].key;
  return { [Symbol.iterator]: () => mergeIterators(tree[Symbol.iterator](), run[Symbol.iterator](), order) };
}

// The two never hold the same datom, so ties cannot occur.
function mergeSorted(xs: readonly Datom[], ys: readonly Datom[], cmp: (x: Datom, y: Datom) => number): Datom[] {
  if (xs.length === 0) return ys as Datom[];
  const out = new Array<Datom>(xs.length + ys.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < xs.length && j < ys.length) out[k++] = cmp(xs[i]!, ys[j]!) < 0 ? xs[i++]! : ys[j++]!;
  while (i < xs.length) out[k++] = xs[i++]!;
  while (j < ys.length) out[k++] = ys[j++]!;
  return out;
}

function* mergeIterators(xi: Iterator<Datom>, yi: Iterator<Datom>, cmp: (x: Datom, y: Datom) => number): Generator<Datom> {
  let x = xi.next();
  let y = yi.next();
  while (!x.done && !y.done) {
    if (cmp(x.value, y.value) < 0) {
      yield x.value;
      x = xi.next();
    } else {
      yield y.value;
      y = yi.next();
    }
  }
  for (; !x.done; x = xi.next()) yield x.value;
  for (; !y.done; y = yi.next()) yield y.value;
}
