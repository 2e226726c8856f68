// Functions a query may call without an allow list: comparison, arithmetic, strings, regexes,
// collections and the database helpers (get-else, get-some, missing?). A function that gets a source
// argument (`$`) receives the Database in its place.
import { Keyword, Sym } from '../edn-names.js';
import type { Database, Value } from '../types.js';
import { Decimal } from '../scalar-types.js';
import { compareValues, valueEquals } from './values.js';
import { QueryError } from './errors.js';

type Fn = (...args: never[]) => unknown;

function num(x: unknown, fn: string): number | bigint {
  if (typeof x === 'number' || typeof x === 'bigint') return x;
  if (x instanceof Decimal) return Number(x.toString());
  throw new QueryError(`${fn}: not a number: ${String(x)}`);
}

/** Applies a binary numeric operator, staying in bigint when both sides are bigints. */
function arith(fn: string, op: (a: number, b: number) => number, bop: (a: bigint, b: bigint) => bigint) {
  return (...xs: unknown[]): number | bigint => {
    let acc = num(xs[0], fn);
    for (let i = 1; i < xs.length; i++) {
      const y = num(xs[i], fn);
      acc = typeof acc === 'bigint' && typeof y === 'bigint' ? bop(acc, y) : op(Number(acc), Number(y));
    }
    return acc;
  };
}

function chain(test: (c: number) => boolean) {
  return (...xs: unknown[]): boolean => {
    for (let i = 1; i < xs.length; i++) if (!test(compareValues(xs[i - 1], xs[i]))) return false;
    return true;
  };
}

function str(x: unknown): string {
  if (x === null || x === undefined) return '';
  return String(x);
}

function regex(x: unknown, fn: string): RegExp {
  if (x instanceof RegExp) return x;
  if (typeof x === 'string') return new RegExp(x);
  throw new QueryError(`${fn}: not a regular expression: ${String(x)}`);
}

function reResult(m: RegExpMatchArray | null): unknown {
  if (m === null) return null;
  return m.length === 1 ? m[0] : [...m].map((g) => g ?? null);
}

function attrValues(db: Database, e: unknown, attr: unknown): Value[] {
  const eid = typeof e === 'number' ? e : db.entid(e as Keyword);
  const aid = typeof attr === 'number' ? attr : db.entid(attr as Keyword);
  if (eid === undefined || aid === undefined) return [];
  const out: Value[] = [];
  for (const d of db.datoms('eavt', eid, aid)) out.push(d.v);
  return out;
}

function mod(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'bigint' && typeof b === 'bigint') return ((a % b) + b) % b;
  const x = Number(a);
  const y = Number(b);
  return ((x % y) + y) % y;
}

