// The database value: an immutable snapshot (DbState) seen whole, as of a t, since a t, or as history.
import { Keyword } from '../edn-names.js';
import { isTxId, tToTx, txToT } from '../ids.js';
import { ORDERS } from '../index/orders.js';
import { type Bounds, ValueRangeBounds, prefixBounds, seekBounds } from '../index/range.js';
import { EntityView } from '../entity.js';
import { transact } from '../transact/transact.js';
import type { Attribute, Database, Datom, Entity, EntityId, EntityRef, FunctionRegistry, IndexName, LogEntry, TxData, TxOptions, TxReport, Value } from '../types.js';
import { resolveComponents } from './components.js';
import { liveArray, liveRange } from './live.js';
import { logEntry } from './log.js';
import { attrOf, resolveEntity } from './resolve-ref.js';
import type { DbState } from './state.js';
import { type ViewFilter, viewDatoms } from './views.js';

const EMPTY: Iterable<Datom> = [];

export class Db implements Database {
  readonly asOfT?: number;
  readonly sinceT?: number;
  readonly isHistory: boolean;
  /** Whether this value sees exactly the live indexes (no asOf, since or history filter). */
  private readonly plain: boolean;
  private readonly filter: ViewFilter;

  constructor(
    readonly state: DbState,
    view: { asOfT?: number; sinceT?: number; isHistory?: boolean } = {},
  ) {
    if (view.asOfT !== undefined) this.asOfT = view.asOfT;
    if (view.sinceT !== undefined) this.sinceT = view.sinceT;
    this.isHistory = view.isHistory ?? false;
    this.plain = view.asOfT === undefined && view.sinceT === undefined && !this.isHistory;
    this.filter = {
      maxTx: view.asOfT === undefined ? Infinity : tToTx(view.asOfT),
      minTx: view.sinceT === undefined ? -1 : tToTx(view.sinceT),
      history: this.isHistory,
    };
  }

  get basisT(): number {
    return this.state.basisT;
  }

  get functions(): FunctionRegistry {
    return this.state.functions;
  }

  datoms(index: IndexName, ...components: unknown[]): Iterable<Datom> {
    const resolved = this.resolve(index, components);
    if (resolved === undefined) return EMPTY;
    return this.scan(index, prefixBounds(ORDERS[index], resolved));
  }

  datomArray(index: IndexName, ...components: unknown[]): Datom[] {
    const resolved = this.resolve(index, components);
    if (resolved === undefined) return [];
    const bounds = prefixBounds(ORDERS[index], resolved);
    if (this.plain) return liveArray(this.state, index, bounds);
    return [...this.scan(index, bounds)];
  }

  seekDatoms(index: IndexName, ...components: unknown[]): Iterable<Datom> {
    const resolved = this.resolve(index, components);
    if (resolved === undefined) return EMPTY;
    return this.scan(index, seekBounds(ORDERS[index], resolved));
  }

  indexRange(attr: EntityRef, start?: Value, end?: Value): Iterable<Datom> {
    const info = attrOf(this.state, attr);
    if (info === undefined) return EMPTY;
    return this.scan('avet', new ValueRangeBounds(info.id, start, end));
  }

  private resolve(index: IndexName, components: unknown[]): unknown[] | undefined {
    if (index !== 'eavt' && index !== 'aevt' && index !== 'avet' && index !== 'vaet') throw new TypeError(`unknown index ${String(index)} (eavt, aevt, avet or vaet)`);
    return resolveComponents(this.state, index, components);
  }

  private scan(index: IndexName, bounds: Bounds<Datom>): Iterable<Datom> {
    const live = liveRange(this.state, index, bounds);
    if (this.plain) return live;
    const history = this.state.history;
    const filter = this.filter;
    return { [Symbol.iterator]: () => viewDatoms(live, history[index], ORDERS[index], bounds, filter) };
  }

  entid(ref: EntityRef): EntityId | undefined {
    return resolveEntity(this.state, ref);
  }

  ident(id: EntityId): Keyword | undefined {
    return this.state.schema.identOf.get(id);
  }

  attribute(ref: EntityRef): Attribute | undefined {
    if (Array.isArray(ref)) {
      const id = resolveEntity(this.state, ref);
      return id === undefined ? undefined : this.state.schema.attrs.get(id);
    }
    return attrOf(this.state, ref);
  }

  asOf(t: number | Date): Database {
    const asOfT = this.toT(t, 'asOf');
    return new Db(this.state, { ...this.view(), asOfT: this.asOfT === undefined ? asOfT : Math.min(asOfT, this.asOfT) });
  }

  since(t: number | Date): Database {
    return new Db(this.state, { ...this.view(), sinceT: this.toT(t, 'since') });
  }

  history(): Database {
    return new Db(this.state, { ...this.view(), isHistory: true });
  }

  with(txData: TxData, options?: TxOptions): TxReport {
    return transact(this, txData, options);
  }

  entity(ref: EntityRef): Entity | undefined {
    const id = resolveEntity(this.state, ref);
    return id === undefined ? undefined : new EntityView(this, id);
  }

  txRange(range: { start?: number; end?: number } = {}): Iterable<LogEntry> {
    const start = Math.max(1, range.start ?? 1);
    const end = Math.min(this.state.basisT + 1, range.end ?? Infinity);
    const entries: LogEntry[] = [];
    for (let t = start; t < end; t++) entries.push(logEntry(this.state, t));
    return entries;
  }

  private view(): { asOfT?: number; sinceT?: number; isHistory: boolean } {
    const view: { asOfT?: number; sinceT?: number; isHistory: boolean } = { isHistory: this.isHistory };
    if (this.asOfT !== undefined) view.asOfT = this.asOfT;
    if (this.sinceT !== undefined) view.sinceT = this.sinceT;
    return view;
  }

  // A t, or a tx id, or the t of the latest transaction at or before an instant.
  private toT(t: number | Date, what: string): number {
    if (typeof t === 'number') {
      if (!Number.isSafeInteger(t) || t < 0) throw new TypeError(`${what}: expected a t (a non-negative integer) or a Date, got ${t}`);
      return isTxId(t) ? txToT(t) : t;
    }
    if (!(t instanceof Date) || Number.isNaN(t.getTime())) throw new TypeError(`${what}: expected a t or a valid Date`);
    const ms = t.getTime();
    let lo = 0;
    let hi = this.state.basisT;
    // Instants are monotonic in t, so the log can be bisected; entry data starts with :db/txInstant.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((logEntry(this.state, mid + 1).data[0]!.v as Date).getTime() <= ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
