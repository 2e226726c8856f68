// The schema of a database value, read from the datoms of attribute entities. Immutable: a
// transaction that changes schema makes a new Schema (copying the maps once).
import { Keyword } from '../edn-names.js';
import { FIRST_USER_ID } from '../ids.js';
import type { Attribute, Datom, EntityId, ValueType } from '../types.js';
import {
  CARDINALITY_MANY,
  CARDINALITY_ONE,
  DB_CARDINALITY,
  DB_DOC,
  DB_IDENT,
  DB_IS_COMPONENT,
  DB_NO_HISTORY,
  DB_TUPLE_ATTRS,
  DB_TUPLE_TYPE,
  DB_TUPLE_TYPES,
  DB_UNIQUE,
  DB_VALUE_TYPE,
  UNIQUE_IDENTITY,
  UNIQUE_VALUE,
  VALUE_TYPE_BY_IDENT,
  VALUE_TYPE_ID,
} from './bootstrap.js';

const VALUE_TYPE_OF_ID = new Map<number, ValueType>(Object.entries(VALUE_TYPE_ID).map(([t, id]) => [id, t as ValueType]));

/** An attribute with the flags the hot paths test, precomputed. */
export class AttrInfo implements Attribute {
  readonly isRef: boolean;
  readonly isMany: boolean;
  readonly isIdentity: boolean;
  readonly isUnique: boolean;
  /** ':ns/name', the key pull and entities use. */
  readonly key: string;

  constructor(
    readonly id: EntityId,
    readonly ident: Keyword,
    readonly valueType: ValueType,
    readonly cardinality: 'one' | 'many',
    readonly unique: 'identity' | 'value' | undefined,
    readonly isComponent: boolean,
    readonly noHistory: boolean,
    readonly doc: string | undefined,
    readonly tupleAttrs: readonly EntityId[] | undefined,
    readonly tupleType: ValueType | undefined,
    readonly tupleTypes: readonly ValueType[] | undefined,
  ) {
    this.isRef = valueType === 'ref';
    this.isMany = cardinality === 'many';
    this.isIdentity = unique === 'identity';
    this.isUnique = unique !== undefined;
    this.key = ident.toString();
  }
}

function sameBesidesDoc(x: AttrInfo, y: AttrInfo): boolean {
  const same = (p: readonly unknown[] | undefined, q: readonly unknown[] | undefined): boolean => p === q || (p !== undefined && q !== undefined && p.length === q.length && p.every((v, i) => v === q[i]));
  return (
    x.ident === y.ident &&
    x.valueType === y.valueType &&
    x.cardinality === y.cardinality &&
    x.unique === y.unique &&
    x.isComponent === y.isComponent &&
    x.noHistory === y.noHistory &&
    same(x.tupleAttrs, y.tupleAttrs) &&
    x.tupleType === y.tupleType &&
    same(x.tupleTypes, y.tupleTypes)
  );
}

export class Schema {
  constructor(
    readonly attrs: ReadonlyMap<EntityId, AttrInfo>,
    readonly idents: ReadonlyMap<Keyword, EntityId>,
    readonly identOf: ReadonlyMap<EntityId, Keyword>,
    /** For each attribute, the composite tuple attributes that include it. */
    readonly tuplesOf: ReadonlyMap<EntityId, readonly AttrInfo[]>,
  ) {}

  attrByIdent(ident: Keyword): AttrInfo | undefined {
    const id = this.idents.get(ident);
    return id === undefined ? undefined : this.attrs.get(id);
  }

  /** The schema after the entities `changed` now have the live datoms `datomsOf(e)`. */
  update(changed: Iterable<EntityId>, datomsOf: (e: EntityId) => readonly Datom[]): Schema {
    const attrs = new Map(this.attrs);
    const idents = new Map(this.idents);
    const identOf = new Map(this.identOf);
    const ids = [...changed];
    for (const e of ids) {
      const old = identOf.get(e);
      if (old !== undefined && idents.get(old) === e) idents.delete(old);
      identOf.delete(e);
      const ident = datomsOf(e).find((d) => d.a === DB_IDENT)?.v;
      if (e < FIRST_USER_ID && old !== undefined && ident !== old) throw new Error(`built-in ident ${old} cannot be renamed or retracted`);
      if (ident instanceof Keyword) {
        const holder = idents.get(ident);
        if (holder !== undefined && holder !== e) throw new Error(`ident ${ident} already names entity ${holder}`);
        idents.set(ident, e);
        identOf.set(e, ident);
      }
    }
    for (const e of ids) {
      const before = attrs.get(e);
      const after = readAttribute(e, datomsOf(e), idents);
      if (before !== undefined && after === undefined) throw new Error(`attribute ${before.ident} cannot lose its :db/ident, :db/valueType or :db/cardinality`);
      // The store relies on the built-ins as they are (:db/txInstant, for one, is indexed apart).
      if (e < FIRST_USER_ID && before !== undefined && !sameBesidesDoc(before, after!)) throw new Error(`built-in attribute ${before.ident} cannot be altered, only documented`);
      if (before !== undefined && after !== undefined && before.valueType !== after.valueType)
        throw new Error(`attribute ${before.ident} cannot change its :db/valueType from ${before.valueType} to ${after.valueType}`);
      if (after === undefined) attrs.delete(e);
      else attrs.set(e, after);
    }
    return new Schema(attrs, idents, identOf, tuplesIndex(attrs));
  }

