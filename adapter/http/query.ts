// Query strings. HTTP API v2 gives the raw string; REST gives parameter maps already decoded; ALB
// gives parameter maps left URL-encoded. Each becomes both the raw `queryString` and the parsed `query`.
import { emptyMap } from './dict.js';

type QueryMap = Record<string, string | string[]>;

type SingleValueParams = { readonly [key: string]: string | undefined | null };
type MultiValueParams = { readonly [key: string]: readonly string[] | undefined | null };

function add(query: QueryMap, key: string, value: string): void {
  const existing = query[key];
  if (existing === undefined) query[key] = value;
  else if (typeof existing === 'string') query[key] = [existing, value];
  else existing.push(value);
}

/** Form decoding: `+` is a space; malformed percent escapes are kept as they came. */
function decodeFormComponent(raw: string): string {
  const spaced = raw.indexOf('+') === -1 ? raw : raw.replaceAll('+', ' ');
  if (spaced.indexOf('%') === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

// An app sees the same few parameter names over and over. A fresh key string costs a slice and, once
// used as a property name, V8 interning it; a key recognised in place, without slicing, costs neither.
// Slots are picked by length and end characters; a collision only replaces the slot's entry. Only
// short keys are remembered: V8 makes a longer slice a view into the whole query string, which the
// slot would then keep alive.
const KEY_SLOTS = 256;
const KEY_MAX_LENGTH = 12;
const rawKeys: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
const decodedKeys: string[] = new Array<string>(KEY_SLOTS).fill('');

function queryKey(raw: string, start: number, end: number, plain: boolean): string {
  const length = end - start;
  if (length === 0 || length > KEY_MAX_LENGTH) return plain ? raw.slice(start, end) : decodeFormComponent(raw.slice(start, end));
  const slot = (length * 31 + raw.charCodeAt(start) * 7 + raw.charCodeAt(end - 1)) & (KEY_SLOTS - 1);
  const known = rawKeys[slot];
  if (known !== undefined && known.length === length && raw.startsWith(known, start)) return decodedKeys[slot]!;
  const rawKey = raw.slice(start, end);
  const key = plain ? rawKey : decodeFormComponent(rawKey);
  rawKeys[slot] = rawKey;
  decodedKeys[slot] = key;
  return key;
}

export function parseQueryString(raw: string | undefined): QueryMap {
  const query = emptyMap<string | string[]>();
  if (!raw) return query;
  // Most query strings need no decoding at all; checking once spares a check per component.
  const plain = raw.indexOf('%') === -1 && raw.indexOf('+') === -1;
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end === -1) end = raw.length;
    if (end > start) {
      const equals = raw.indexOf('=', start);
      const hasValue = equals !== -1 && equals < end;
      const key = queryKey(raw, start, hasValue ? equals : end, plain);
      const value = hasValue ? raw.slice(equals + 1, end) : '';
      add(query, key, plain ? value : decodeFormComponent(value));
    }
    start = end + 1;
  }
  return query;
}

function encodedPair(key: string, value: string, decoded: boolean): string {
  return decoded ? encodeURIComponent(key) + '=' + encodeURIComponent(value) : key + '=' + value;
}

/** `decoded`: whether the gateway already decoded the parameters (API Gateway, Lattice) or not (ALB). */
export function queryFromParams(
  single: SingleValueParams | null | undefined,
  multi: MultiValueParams | null | undefined,
  decoded: boolean,
): { query: QueryMap; queryString: string | undefined } {
  const query = emptyMap<string | string[]>();
  let queryString = '';
  if (multi != null) {
    for (const key in multi) {
      const values = multi[key];
      if (values == null) continue;
      const name = decoded ? key : decodeFormComponent(key);
      for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        add(query, name, decoded ? value : decodeFormComponent(value));
        queryString += (queryString === '' ? '' : '&') + encodedPair(key, value, decoded);
      }
    }
  } else if (single != null) {
    for (const key in single) {
      const value = single[key];
      if (value == null) continue;
      add(query, decoded ? key : decodeFormComponent(key), decoded ? value : decodeFormComponent(value));
      queryString += (queryString === '' ? '' : '&') + encodedPair(key, value, decoded);
    }
  }
  return { query, queryString: queryString === '' ? undefined : queryString };
}
