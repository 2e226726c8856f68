// Value identity and order for joins, predicates and aggregates. Joins hash on keyOf(value): equal
// values get the same key and values of different types never do, so a string can never join with a
// keyword, a date or a uuid that prints the same way.
import { Keyword, Sym } from '../edn-names.js';
import { Decimal, Uuid } from '../scalar-types.js';
import { printEdn } from '../edn/printer.js';

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
// Keys of object values are strings starting with \u0001 and a type letter; a user string that starts
// with \u0001 is escaped with another one, so the two families never meet.
const TAG = '\u0001';

export function keyOf(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      return value.charCodeAt(0) === 1 ? TAG + value : value;
    case 'bigint':
      return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : `${TAG}n${value}`;
    case 'object':
      if (value === null || value instanceof Keyword || value instanceof Sym) return value;
      return objectKey(value);
    default:
      return value;
  }
}

function objectKey(value: object): string {
  if (value instanceof Date) return `${TAG}d${value.getTime()}`;
  if (value instanceof Uuid) return `${TAG}u${value.text}`;
  if (value instanceof Decimal) return `${TAG}m${value.toString()}`;
  if (value instanceof URL) return `${TAG}l${value.href}`;
  if (value instanceof Uint8Array) return `${TAG}b${Buffer.from(value).toString('hex')}`;
  return `${TAG}t${printEdn(value)}`;
}

export function valueEquals(a: unknown, b: unknown): boolean {
  return a === b || keyOf(a) === keyOf(b);
}

function rank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  switch (typeof value) {
    case 'boolean':
      return 1;
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 4;
  }
  if (value instanceof Decimal) return 2;
  if (value instanceof Keyword) return 5;
  if (value instanceof Sym) return 6;
  if (value instanceof Date) return 7;
  if (value instanceof Uuid) return 8;
  if (Array.isArray(value)) return 9;
  return 10;
}

function toNumber(value: unknown): number | bigint {
  return value instanceof Decimal ? Number(value.toString()) : (value as number | bigint);
}

/** A total order: by type first, then by value within the type. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2: {
      if (a instanceof Decimal && b instanceof Decimal) return a.compare(b);
      const x = toNumber(a);
      const y = toNumber(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 4:
      return (a as string) < (b as string) ? -1 : 1;
    case 5:
    case 6: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 7:
      return Math.sign((a as Date).getTime() - (b as Date).getTime());
    case 9: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < x.length && i < y.length; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return Math.sign(x.length - y.length);
    }
    default: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}
