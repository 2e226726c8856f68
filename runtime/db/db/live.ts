// The live datoms of a database value within bounds: what its trees hold, merged with its run of
// recent transaction instants (index/instant-run.ts). Every read of the live set goes through here.
import type { Bounds } from '../index/btree.js';
import { mergeArrays, mergeIterables } from '../index/merge.js';
import { ORDERS } from '../index/orders.js';
import { DatomRange, rangeArray } from '../index/range.js';
import type { Datom, IndexName } from '../types.js';
import type { DbState } from './state.js';

export function liveArray(state: DbState, index: IndexName, bounds: Bounds<Datom>): Datom[] {
  const tree = rangeArray(state.live[index], bounds);
  const run = state.instants.within(index, bounds);
  if (run === undefined) return tree;
  return tree.length === 0 ? run : mergeArrays(tree, run, ORDERS[index].key);
}

/** Lazy, like DatomRange: each iteration walks the tree afresh. */
export function liveRange(state: DbState, index: IndexName, bounds: Bounds<Datom>): Iterable<Datom> {
  const tree = new DatomRange(state.live[index], bounds);
  const run = state.instants.within(index, bounds);
  if (run === undefined) return tree;
  const order = ORDERS[index].key;
  return { [Symbol.iterator]: () => mergeIterables(tree, run, order) };
}
