// Turning entity references (ids, idents, lookup refs) and attribute names into ids against a state.
import { Keyword } from '../edn-names.js';
import { AVET } from '../index/orders.js';
import { firstAtOrAfter } from '../index/btree.js';
import { PrefixBounds } from '../index/range.js';
import type { AttrInfo } from '../schema/schema.js';
import type { DbState } from './state.js';
import { coerceScalar } from '../values/coerce.js';
import type { Datom, EntityId } from '../types.js';

/** A Keyword for ':ns/name' strings and Keywords; undefined for anything else. */
export function asKeyword(x: unknown): Keyword | undefined {
  if (x instanceof Keyword) return x;
  if (typeof x === 'string' && x.length > 1 && x.charCodeAt(0) === 58) return Keyword.of(x);
  return undefined;
}

export function attrOf(state: DbState, ref: unknown): AttrInfo | undefined {
  if (typeof ref === 'number') return state.schema.attrs.get(ref);
  const k = asKeyword(ref);
  return k === undefined ? undefined : state.schema.attrByIdent(k);
}

/** The entity holding `value` for a unique attribute, in the live index. */
export function lookupUnique(state: DbState, attr: AttrInfo, value: unknown): EntityId | undefined {
  const bounds = new PrefixBounds(AVET, [attr.id, value]);
  const d: Datom | undefined = firstAtOrAfter(state.live.avet, bounds);
  return d !== undefined && !bounds.stop(d) ? d.e : undefined;
}

/** Resolves an id, ident or lookup ref; throws on malformed refs, undefined when nothing matches. */
export function resolveEntity(state: DbState, ref: unknown): EntityId | undefined {
  if (typeof ref === 'number') return ref;
  if (ref instanceof Keyword) return state.schema.idents.get(ref);
  if (Array.isArray(ref) && ref.length === 2) {
    const attr = attrOf(state, ref[0]);
    if (attr === undefined) throw new TypeError(`lookup ref ${String(ref[0])}: unknown attribute`);
    if (!attr.isUnique) throw new TypeError(`lookup ref: attribute ${attr.ident} is not unique`);
    const v = attr.isRef ? resolveEntity(state, ref[1]) : coerceScalarOrTuple(attr, ref[1]);
    return v === undefined ? undefined : lookupUnique(state, attr, v);
  }
  throw new TypeError(`not an entity reference (an id, an ident Keyword or a lookup ref [attr, value]): ${String(ref)}`);
}

function coerceScalarOrTuple(attr: AttrInfo, v: unknown): unknown {
  return attr.valueType === 'tuple' ? v : coerceScalar(attr.valueType, v, attr.ident.toString());
}
