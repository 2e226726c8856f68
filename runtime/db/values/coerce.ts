// Checks a value against an attribute's value type. Nothing is converted between types (a string is
// never taken for a keyword); the one normalization is a long given as a bigint that fits in a safe
// integer, which becomes a number so that equal longs have one representation.
import { Keyword, Sym } from '../edn-names.js';
import { Decimal, Uuid } from '../scalar-types.js';
import type { AttrInfo } from '../schema/schema.js';
import type { Value, ValueType } from '../types.js';
import { describeType, show } from './show.js';

class ValueTypeError extends Error {}

export function coerceScalar(type: ValueType, v: unknown, what: string): Value {
  switch (type) {
    case 'string':
      if (typeof v === 'string') return v;
      break;
    case 'long':
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
      if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      break;
    case 'double':
      if (typeof v === 'number') {
        if (Number.isNaN(v)) throw new ValueTypeError(`${what} expects a double, got NaN (it has no place in the index order)`);
        return v;
      }
      break;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      break;
    case 'instant':
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) throw new ValueTypeError(`${what} expects an instant, got an invalid Date`);
        return v;
      }
      break;
    case 'uuid':
      if (v instanceof Uuid) return v;
      break;
    case 'keyword':
      if (v instanceof Keyword) return v;
      break;
    case 'bytes':
      if (v instanceof Uint8Array) return v;
      break;
    case 'uri':
      if (v instanceof URL) return v;
      break;
    case 'bigint':
      if (typeof v === 'bigint') return v;
      break;
    case 'decimal':
      if (v instanceof Decimal) return v;
      break;
    case 'symbol':
      if (v instanceof Sym) return v as unknown as Value;
      break;
    case 'ref':
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
      break;
    case 'tuple':
      break;
  }
  const hint = typeof v === 'string' && (type === 'keyword' || type === 'uuid' || type === 'decimal' || type === 'uri') ? ` (wrap it: a string is never taken for a ${type})` : '';
  throw new ValueTypeError(`${what} expects ${article(type)}, got ${describeType(v)} ${show(v, 60)}${hint}`);
}

function article(type: ValueType): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A ref element of a tuple (an entity reference the caller resolves) to its entity id or tempid. */
export type RefElement = (x: unknown, what: string) => unknown;

/** A value for a non-ref attribute; tuples element by element, ref elements through `refElement`. */
export function coerceValue(attr: AttrInfo, v: unknown, refElement?: RefElement): Value {
  const what = attr.ident.toString();
  if (attr.valueType !== 'tuple') return coerceScalar(attr.valueType, v, what);
  if (attr.tupleAttrs !== undefined) throw new ValueTypeError(`${what} is a composite tuple: the database maintains it from ${attr.tupleAttrs.length} attributes; assert those instead`);
  if (!Array.isArray(v)) throw new ValueTypeError(`${what} expects a tuple (an array), got ${describeType(v)} ${show(v, 60)}`);
  if (v.length < 2 || v.length > 8) throw new ValueTypeError(`${what} expects a tuple of 2 to 8 elements, got ${v.length}`);
  if (attr.tupleTypes !== undefined && v.length !== attr.tupleTypes.length)
    throw new ValueTypeError(`${what} expects a tuple of ${attr.tupleTypes.length} elements, got ${v.length}`);
  return v.map((x: unknown, i: number) => {
    if (x === null) return null;
    const type = attr.tupleType ?? attr.tupleTypes![i]!;
    const at = `${what} element ${i}`;
    return type === 'ref' && refElement !== undefined ? refElement(x, at) : coerceScalar(type, x, at);
  }) as unknown as Value;
}