export const builtins: ReadonlyMap<string, Fn> = new Map<string, Fn>(
  Object.entries({
    '=': (...xs: unknown[]) => xs.every((x) => valueEquals(x, xs[0])),
    '==': (...xs: unknown[]) => xs.every((x) => valueEquals(x, xs[0])),
    'not=': (...xs: unknown[]) => !xs.every((x) => valueEquals(x, xs[0])),
    '!=': (...xs: unknown[]) => !xs.every((x) => valueEquals(x, xs[0])),
    '<': chain((c) => c < 0),
    '>': chain((c) => c > 0),
    '<=': chain((c) => c <= 0),
    '>=': chain((c) => c >= 0),
    '+': arith('+', (a, b) => a + b, (a, b) => a + b),
    '-': (...xs: unknown[]) => (xs.length === 1 ? arith('-', (a, b) => a - b, (a, b) => a - b)(0, xs[0]) : arith('-', (a, b) => a - b, (a, b) => a - b)(...xs)),
    '*': arith('*', (a, b) => a * b, (a, b) => a * b),
    '/': arith('/', (a, b) => a / b, (a, b) => a / b),
    quot: (a: unknown, b: unknown) => {
      const x = num(a, 'quot');
      const y = num(b, 'quot');
      return typeof x === 'bigint' && typeof y === 'bigint' ? x / y : Math.trunc(Number(x) / Number(y));
    },
    rem: (a: unknown, b: unknown) => {
      const x = num(a, 'rem');
      const y = num(b, 'rem');
      return typeof x === 'bigint' && typeof y === 'bigint' ? x % y : Number(x) % Number(y);
    },
    mod: (a: unknown, b: unknown) => mod(num(a, 'mod'), num(b, 'mod')),
    inc: (a: unknown) => arith('inc', (x, y) => x + y, (x, y) => x + y)(a, typeof a === 'bigint' ? 1n : 1),
    dec: (a: unknown) => arith('dec', (x, y) => x - y, (x, y) => x - y)(a, typeof a === 'bigint' ? 1n : 1),
    max: (...xs: unknown[]) => xs.reduce((a, b) => (compareValues(a, b) >= 0 ? a : b)),
    min: (...xs: unknown[]) => xs.reduce((a, b) => (compareValues(a, b) <= 0 ? a : b)),
    'zero?': (a: unknown) => Number(num(a, 'zero?')) === 0,
    'pos?': (a: unknown) => num(a, 'pos?') > 0,
    'neg?': (a: unknown) => num(a, 'neg?') < 0,
    'even?': (a: unknown) => mod(num(a, 'even?'), typeof a === 'bigint' ? 2n : 2) == 0,
    'odd?': (a: unknown) => mod(num(a, 'odd?'), typeof a === 'bigint' ? 2n : 2) != 0,
    compare: (a: unknown, b: unknown) => compareValues(a, b),
    identity: (a: unknown) => a,
    str: (...xs: unknown[]) => xs.map(str).join(''),
    subs: (s: unknown, start: unknown, end?: unknown) => String(s).slice(Number(start), end === undefined ? undefined : Number(end)),
    count: (x: unknown) => {
      if (typeof x === 'string' || Array.isArray(x)) return x.length;
      if (x instanceof Map || x instanceof Set) return x.size;
      if (x === null) return 0;
      throw new QueryError(`count: not countable: ${String(x)}`);
    },
    're-pattern': (s: unknown) => regex(s, 're-pattern'),
    're-find': (re: unknown, s: unknown) => reResult(String(s).match(regex(re, 're-find'))),
    're-matches': (re: unknown, s: unknown) => {
      const r = regex(re, 're-matches');
      return reResult(String(s).match(new RegExp(`^(?:${r.source})$`, r.flags)));
    },
    're-seq': (re: unknown, s: unknown) => {
      const r = regex(re, 're-seq');
      const all = [...String(s).matchAll(new RegExp(r.source, r.flags.includes('g') ? r.flags : `${r.flags}g`))];
      return all.length === 0 ? null : all.map((m) => reResult(m));
    },
    vector: (...xs: unknown[]) => xs,
    list: (...xs: unknown[]) => xs,
    tuple: (...xs: unknown[]) => xs,
    untuple: (xs: unknown) => xs,
    'hash-map': (...xs: unknown[]) => {
      const m = new Map<unknown, unknown>();
      for (let i = 0; i + 1 < xs.length; i += 2) m.set(xs[i], xs[i + 1]);
      return m;
    },
    'hash-set': (...xs: unknown[]) => new Set(xs),
    keyword: (a: unknown, b?: unknown) => Keyword.of(b === undefined ? String(a) : `${String(a)}/${String(b)}`),
    symbol: (a: unknown) => Sym.of(String(a)),
    name: (k: unknown) => (k instanceof Keyword ? k.name : k instanceof Sym ? k.name.slice(k.name.lastIndexOf('/') + 1) : String(k)),
    namespace: (k: unknown) => (k instanceof Keyword ? (k.ns ?? null) : null),
    ground: (x: unknown) => x,
    'identical?': (a: unknown, b: unknown) => a === b,
    'true?': (a: unknown) => a === true,
    'false?': (a: unknown) => a === false,
    'nil?': (a: unknown) => a === null || a === undefined,
    'some?': (a: unknown) => a !== null && a !== undefined,
    'string?': (a: unknown) => typeof a === 'string',
    'number?': (a: unknown) => typeof a === 'number' || typeof a === 'bigint',
    'keyword?': (a: unknown) => a instanceof Keyword,
    'empty?': (x: unknown) => x === null || (x as { length?: number; size?: number }).length === 0 || (x as { size?: number }).size === 0,
    not: (a: unknown) => a === null || a === false,
    'clojure.string/starts-with?': (s: unknown, p: unknown) => String(s).startsWith(String(p)),
    'clojure.string/ends-with?': (s: unknown, p: unknown) => String(s).endsWith(String(p)),
    'clojure.string/includes?': (s: unknown, p: unknown) => String(s).includes(String(p)),
    'clojure.string/blank?': (s: unknown) => s === null || String(s).trim() === '',
    'clojure.string/lower-case': (s: unknown) => String(s).toLowerCase(),
    'clojure.string/upper-case': (s: unknown) => String(s).toUpperCase(),
    'clojure.string/trim': (s: unknown) => String(s).trim(),
    'get-else': (db: Database, e: unknown, attr: unknown, dflt: unknown) => {
      if (dflt === null || dflt === undefined) throw new QueryError('get-else: nil default is not allowed');
      const a = db.attribute(attr as Keyword);
      if (a?.cardinality === 'many') throw new QueryError(`get-else: ${String(attr)} is cardinality many`);
      const vs = attrValues(db, e, attr);
      return vs.length > 0 ? vs[0] : dflt;
    },
    'get-some': (db: Database, e: unknown, ...attrs: unknown[]) => {
      for (const attr of attrs) {
        const vs = attrValues(db, e, attr);
        if (vs.length > 0) return [db.entid(attr as Keyword), vs[0]];
      }
      return null;
    },
    'missing?': (db: Database, e: unknown, attr: unknown) => attrValues(db, e, attr).length === 0,
  }),
);
