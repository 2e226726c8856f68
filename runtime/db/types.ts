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

  /**
   * Same datoms as `datoms(index, ...components)`, collected into a fresh array (the caller may keep
   * or mutate it). The fast path for tight query loops: no iterator protocol per datom.
   */
  datomArray(index: IndexName, ...components: unknown[]): Datom[];
  /** Speculative transaction: the same as `transact(db, txData, options)`; nothing is stored. */
  with(txData: TxData, options?: TxOptions): TxReport;
  /** A lazy entity view, or undefined when an ident or lookup ref resolves to nothing. */
  entity(ref: EntityRef): Entity | undefined;
  /** The transaction log of this value (t <= basisT), in t order; `end` is exclusive. */
  txRange(range?: { start?: number; end?: number }): Iterable<LogEntry>;
}

/** One logged transaction: every datom it asserted or retracted, in the order they were made. */
export interface LogEntry {
  readonly t: number;
  readonly data: readonly Datom[];
}

/**
 * Transaction data: list forms (`[':db/add', e, ':a', v]`, `[':db/retract', e, ':a', v?]`,
 * `[':db/cas', e, ':a', old, new]`, `[':db/retractEntity', e]`, `[fnName, ...args]`) and entity maps
 * (plain objects with ':ns/name' keys, or Maps with Keyword keys as the EDN reader makes them).
 */
export type TxData = readonly unknown[];

export interface TxOptions {
  /** Allow-listed transaction functions; defaults to the database's own registry. */
  functions?: FunctionRegistry;
  /** The transaction instant (tests); never earlier than the previous transaction's. */
  now?: Date;
}

export interface TxReport {
  readonly dbBefore: Database;
  readonly dbAfter: Database;
  /** Datoms asserted and retracted by the transaction, the transaction entity's included. */
  readonly txData: readonly Datom[];
  /** Every string tempid of the transaction data, resolved. */
  readonly tempids: Readonly<Record<string, EntityId>>;
}

/** A lazy view of one entity: attribute values on demand, refs as entities, `_` keys for reverse refs. */
export interface Entity {
  readonly id: EntityId;
  readonly db: Database;
  /** ':ns/name' or a Keyword; ':ns/_name' walks a ref backwards. Cardinality many gives an array. */
  get(attr: string | Keyword): unknown;
  /** The entity's attributes (forward only), as ':ns/name' strings. */
  keys(): string[];
  /** Every forward attribute with its value, plus ':db/id'; refs stay entities. */
  toObject(): Record<string, unknown>;
}

/** A transaction function or query function is referenced by its allow-listed name. */
export type FunctionName = string | Sym;
