// The sort orders of the four indexes. `key` orders live datoms by their components alone (a live
// index holds each e/a/v at most once); `full` adds tx and added, for history where one fact can
// be asserted and retracted many times. `prefix` compares a datom's first n components to a search key.
import type { Datom, IndexName } from '../types.js';
import { compareValues } from '../values/order.js';

export interface IndexOrder {
  readonly name: IndexName;
  readonly key: (x: Datom, y: Datom) => number;
  readonly full: (x: Datom, y: Datom) => number;
  readonly prefix: (d: Datom, k: readonly unknown[], n: number) => number;
}

function withTx(key: (x: Datom, y: Datom) => number): (x: Datom, y: Datom) => number {
  return (x, y) => {
    const c = key(x, y);
    if (c !== 0) return c;
    if (x.tx !== y.tx) return x.tx - y.tx;
    return x.added === y.added ? 0 : x.added ? 1 : -1;
  };
}

function num(x: unknown): number {
  return x as number;
}

const eavtKey = (x: Datom, y: Datom): number => x.e - y.e || x.a - y.a || compareValues(x.v, y.v);
const aevtKey = (x: Datom, y: Datom): number => x.a - y.a || x.e - y.e || compareValues(x.v, y.v);
const avetKey = (x: Datom, y: Datom): number => {
  if (x.a !== y.a) return x.a - y.a;
  return compareValues(x.v, y.v) || x.e - y.e;
};
const vaetKey = (x: Datom, y: Datom): number => (x.v as number) - (y.v as number) || x.a - y.a || x.e - y.e;

export const EAVT: IndexOrder = {
  name: 'eavt',
  key: eavtKey,
  full: withTx(eavtKey),
  prefix(d, k, n) {
    if (n === 0) return 0;
    let c = d.e - num(k[0]);
    if (c !== 0 || n === 1) return c;
    c = d.a - num(k[1]);
    if (c !== 0 || n === 2) return c;
    c = compareValues(d.v, k[2]);
    if (c !== 0 || n === 3) return c;
    return d.tx - num(k[3]);
  },
};

export const AEVT: IndexOrder = {
  name: 'aevt',
  key: aevtKey,
  full: withTx(aevtKey),
  prefix(d, k, n) {
    if (n === 0) return 0;
    let c = d.a - num(k[0]);
    if (c !== 0 || n === 1) return c;
    c = d.e - num(k[1]);
    if (c !== 0 || n === 2) return c;
    c = compareValues(d.v, k[2]);
    if (c !== 0 || n === 3) return c;
    return d.tx - num(k[3]);
  },
};

export const AVET: IndexOrder = {
  name: 'avet',
  key: avetKey,
  full: withTx(avetKey),
  prefix(d, k, n) {
    if (n === 0) return 0;
    let c = d.a - num(k[0]);
    if (c !== 0 || n === 1) return c;
    c = compareValues(d.v, k[1]);
    if (c !== 0 || n === 2) return c;
    c = d.e - num(k[2]);
    if (c !== 0 || n === 3) return c;
    return d.tx - num(k[3]);
  },
};

export const VAET: IndexOrder = {
  name: 'vaet',
  key: vaetKey,
  full: withTx(vaetKey),
  prefix(d, k, n) {
    if (n === 0) return 0;
    let c = (d.v as number) - num(k[0]);
    if (c !== 0 || n === 1) return c;
    c = d.a - num(k[1]);
    if (c !== 0 || n === 2) return c;
    c = d.e - num(k[2]);
    if (c !== 0 || n === 3) return c;
    return d.tx - num(k[3]);
  },
};

export const ORDERS: Readonly<Record<IndexName, IndexOrder>> = { eavt: EAVT, aevt: AEVT, avet: AVET, vaet: VAET };
