// Request headers arrive in two forms: a single-value map and, for REST and multi-value ALB, a
// multi-value map. Both become one map with lower-case names, repeated values joined the way HTTP
// folds them: `", "` in general, `"; "` for cookies (RFC 6265 sends one cookie header).

import { emptyMap } from './dict.js';

export type HeaderMap = Record<string, string>;

type SingleValueHeaders = { readonly [name: string]: string | undefined | null };
type MultiValueHeaders = { readonly [name: string]: readonly string[] | undefined | null };

function append(headers: HeaderMap, name: string, value: string): void {
  const existing = headers[name];
  headers[name] = existing === undefined ? value : existing + (name === 'cookie' ? '; ' : ', ') + value;
}

// Header names repeat from request to request and lower-casing them is most of the cost of reading
// headers, so lower-cased names are remembered, up to a bound (the names come from clients).
const lowerNames = new Map<string, string>();
const LOWER_NAMES_MAX = 2048;

export function lowerName(name: string): string {
  let lower = lowerNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerNames.size < LOWER_NAMES_MAX) lowerNames.set(name, lower);
  }
  return lower;
}

export function headersFromSingle(source: SingleValueHeaders | null | undefined): HeaderMap {
  const headers = emptyMap<string>();
  if (source == null) return headers;
  for (const name in source) {
    const value = source[name];
    if (value != null) append(headers, lowerName(name), value);
  }
  return headers;
}

export function headersFromMulti(source: MultiValueHeaders): HeaderMap {
  const headers = emptyMap<string>();
  for (const name in source) {
    const values = source[name];
    if (values == null) continue;
    const lower = lowerName(name);
    for (let i = 0; i < values.length; i++) append(headers, lower, values[i]!);
  }
  return headers;
}

/** Lattice sends each header as an array of values, older targets as a plain string. */
export function headersFromMixed(source: { readonly [name: string]: string | readonly string[] | undefined } | undefined): HeaderMap {
  const headers = emptyMap<string>();
  if (source == null) return headers;
  for (const name in source) {
    const value = source[name];
    if (value == null) continue;
    const lower = lowerName(name);
    if (typeof value === 'string') append(headers, lower, value);
    else for (let i = 0; i < value.length; i++) append(headers, lower, value[i]!);
  }
  return headers;
}

const SET_COOKIE = 'set-cookie';

/**
 * Distinct spellings of `set-cookie` for answers whose headers are a single-value map (ALB without
 * multi-value headers, VPC Lattice): header names are case-insensitive, so each spelling is a
 * separate key in the map and reaches the client as its own `Set-Cookie` line, never merged.
 */
export function setCookieSpellings(count: number): string[] {
  const letters = SET_COOKIE.replace('-', '').length;
  if (count > 2 ** letters) {
    throw new RangeError(`an answer in a single-value header map can carry at most ${2 ** letters} set-cookie headers, got ${count}`);
  }
  const spellings: string[] = [];
  for (let variant = 0; variant < count; variant++) {
    let spelled = '';
    let bit = 0;
    for (const char of SET_COOKIE) {
      if (char === '-') {
        spelled += char;
        continue;
      }
      spelled += variant & (1 << bit) ? char.toUpperCase() : char;
      bit++;
    }
    spellings.push(spelled);
  }
  return spellings;
}
