// Prefix scans over one index root: the lazy Iterable the Database interface promises and the
// array-filling fast path. Bounds are small objects rather than closures so a scan allocates little.
import type { Datom } from '../types.js';
import { type Bounds, Cursor, indexAtOrAfter, leafAtOrAfter, type Node } from './btree.js';
import type { IndexOrder } from './orders.js';
import { AVET } from './orders.js';
import { compareValues } from '../values/order.js';

export type { Bounds } from './btree.js';

/** Datoms whose first components equal `components`. */
export class PrefixBounds implements Bounds<Datom> {
  private readonly n: number;

  constructor(
    private readonly order: IndexOrder,
    private readonly components: readonly unknown[],
  ) {
    this.n = components.length;
  }

  seek(d: Datom): number {
    return this.order.prefix(d, this.components, this.n);
  }

  stop(d: Datom): boolean {
    return this.order.prefix(d, this.components, this.n) > 0;
  }
}

/** From the first datom at or after `components`, to the end of the index. */
class SeekBounds extends PrefixBounds {
  override stop(): boolean {
    return false;
  }
}

/** AVET datoms of one attribute with start <= v < end. */
export class ValueRangeBounds implements Bounds<Datom> {
  private readonly key: unknown[];

  constructor(
    private readonly a: number,
    start: unknown,
    private readonly end: unknown,
  ) {
    this.key = start === undefined ? [a] : [a, start];
  }

  seek(d: Datom): number {
    return AVET.prefix(d, this.key, this.key.length);
  }

  stop(d: Datom): boolean {
    return d.a !== this.a || (this.end !== undefined && compareValues(d.v, this.end) >= 0);
  }
}

export function prefixBounds(order: IndexOrder, components: readonly unknown[]): Bounds<Datom> {
  return new PrefixBounds(order, components);
}

export function seekBounds(order: IndexOrder, components: readonly unknown[]): Bounds<Datom> {
  return new SeekBounds(order, components);
}

export function rangeArray(root: Node<Datom>, bounds: Bounds<Datom>): Datom[] {
  const out: Datom[] = [];
  // Most ranges a query asks for (one entity's attribute, one value) lie within one leaf: find it
  // without a cursor, and fall back to one only when the range runs past the leaf's end.
  const leaf = leafAtOrAfter(root, bounds);
  const keys = leaf.keys;
  for (let i = indexAtOrAfter(keys, bounds); i < keys.length; i++) {
    const d = keys[i]!;
    if (bounds.stop(d)) return out;
    out.push(d);
  }
  if (leaf !== root) {
    out.length = 0;
    new Cursor(root, bounds).drainInto(out, bounds);
  }
  return out;
}

class RangeIterator implements Iterator<Datom> {
  private readonly result: IteratorResult<Datom> = { value: undefined as unknown as Datom, done: false };

  constructor(
    private readonly cursor: Cursor<Datom>,
    private readonly bounds: Bounds<Datom>,
  ) {}

  next(): IteratorResult<Datom> {
    const d = this.cursor.next();
    if (d === undefined || this.bounds.stop(d)) return { value: undefined, done: true };
    (this.result as { value: Datom }).value = d;
    return this.result;
  }

  [Symbol.iterator](): Iterator<Datom> {
    return this;
  }
}

/** A lazy range; each iteration walks the tree afresh, so it can be iterated many times. */
export class DatomRange implements Iterable<Datom> {
  constructor(
    private readonly root: Node<Datom>,
    private readonly bounds: Bounds<Datom>,
  ) {}

  [Symbol.iterator](): Iterator<Datom> {
    return new RangeIterator(new Cursor(this.root, this.bounds), this.bounds);
  }
}
