// Two sorted sequences of datoms as one, in order; on a tie the first sequence's datom comes first.
import type { Datom } from '../types.js';

type Compare = (x: Datom, y: Datom) => number;

export function mergeArrays(xs: readonly Datom[], ys: readonly Datom[], cmp: Compare): Datom[] {
  const out = new Array<Datom>(xs.length + ys.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < xs.length && j < ys.length) out[k++] = cmp(xs[i]!, ys[j]!) <= 0 ? xs[i++]! : ys[j++]!;
  while (i < xs.length) out[k++] = xs[i++]!;
  while (j < ys.length) out[k++] = ys[j++]!;
  return out;
}

export function* mergeIterables(xs: Iterable<Datom>, ys: Iterable<Datom>, cmp: Compare): Generator<Datom> {
  const xi = xs[Symbol.iterator]();
  const yi = ys[Symbol.iterator]();
  let x = xi.next();
  let y = yi.next();
  while (!x.done && !y.done) {
    if (cmp(x.value, y.value) <= 0) {
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
