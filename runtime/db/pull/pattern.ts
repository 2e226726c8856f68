// Pull patterns, as Datomic writes them, from EDN data (Keyword, Sym, arrays, Maps) or plain
// TypeScript data (':ns/name' strings, arrays, objects):
//   '*'                                 every attribute (components pulled whole)
//   ':person/name'   kw(...)            one attribute; ':db/id' the entity id
//   ':person/_friends'                  a ref walked backwards
//   [':attr', ':as', 'x', ':limit', 5, ':default', 0]   attribute with options (`:limit null` = all)
//   { attr: ':attr', as: 'x', limit: 5, default: 0, pattern?: [...], recurse?: 3 | '...' }
//                                       the same options as an object (Datomic's option map, spelled out)
//   { ':person/friends': [...] }  or a Map with Keyword (or [attr, options...]) keys
//                                       a nested pattern for a ref; '...' or a number recurses instead
//   legacy [sym('limit'), ':attr', 5] and [sym('default'), ':attr', 0]
import { Keyword, Sym } from '../edn-names.js';
import { asKeyword } from '../db/resolve-ref.js';
import { show } from '../values/show.js';

const DEFAULT_LIMIT = 1000;

export interface AttrSpec {
  /** The forward attribute. */
  readonly ident: Keyword;
  readonly reverse: boolean;
  /** The result key. */
  readonly key: string;
  /** undefined for no limit. */
  readonly limit: number | undefined;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  readonly sub: ParsedPattern | undefined;
  /** Recursion: depth bound, Infinity for `...`; undefined when not recursive. */
  readonly recurse: number | undefined;
}

export interface ParsedPattern {
  readonly wildcard: boolean;
  readonly dbId: boolean;
  /** The key ':db/id' appears under (it can be renamed with :as). */
  readonly dbIdKey: string;
  readonly attrs: readonly AttrSpec[];
}

export type PullPattern = readonly unknown[] | string;

export class PullPatternError extends TypeError {}

function fail(message: string): never {
  throw new PullPatternError(message);
}

const cache = new WeakMap<object, ParsedPattern>();

export function parsePattern(pattern: unknown): ParsedPattern {
  if (typeof pattern === 'string') pattern = [pattern];
  if (!Array.isArray(pattern)) fail(`a pull pattern is an array, got ${show(pattern, 80)}`);
  let parsed = cache.get(pattern);
  if (parsed === undefined) {
    parsed = parseElements(pattern);
    cache.set(pattern, parsed);
  }
  return parsed;
}

interface Options {
  key?: string;
  limit?: number | undefined;
  hasLimit?: boolean;
  hasDefault?: boolean;
  defaultValue?: unknown;
}

function parseElements(elements: readonly unknown[]): ParsedPattern {
  let wildcard = false;
  let dbId = false;
  let dbIdKey = ':db/id';
  const attrs: AttrSpec[] = [];
  const addAttr = (name: unknown, options: Options, nested: unknown, where: unknown): void => {
    const ident = asKeyword(name);
    if (ident === undefined) fail(`pull: expected an attribute (':ns/name' or a Keyword), got ${show(name, 60)} in ${show(where, 80)}`);
    if (ident.toString() === ':db/id') {
      dbId = true;
      dbIdKey = options.key ?? dbIdKey;
      return;
    }
    attrs.push(makeSpec(ident, options, nested, where));
  };
  for (const el of elements) {
    if (el === '*' || (el instanceof Sym && el.name === '*')) wildcard = true;
    else if (typeof el === 'string' || el instanceof Keyword) addAttr(el, {}, undefined, el);
    else if (Array.isArray(el)) {
      const [name, options] = attrWithOptions(el);
      addAttr(name, options, undefined, el);
    } else if (el instanceof Map) {
      for (const [k, v] of el) {
        const [name, options] = Array.isArray(k) ? attrWithOptions(k) : [k, {}];
        addAttr(name, options, v, el);
      }
    } else if (el !== null && typeof el === 'object') {
      const obj = el as Record<string, unknown>;
      if ('attr' in obj) {
        const known = new Set(['attr', 'as', 'limit', 'default', 'pattern', 'recurse']);
        for (const k of Object.keys(obj)) if (!known.has(k)) fail(`pull: unknown option ${JSON.stringify(k)} in ${show(el, 80)} (attr, as, limit, default, pattern, recurse)`);
        const options: Options = {};
        if ('as' in obj) options.key = keyOf(obj.as);
        if ('limit' in obj) setLimit(options, obj.limit, el);
        if ('default' in obj) setDefault(options, obj.default);
        if ('pattern' in obj && 'recurse' in obj) fail(`pull: give pattern or recurse, not both, in ${show(el, 80)}`);
        addAttr(obj.attr, options, obj.pattern ?? obj.recurse, el);
      } else for (const [k, v] of Object.entries(obj)) addAttr(k, {}, v, el);
    } else fail(`pull: unexpected pattern element ${show(el, 80)}`);
  }
  return { wildcard, dbId, dbIdKey, attrs };
}