  static fromDatoms(datoms: Iterable<Datom>): Schema {
    const byEntity = new Map<EntityId, Datom[]>();
    for (const d of datoms) {
      if (d.a > DB_TUPLE_TYPES) continue;
      let list = byEntity.get(d.e);
      if (list === undefined) byEntity.set(d.e, (list = []));
      list.push(d);
    }
    return new Schema(new Map(), new Map(), new Map(), new Map()).update(byEntity.keys(), (e) => byEntity.get(e) ?? []);
  }
}

function tuplesIndex(attrs: ReadonlyMap<EntityId, AttrInfo>): Map<EntityId, AttrInfo[]> {
  const out = new Map<EntityId, AttrInfo[]>();
  for (const attr of attrs.values()) {
    for (const part of attr.tupleAttrs ?? []) {
      let list = out.get(part);
      if (list === undefined) out.set(part, (list = []));
      list.push(attr);
    }
  }
  return out;
}

function typeOfKeyword(v: unknown, ident: Keyword, what: string): ValueType {
  const t = v instanceof Keyword ? VALUE_TYPE_BY_IDENT.get(v) : undefined;
  if (t === undefined || t === 'tuple') throw new Error(`attribute ${ident}: ${what} must be a value type keyword like :db.type/long, got ${String(v)}`);
  return t;
}

// undefined when e is not an attribute (no ident, value type and cardinality); an error when it is
// half of one.
function readAttribute(e: EntityId, datoms: readonly Datom[], idents: ReadonlyMap<Keyword, EntityId>): AttrInfo | undefined {
  let ident: Keyword | undefined;
  let valueType: ValueType | undefined;
  let cardinality: 'one' | 'many' | undefined;
  let unique: 'identity' | 'value' | undefined;
  let isComponent = false;
  let noHistory = false;
  let doc: string | undefined;
  let tupleAttrsRaw: unknown;
  let tupleTypeRaw: unknown;
  let tupleTypesRaw: unknown;
  for (const d of datoms) {
    switch (d.a) {
      case DB_IDENT:
        ident = d.v as Keyword;
        break;
      case DB_VALUE_TYPE:
        valueType = VALUE_TYPE_OF_ID.get(d.v as number);
        if (valueType === undefined) throw new Error(`entity ${e}: :db/valueType must be a :db.type/* ident, got entity ${String(d.v)}`);
        break;
      case DB_CARDINALITY:
        if (d.v === CARDINALITY_ONE) cardinality = 'one';
        else if (d.v === CARDINALITY_MANY) cardinality = 'many';
        else throw new Error(`entity ${e}: :db/cardinality must be :db.cardinality/one or :db.cardinality/many`);
        break;
      case DB_UNIQUE:
        if (d.v === UNIQUE_IDENTITY) unique = 'identity';
        else if (d.v === UNIQUE_VALUE) unique = 'value';
        else throw new Error(`entity ${e}: :db/unique must be :db.unique/identity or :db.unique/value`);
        break;
      case DB_IS_COMPONENT:
        isComponent = d.v === true;
        break;
      case DB_NO_HISTORY:
        noHistory = d.v === true;
        break;
      case DB_DOC:
        doc = d.v as string;
        break;
      case DB_TUPLE_ATTRS:
        tupleAttrsRaw = d.v;
        break;
      case DB_TUPLE_TYPE:
        tupleTypeRaw = d.v;
        break;
      case DB_TUPLE_TYPES:
        tupleTypesRaw = d.v;
        break;
    }
  }
  const name = ident ?? `entity ${e}`;
  if (valueType === undefined && cardinality === undefined) return undefined;
  if (ident === undefined || valueType === undefined || cardinality === undefined)
    throw new Error(`attribute ${String(name)} needs :db/ident, :db/valueType and :db/cardinality together`);
  if (isComponent && valueType !== 'ref') throw new Error(`attribute ${ident}: :db/isComponent needs :db.type/ref`);
  let tupleAttrs: EntityId[] | undefined;
  let tupleType: ValueType | undefined;
  let tupleTypes: ValueType[] | undefined;
  if (valueType === 'tuple') {
    const given = [tupleAttrsRaw, tupleTypeRaw, tupleTypesRaw].filter((x) => x !== undefined).length;
    if (given !== 1) throw new Error(`tuple attribute ${ident} needs exactly one of :db/tupleAttrs, :db/tupleType, :db/tupleTypes`);
    if (tupleAttrsRaw !== undefined) {
      tupleAttrs = (tupleAttrsRaw as readonly unknown[]).map((k) => {
        const id = k instanceof Keyword ? idents.get(k) : undefined;
        if (id === undefined) throw new Error(`tuple attribute ${ident}: :db/tupleAttrs names unknown attribute ${String(k)}`);
        return id;
      });
      if (tupleAttrs.length < 2) throw new Error(`tuple attribute ${ident}: :db/tupleAttrs needs at least 2 attributes`);
    } else if (tupleTypeRaw !== undefined) tupleType = typeOfKeyword(tupleTypeRaw, ident, ':db/tupleType');
    else tupleTypes = (tupleTypesRaw as readonly unknown[]).map((k) => typeOfKeyword(k, ident, 'each of :db/tupleTypes'));
  } else if (tupleAttrsRaw !== undefined || tupleTypeRaw !== undefined || tupleTypesRaw !== undefined) {
    throw new Error(`attribute ${ident}: tuple settings need :db/valueType :db.type/tuple`);
  }
  return new AttrInfo(e, ident, valueType, cardinality, unique, isComponent, noHistory, doc, tupleAttrs, tupleType, tupleTypes);
}
