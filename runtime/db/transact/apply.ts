// Applying resolved ops to the indexes of one transaction: cardinality-one replacement, elision of
// redundant assertions and of retractions of absent facts, conflicts inside the transaction, history,
// and the bookkeeping the later steps (unique checks, composite tuples, schema) need.
import { StoredDatom } from '../datom.js';
import { type Edit, firstAtOrAfter, lookup } from '../index/btree.js';
import { type IndexRoots, IndexWriter } from '../index/indexes.js';
import { EAVT, VAET } from '../index/orders.js';
import { PrefixBounds, prefixBounds, rangeArray } from '../index/range.js';
import { DB_TX_INSTANT, LAST_SCHEMA_ATTR } from '../schema/bootstrap.js';
import type { AttrInfo, Schema } from '../schema/schema.js';
import type { Datom, EntityId, Value } from '../types.js';
import { valuesEqual } from '../values/order.js';
import { show } from '../values/show.js';
import type { Source } from './errors.js';

export class Conflict extends Error {}

// Most transactions touch no schema, tuple or retraction: their sets are made on first use.
const NO_ENTITIES: ReadonlySet<EntityId> = new Set();
const NO_TUPLES: ReadonlyMap<number, ReadonlySet<EntityId>> = new Map();

export class TxWriter {
  readonly live: IndexWriter;
  /** Datoms moved to history: each retracted assertion, then its retraction. */
  readonly toHistory: Datom[] = [];
  /** Datoms made, in order: the transaction's tx data. */
  readonly out: Datom[] = [];
  /** Asserted datoms of unique attributes, with their ops, to check once all ops are in. */
  readonly uniqueChecks: { d: Datom; src: Source | undefined }[] = [];
  private schemaSet: Set<EntityId> | undefined;
  private tuplesMap: Map<number, Set<EntityId>> | undefined;
  private retractedHere: Map<EntityId, Datom[]> | undefined;

  constructor(
    live: IndexRoots,
    edit: Edit,
    private readonly schema: Schema,
    readonly txId: number,
  ) {
    this.live = new IndexWriter(live, edit, false);
  }

  /** Entities whose schema attributes changed. */
  get schemaTouched(): ReadonlySet<EntityId> {
    return this.schemaSet ?? NO_ENTITIES;
  }

  /** Composite tuple attribute id -> entities whose parts changed. */
  get tuplesTouched(): ReadonlyMap<number, ReadonlySet<EntityId>> {
    return this.tuplesMap ?? NO_TUPLES;
  }

  /** Live datoms of e (and a), as the transaction has them so far. */
  current(e: EntityId, a?: number): Datom[] {
    return rangeArray(this.live.eavt, prefixBounds(EAVT, a === undefined ? [e] : [e, a]));
  }

  /** The first live datom of e and a. */
  first(e: EntityId, a: number): Datom | undefined {
    const bounds = new PrefixBounds(EAVT, [e, a]);
    const d = firstAtOrAfter(this.live.eavt, bounds);
    return d === undefined || bounds.stop(d) ? undefined : d;
  }

  add(e: EntityId, attr: AttrInfo, v: Value, src: Source | undefined): void {
    const d = new StoredDatom(e, attr.id, v, this.txId, true);
    if (!attr.isMany) {
      const existing = this.first(e, attr.id);
      if (existing !== undefined) {
        if (valuesEqual(existing.v, v)) return;
        if (existing.tx === this.txId)
          throw new Conflict(`two values for cardinality-one ${attr.ident} of entity ${e} in one transaction: ${show(existing.v, 60)} and ${show(v, 60)}`);
        this.retractStored(existing, attr);
      }
    }
    if (this.retractedHere !== undefined && this.retractedHere.get(e)?.some((r) => r.a === attr.id && valuesEqual(r.v, v)) === true)
      throw new Conflict(`${attr.ident} ${show(v, 60)} of entity ${e} is both retracted and asserted in one transaction`);
    if (!this.live.add(d, attr.isRef)) return;
    this.out.push(d);
    if (attr.isUnique) this.uniqueChecks.push({ d, src });
    this.touch(e, attr);
  }

  retract(e: EntityId, attr: AttrInfo, v: Value): void {
    const stored = lookup(this.live.eavt, new StoredDatom(e, attr.id, v, 0, true), EAVT.key);
    if (stored !== undefined) this.retractStored(stored, attr);
  }

  retractAttr(e: EntityId, attr: AttrInfo): void {
    for (const d of this.current(e, attr.id)) this.retractStored(d, attr);
  }

  cas(e: EntityId, attr: AttrInfo, old: Value | undefined, v: Value, src: Source | undefined): void {
    const current = this.first(e, attr.id);
    const ok = old === undefined ? current === undefined : current !== undefined && valuesEqual(current.v, old);
    if (!ok)
      throw new Conflict(
        `compare-and-swap failed: ${attr.ident} of entity ${e} is ${current === undefined ? 'absent' : show(current.v, 60)}, expected ${old === undefined ? 'absent' : show(old, 60)}`,
      );
    this.add(e, attr, v, src);
  }

  /** Retracts every fact about e but a transaction's instant, every ref to e, and (recursively) e's components. */
  retractEntity(e: EntityId, seen = new Set<EntityId>()): void {
    if (seen.has(e)) return;
    seen.add(e);
    for (const d of this.current(e)) {
      if (d.a === DB_TX_INSTANT) continue;
      const attr = this.schema.attrs.get(d.a)!;
      this.retractStored(d, attr);
      if (attr.isComponent) this.retractEntity(d.v as number, seen);
    }
    for (const d of rangeArray(this.live.vaet, prefixBounds(VAET, [e]))) this.retractStored(d, this.schema.attrs.get(d.a)!);
  }

  private retractStored(stored: Datom, attr: AttrInfo): void {
    if (stored.tx === this.txId)
      throw new Conflict(`${attr.ident} ${show(stored.v, 60)} of entity ${stored.e} is both asserted and retracted in one transaction`);
    this.live.removeLive(stored, attr.isRef);
    const r = new StoredDatom(stored.e, stored.a, stored.v, this.txId, false);
    this.out.push(r);
    if (!attr.noHistory) this.toHistory.push(stored, r);
    this.retractedHere ??= new Map();
    const here = this.retractedHere.get(r.e);
    if (here === undefined) this.retractedHere.set(r.e, [r]);
    else here.push(r);
    this.touch(stored.e, attr);
  }

  private touch(e: EntityId, attr: AttrInfo): void {
    if (attr.id <= LAST_SCHEMA_ATTR) (this.schemaSet ??= new Set()).add(e);
    const tuples = this.schema.tuplesOf.get(attr.id);
    if (tuples === undefined) return;
    this.tuplesMap ??= new Map();
    for (const t of tuples) {
      let es = this.tuplesMap.get(t.id);
      if (es === undefined) this.tuplesMap.set(t.id, (es = new Set()));
      es.add(e);
    }
  }
}
