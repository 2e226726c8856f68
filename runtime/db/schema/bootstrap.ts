// The built-in attributes and idents every database starts with, asserted by transaction t = 0.
import { StoredDatom } from '../datom.js';
import { Keyword, kw } from '../edn-names.js';
import { tToTx } from '../ids.js';
import type { Datom, ValueType } from '../types.js';

export const DB_IDENT = 1;
export const DB_VALUE_TYPE = 2;
export const DB_CARDINALITY = 3;
export const DB_UNIQUE = 4;
export const DB_IS_COMPONENT = 5;
export const DB_NO_HISTORY = 6;
export const DB_DOC = 7;
export const DB_TUPLE_ATTRS = 8;
export const DB_TUPLE_TYPE = 9;
export const DB_TUPLE_TYPES = 10;
/** The attributes with ids up to this one define schema: a change to one means re-reading the schema. */
export const LAST_SCHEMA_ATTR = DB_TUPLE_TYPES;
export const DB_TX_INSTANT = 11;

const TYPE_IDENTS: readonly (readonly [number, ValueType, string])[] = [
  [20, 'string', ':db.type/string'],
  [21, 'long', ':db.type/long'],
  [22, 'double', ':db.type/double'],
  [23, 'boolean', ':db.type/boolean'],
  [24, 'instant', ':db.type/instant'],
  [25, 'uuid', ':db.type/uuid'],
  [26, 'keyword', ':db.type/keyword'],
  [27, 'ref', ':db.type/ref'],
  [28, 'bytes', ':db.type/bytes'],
  [29, 'uri', ':db.type/uri'],
  [30, 'bigint', ':db.type/bigint'],
  [31, 'decimal', ':db.type/bigdec'],
  [32, 'symbol', ':db.type/symbol'],
  [33, 'tuple', ':db.type/tuple'],
];

export const CARDINALITY_ONE = 40;
export const CARDINALITY_MANY = 41;
export const UNIQUE_IDENTITY = 42;
export const UNIQUE_VALUE = 43;

export const VALUE_TYPE_BY_IDENT: ReadonlyMap<Keyword, ValueType> = new Map(TYPE_IDENTS.map(([, t, ident]) => [kw(ident), t]));
export const VALUE_TYPE_ID: Readonly<Record<ValueType, number>> = Object.fromEntries(TYPE_IDENTS.map(([id, t]) => [t, id])) as Record<ValueType, number>;

interface BuiltinAttr {
  readonly id: number;
  readonly ident: string;
  readonly type: ValueType;
  readonly unique?: number;
  readonly tupleType?: string;
  readonly doc: string;
}

const ATTRS: readonly BuiltinAttr[] = [
  { id: DB_IDENT, ident: ':db/ident', type: 'keyword', unique: UNIQUE_IDENTITY, doc: 'The keyword naming an entity.' },
  { id: DB_VALUE_TYPE, ident: ':db/valueType', type: 'ref', doc: "An attribute's value type." },
  { id: DB_CARDINALITY, ident: ':db/cardinality', type: 'ref', doc: 'One value or many.' },
  { id: DB_UNIQUE, ident: ':db/unique', type: 'ref', doc: 'Unique identity or unique value.' },
  { id: DB_IS_COMPONENT, ident: ':db/isComponent', type: 'boolean', doc: 'A ref attribute whose values belong to their entity.' },
  { id: DB_NO_HISTORY, ident: ':db/noHistory', type: 'boolean', doc: 'Retracted values are not kept.' },
  { id: DB_DOC, ident: ':db/doc', type: 'string', doc: 'Documentation.' },
  { id: DB_TX_INSTANT, ident: ':db/txInstant', type: 'instant', doc: 'When a transaction happened.' },
  { id: DB_TUPLE_ATTRS, ident: ':db/tupleAttrs', type: 'tuple', tupleType: ':db.type/keyword', doc: 'The attributes a composite tuple is made of.' },
  { id: DB_TUPLE_TYPE, ident: ':db/tupleType', type: 'keyword', doc: 'The element type of a homogeneous tuple.' },
  { id: DB_TUPLE_TYPES, ident: ':db/tupleTypes', type: 'tuple', tupleType: ':db.type/keyword', doc: 'The element types of a fixed tuple.' },
];

export const BOOTSTRAP_TX = tToTx(0);

export function bootstrapDatoms(): Datom[] {
  const tx = BOOTSTRAP_TX;
  const out: Datom[] = [];
  const add = (e: number, a: number, v: Datom['v']): void => {
    out.push(new StoredDatom(e, a, v, tx, true));
  };
  for (const attr of ATTRS) {
    add(attr.id, DB_IDENT, kw(attr.ident));
    add(attr.id, DB_VALUE_TYPE, VALUE_TYPE_ID[attr.type]);
    add(attr.id, DB_CARDINALITY, CARDINALITY_ONE);
    if (attr.unique !== undefined) add(attr.id, DB_UNIQUE, attr.unique);
    if (attr.tupleType !== undefined) add(attr.id, DB_TUPLE_TYPE, kw(attr.tupleType));
    add(attr.id, DB_DOC, attr.doc);
  }
  for (const [id, , ident] of TYPE_IDENTS) add(id, DB_IDENT, kw(ident));
  add(CARDINALITY_ONE, DB_IDENT, kw(':db.cardinality/one'));
  add(CARDINALITY_MANY, DB_IDENT, kw(':db.cardinality/many'));
  add(UNIQUE_IDENTITY, DB_IDENT, kw(':db.unique/identity'));
  add(UNIQUE_VALUE, DB_IDENT, kw(':db.unique/value'));
  add(tx, DB_TX_INSTANT, new Date(0));
  return out;
}
