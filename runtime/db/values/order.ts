// The one total order over datom values that every index uses. Numbers and strings (the common
// cases) are compared before anything else is looked at; other types sort by a type rank first.
import { Keyword, Sym } from '../edn-names.js';
import { Decimal, Uuid } from '../scalar-types.js';

export function compareValues(x: unknown, y: unknown): number {
  if (x === y) return 0;
  const tx = typeof x;
  if (tx === typeof y && (tx === 'number' || tx === 'string')) return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
  return compareMixed(x, y);
}

export function valuesEqual(x: unknown, y: unknown): boolean {
  return x === y || (typeof x === 'object' && typeof y === 'object' && compareValues(x, y) === 0);
}

// null sorts first: tuples may hold it for a missing component.
function rank(v: unknown): number {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 1;
    case 'string':
      return 2;
    case 'boolean':
      return 3;
    case 'object':
      if (v === null) return 0;
      if (v instanceof Keyword) return 4;
      if (v instanceof Date) return 5;
      if (v instanceof Uuid) return 6;
      if (v instanceof Decimal) return 7;
      if (v instanceof URL) return 8;
      if (v instanceof Uint8Array) return 9;
      if (Array.isArray(v)) return 10;
      if (v instanceof Sym) return 11;
      break;
  }
  throw new TypeError(`not a datom value: ${String(v)}`);
}

function compareMixed(x: unknown, y: unknown): number {
  const rx = rank(x);
  const ry = rank(y);
  if (rx !== ry) return rx - ry;
  switch (rx) {
    case 0:
      return 0;
    case 1:
    case 2:
      // number against bigint compares numerically in JavaScript.
      return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
    case 3:
      return (x as boolean) === (y as boolean) ? 0 : x ? 1 : -1;
    case 4:
      return compareKeywords(x as Keyword, y as Keyword);
    case 5:
      return Math.sign((x as Date).getTime() - (y as Date).getTime());
    case 6:
      return compareStrings((x as Uuid).text, (y as Uuid).text);
    case 7:
      return (x as Decimal).compare(y as Decimal);
    case 8:
      return compareStrings((x as URL).href, (y as URL).href);
    case 9:
      return compareBytes(x as Uint8Array, y as Uint8Array);
    case 10:
      return compareTuples(x as readonly unknown[], y as readonly unknown[]);
    default:
      return compareStrings((x as Sym).name, (y as Sym).name);
  }
}

function compareStrings(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

// Like Datomic: namespace first (no namespace before any), then name.
function compareKeywords(x: Keyword, y: Keyword): number {
  if (x === y) return 0;
  if (x.ns !== y.ns) {
    if (x.ns === undefined) return -1;
    if (y.ns === undefined) return 1;
    return compareStrings(x.ns, y.ns);
  }
  return compareStrings(x.name, y.name);
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function compareTuples(x: readonly unknown[], y: readonly unknown[]): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(x[i], y[i]);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}
