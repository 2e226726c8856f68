// Which segments of an index a datom may sit in, found from the index root's segment list alone.
import type { Datom } from '../types.js';
import type { SegmentRef } from './segment-codec.js';

/**
 * Calls `mark` with the position of every segment that holds, or would hold, datoms of d's fact
 * (`fact` compares e, a and v only): the first segment whose greatest datom is at or after it, and
 * the ones after while their greatest datom is of the same fact (history holds several per fact).
 * The last segment takes everything beyond the greatest datom listed.
 */
export function segmentsOf(refs: readonly SegmentRef[], d: Datom, fact: (x: Datom, y: Datom) => number, mark: (at: number) => void): void {
  if (refs.length === 0) return;
  let lo = 0;
  let hi = refs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (fact(refs[mid]!.last, d) < 0) lo = mid + 1;
    else hi = mid;
  }
  mark(lo);
  while (lo + 1 < refs.length && fact(refs[lo]!.last, d) === 0) mark(++lo);
}
