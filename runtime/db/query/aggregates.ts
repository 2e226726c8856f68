// Aggregate functions of :find, each over the bag of one variable's values in a group.
import { compareValues, keyOf } from './values.js';
import { QueryError } from './errors.js';

export type Aggregate = (values: unknown[], ...params: unknown[]) => unknown;

function sum(values: unknown[]): number | bigint {
  let total: number | bigint = 0;
  for (const v of values) {
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new QueryError(`sum: not a number: ${String(v)}`);
    total = typeof total === 'bigint' && typeof v === 'bigint' ? total + v : Number(total) + Number(v);
  }
  return total;
}

function variance(values: unknown[]): number {
  const xs = values.map(Number);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - mean) * (x - mean), 0) / xs.length;
}

function sorted(values: unknown[]): unknown[] {
  return [...values].sort(compareValues);
}

function distinct(values: unknown[]): unknown[] {
  const seen = new Map<unknown, unknown>();
  for (const v of values) if (!seen.has(keyOf(v))) seen.set(keyOf(v), v);
  return [...seen.values()];
}

function count(n: unknown, name: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new QueryError(`${name}: n must be a non-negative integer, got ${String(n)}`);
  return n;
}

function shuffled(values: unknown[]): unknown[] {
  const xs = [...values];
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

export const aggregates: ReadonlyMap<string, Aggregate> = new Map<string, Aggregate>(
  Object.entries({
    count: (vs: unknown[]) => vs.length,
    'count-distinct': (vs: unknown[]) => distinct(vs).length,
    distinct: (vs: unknown[]) => distinct(vs),
    sum,
    avg: (vs: unknown[]) => Number(sum(vs)) / vs.length,
    median: (vs: unknown[]) => {
      const xs = sorted(vs).map(Number);
      const mid = xs.length >> 1;
      return xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1]! + xs[mid]!) / 2;
    },
    variance,
    stddev: (vs: unknown[]) => Math.sqrt(variance(vs)),
    min: (vs: unknown[], n?: unknown) => (n === undefined ? vs.reduce((a, b) => (compareValues(a, b) <= 0 ? a : b)) : sorted(vs).slice(0, count(n, 'min'))),
    max: (vs: unknown[], n?: unknown) =>
      n === undefined ? vs.reduce((a, b) => (compareValues(a, b) >= 0 ? a : b)) : sorted(vs).reverse().slice(0, count(n, 'max')),
    rand: (vs: unknown[], n?: unknown) =>
      n === undefined ? vs[Math.floor(Math.random() * vs.length)] : Array.from({ length: count(n, 'rand') }, () => vs[Math.floor(Math.random() * vs.length)]),
    sample: (vs: unknown[], n?: unknown) => shuffled(distinct(vs)).slice(0, count(n ?? 1, 'sample')),
  }),
);
