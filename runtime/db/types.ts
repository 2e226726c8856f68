// The contracts between the parts of the datom store: the database value (db), transactions
// (transact), queries (query), pull, and durable storage (storage). Each part lives in its own folder
// and reaches the others only through these types.
import type { Keyword, Sym } from './edn-names.js';
import type { Decimal, Uuid } from './scalar-types.js';

/** Entity ids are non-negative safe integers; partition and t are encoded in them by the db. */
export type EntityId = number;

/** A value a datom can hold. A string is always a string: keywords, uuids and decimals are objects. */
export type Value =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Keyword
  | Uuid
  | Decimal
  | URL
  | Uint8Array
  | readonly Value[];

export interface Datom {
  readonly e: EntityId;
  readonly a: EntityId;
  readonly v: Value;
  /** Entity id of the transaction that asserted or retracted it. */
  readonly tx: EntityId;
  /** false for a retraction (seen in history databases and in transaction data). */
  readonly added: boolean;
}

export type IndexName = 'eavt' | 'aevt' | 'avet' | 'vaet';

/**
 * How to name an entity: its id, its ident keyword, or a lookup ref `[uniqueAttr, value]`.
 * A string is never an entity reference here (inside transaction data, a string in a ref position
 * is a tempid; that is the transaction's business, not the database's).
 */
export type EntityRef = EntityId | Keyword | readonly [Keyword | EntityId, Value];

export type ValueType =
  | 'string'
  | 'long'
  | 'double'
  | 'boolean'
  | 'instant'
  | 'uuid'
  | 'keyword'
  | 'ref'
  | 'bytes'
  | 'uri'
  | 'bigint'
  | 'decimal'
  | 'symbol'
  | 'tuple';

export interface Attribute {
  readonly id: EntityId;
  readonly ident: Keyword;
  readonly valueType: ValueType;
  readonly cardinality: 'one' | 'many';
  readonly unique?: 'identity' | 'value';
  readonly isComponent: boolean;
  readonly noHistory: boolean;
  readonly doc?: string;
  /** Composite tuple: the attributes it is made of. */
  readonly tupleAttrs?: readonly EntityId[];
  /** Homogeneous tuple element type. */
  readonly tupleType?: ValueType;
  /** Fixed (heterogeneous) tuple element types. */
  readonly tupleTypes?: readonly ValueType[];
}

/** A function a query or transaction may call by name; only allow-listed names resolve. */
export type IonFunction = (...args: never[]) => unknown;

export interface FunctionRegistry {
  /** undefined when the name is not on the allow list. */
  resolve(name: string): IonFunction | undefined;
}

/** An immutable database value. Every method is a pure read; nothing here ever changes. */
export interface Database {
  /** t of the most recent transaction this value includes. */
  readonly basisT: number;
  /** Set on values made by asOf. */
  readonly asOfT?: number;
  /** Set on values made by since. */
  readonly sinceT?: number;
  /** A history value sees every assertion and retraction, with `added` telling which. */
  readonly isHistory: boolean;
  readonly functions: FunctionRegistry;

  /** Datoms of an index whose leading components equal `components`, in index order. */
  datoms(index: IndexName, ...components: unknown[]): Iterable<Datom>;
  /** Datoms of an index from the first one at or after `components`, in index order, to the end. */
  seekDatoms(index: IndexName, ...components: unknown[]): Iterable<Datom>;
  /** AVET datoms of `attr` with start <= v < end (either bound open when undefined). */
  indexRange(attr: EntityRef, start?: Value, end?: Value): Iterable<Datom>;

  /** Resolves a reference to an id, undefined when nothing matches. */
  entid(ref: EntityRef): EntityId | undefined;
  ident(id: EntityId): Keyword | undefined;
  attribute(ref: EntityRef): Attribute | undefined;

  asOf(t: number | Date): Database;
  since(t: number | Date): Database;
  history(): Database;
}

/** A transaction function or query function is referenced by its allow-listed name. */
export type FunctionName = string | Sym;