function makeSpec(ident: Keyword, options: Options, nested: unknown, where: unknown): AttrSpec {
  const reverse = ident.name.startsWith('_') && ident.name.length > 1;
  const forward = reverse ? Keyword.of(`${ident.ns === undefined ? '' : `${ident.ns}/`}${ident.name.slice(1)}`) : ident;
  let sub: ParsedPattern | undefined;
  let recurse: number | undefined;
  if (nested === '...' || (nested instanceof Sym && nested.name === '...')) recurse = Infinity;
  else if (typeof nested === 'number') {
    if (!Number.isInteger(nested) || nested < 0) fail(`pull: recursion depth must be a non-negative integer, got ${nested} in ${show(where, 80)}`);
    recurse = nested;
  } else if (nested !== undefined) sub = parsePattern(nested);
  return {
    ident: forward,
    reverse,
    key: options.key ?? ident.toString(),
    limit: options.hasLimit ? options.limit : DEFAULT_LIMIT,
    hasDefault: options.hasDefault ?? false,
    defaultValue: options.defaultValue,
    sub,
    recurse,
  };
}

function keyOf(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x instanceof Keyword || x instanceof Sym) return x.toString();
  fail(`pull: :as takes a string or a Keyword, got ${show(x, 60)}`);
}

function setLimit(options: Options, x: unknown, where: unknown): void {
  if (x !== null && (typeof x !== 'number' || !Number.isInteger(x) || x < 0)) fail(`pull: :limit takes a non-negative integer or null, got ${show(x, 60)} in ${show(where, 80)}`);
  options.hasLimit = true;
  options.limit = x === null ? undefined : x;
}

function setDefault(options: Options, x: unknown): void {
  options.hasDefault = true;
  options.defaultValue = x;
}

// [attr, :opt, value, ...] or the legacy (limit attr n) / (default attr value).
function attrWithOptions(el: readonly unknown[]): [unknown, Options] {
  const head = el[0];
  const options: Options = {};
  if (head instanceof Sym && (head.name === 'limit' || head.name === 'default')) {
    if (el.length !== 3) fail(`pull: (${head.name} attr value) takes 2 arguments, got ${show(el, 80)}`);
    if (head.name === 'limit') setLimit(options, el[2], el);
    else setDefault(options, el[2]);
    return [el[1], options];
  }
  if (el.length % 2 !== 1) fail(`pull: attribute options come in pairs after the attribute, got ${show(el, 80)}`);
  for (let i = 1; i < el.length; i += 2) {
    const name = asKeyword(el[i])?.toString();
    if (name === ':as') options.key = keyOf(el[i + 1]);
    else if (name === ':limit') setLimit(options, el[i + 1], el);
    else if (name === ':default') setDefault(options, el[i + 1]);
    else fail(`pull: unknown attribute option ${show(el[i], 60)} in ${show(el, 80)} (:as, :limit, :default)`);
  }
  return [head, options];
}
