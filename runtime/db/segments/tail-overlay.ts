// The log tail laid over a lazily read index without fetching the segments it changes (Datomic keeps
// such novelty in a memory index; here it rides on the leaves). Each tail datom is filed under the
// segment whose key range holds it; that segment's leaf becomes a patched leaf whose datoms are the
// segment's, minus the facts the tail retracted, plus the ones it asserted, merged only when a read
// reaches it. A branch must know each leaf's greatest datom exactly, which the tail's datoms and the
// old greatest give, except when the tail retracts the old greatest itself: that one segment is
// fetched now. A retraction's history needs the assertion it retracted; when that assertion predates
// the tail, the patched history leaf reads it from the live segment on demand.
import { Db } from '../db/database.js';
import type { DbState } from '../db/state.js';
import { TX0, tToTx } from '../ids.js';
import type { Node } from '../index/btree.js';
import type { IndexRoots } from '../index/indexes.js';
import { ORDERS } from '../index/orders.js';
import { DB_TX_INSTANT, LAST_SCHEMA_ATTR } from '../schema/bootstrap.js';
import type { Schema } from '../schema/schema.js';
import { StorageCorruptError } from '../storage/errors.js';
import type { Datom, IndexName } from '../types.js';
import { lazyLeaf, treeOf } from './lazy-tree.js';
import { INDEX_NAMES, type SegmentRef } from './segment-codec.js';
import { type SegmentList, segmentDatoms } from './with-segments.js';

type Compare = (x: Datom, y: Datom) => number;

/** Per index, the live and the history segment lists of an index root. */
export interface SegmentLists {
  readonly live: Readonly<Record<IndexName, SegmentList>>;
  readonly history: Readonly<Record<IndexName, SegmentList>>;
}

interface LivePatch {
  /** Datoms the tail asserted that are still live. */
  readonly present: Datom[];
  /** Retractions of facts the segment holds. */
  readonly removed: Datom[];
}

interface HistoryPatch {
  /** Datoms that go into history as they are. */
  readonly known: Datom[];
  /** Retractions whose retracted assertion is in the live segments. */
  readonly lookups: Datom[];
}

/** Position of the segment a new datom of d's fact goes in: the first whose greatest is at or (strictly) after it. */
function position(refs: readonly SegmentRef[], d: Datom, fact: Compare, strict: boolean): number {
  let lo = 0;
  let hi = refs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = fact(refs[mid]!.last, d);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(lo, 0);
}

function patchOf<T>(patches: Map<number, T>, at: number, make: () => T): T {
  let p = patches.get(at);
  if (p === undefined) patches.set(at, (p = make()));
  return p;
}

/** Sorted `base` without the datoms whose fact a retraction in `removed` (sorted) names, merged with sorted `adds`. */
function merged(base: readonly Datom[], removed: readonly Datom[], adds: readonly Datom[], order: Compare, fact: Compare): Datom[] {
  const out: Datom[] = [];
  let r = 0;
  let a = 0;
  for (const d of base) {
    while (r < removed.length && fact(removed[r]!, d) < 0) r++;
    if (r < removed.length && fact(removed[r]!, d) === 0) continue;
    while (a < adds.length && order(adds[a]!, d) < 0) out.push(adds[a++]!);
    out.push(d);
  }
  while (a < adds.length) out.push(adds[a++]!);
  return out;
}

function greatest(order: Compare, candidates: readonly Datom[]): Datom {
  let best = candidates[0]!;
  for (const d of candidates) if (order(d, best) > 0) best = d;
  return best;
}

class TreeOverlay {
  readonly live = new Map<number, LivePatch>();
  readonly history = new Map<number, HistoryPatch>();
  private readonly order: { live: Compare; history: Compare; fact: Compare };

  constructor(
    readonly name: IndexName,
    readonly liveList: SegmentList,
    readonly historyList: SegmentList,
  ) {
    const o = ORDERS[name];
    this.order = { live: o.key, history: o.full, fact: o.key };
  }

  add(d: Datom): void {
    const at = position(this.liveList.refs, d, this.order.fact, false);
    patchOf(this.live, at, () => ({ present: [], removed: [] })).present.push(d);
  }

  retract(d: Datom, keepHistory: boolean): void {
    const fact = this.order.fact;
    const at = position(this.liveList.refs, d, fact, false);
    const p = patchOf(this.live, at, () => ({ present: [], removed: [] }));
    const i = p.present.findIndex((x) => fact(x, d) === 0);
    const stored = i >= 0 ? p.present.splice(i, 1)[0] : undefined;
    if (stored === undefined) p.removed.push(d);
    if (!keepHistory) return;
    const h = patchOf(this.history, position(this.historyList.refs, d, fact, true), () => ({ known: [], lookups: [] }));
    h.known.push(d);
    if (stored !== undefined) h.known.push(stored);
    else h.lookups.push(d);
  }

  // The assertion a retraction retracted, from the live segment that held it before the tail.
  private storedOf(r: Datom): Datom {
    const fact = this.order.fact;
    const refs = this.liveList.refs;
    if (refs.length > 0) {
      for (const d of segmentDatoms(this.liveList, position(refs, r, fact, false))) if (fact(d, r) === 0) return d;
    }
    throw new StorageCorruptError(`the log retracts ${r.e} ${r.a} ${String(r.v)}, which the index does not hold`, `${this.liveList.what}`);
  }

  async liveTree(): Promise<Node<Datom>> {
    const { live: order, fact } = this.order;
    const list = this.liveList;
    const refs = list.refs;
    const leaves: Node<Datom>[] = [];
    const lasts: Datom[] = [];
    const count = Math.max(refs.length, this.live.size > 0 ? 1 : 0);
    for (let at = 0; at < count; at++) {
      const p = this.live.get(at);
      const ref = refs[at];
      if (p === undefined) {
        leaves.push(lazyLeaf(() => segmentDatoms(list, at)));
        lasts.push(ref!.last);
        continue;
      }
      const adds = p.present.slice().sort(order);
      const removed = p.removed.slice().sort(fact);
      const base = (): Datom[] => (ref === undefined ? [] : segmentDatoms(list, at));
      if (ref === undefined || removed.some((r) => fact(r, ref.last) === 0)) {
        // The greatest datom is unknown without the segment: merge it now, into a leaf held in memory.
        const keys = merged(ref === undefined ? [] : await list.cache.load(ref.key), removed, adds, order, fact);
        if (keys.length === 0) continue;
        leaves.push(lazyLeaf(() => keys));
        lasts.push(keys[keys.length - 1]!);
        continue;
      }
      leaves.push(memoLeaf(base, (b) => merged(b, removed, adds, order, fact)));
      lasts.push(greatest(order, [ref.last, ...adds]));
    }
    return treeOf(leaves, lasts);
  }

  historyTree(): Node<Datom> {
    const { history: order, fact } = this.order;
    const list = this.historyList;
    const refs = list.refs;
    const leaves: Node<Datom>[] = [];
    const lasts: Datom[] = [];
    const count = Math.max(refs.length, this.history.size > 0 ? 1 : 0);
    for (let at = 0; at < count; at++) {
      const p = this.history.get(at);
      const ref = refs[at];
      if (p === undefined) {
        leaves.push(lazyLeaf(() => segmentDatoms(list, at)));
        lasts.push(ref!.last);
        continue;
      }
      const base = (): Datom[] => (ref === undefined ? [] : segmentDatoms(list, at));
      leaves.push(
        memoLeaf(base, (b) => {
          const adds = p.known.concat(p.lookups.map((r) => this.storedOf(r))).sort(order);
          return merged(b, [], adds, order, fact);
        }),
      );
      lasts.push(greatest(order, ref === undefined ? p.known : [ref.last, ...p.known]));
    }
    return treeOf(leaves, lasts);
  }
}

// A patched leaf merges once per distinct base array it sees (the caches hand out the same array).
function memoLeaf(base: () => Datom[], merge: (base: Datom[]) => Datom[]): Node<Datom> {
  let seen: Datom[] | undefined;
  let out: Datom[] = [];
  return lazyLeaf(() => {
    const b = base();
    if (b !== seen) {
      out = merge(b);
      seen = b;
    }
    return out;
  });
}

/**
 * `state` (a lazily read index) with the transactions of `tail` laid over it, or undefined when the
 * tail changes the schema (the caller then applies it transaction by transaction).
 */
export async function overlayTail(state: DbState, lists: SegmentLists, tail: readonly Datom[][]): Promise<Db | undefined> {
  if (tail.some((datoms) => datoms.some((d) => d.a <= LAST_SCHEMA_ATTR))) return undefined;
  const schema: Schema = state.schema;
  const overlays = INDEX_NAMES.map((name) => new TreeOverlay(name, lists.live[name], lists.history[name]));
  let log = state.log;
  let maxEid = state.maxEid;
  let lastInstant = state.lastInstant;
  for (const [i, datoms] of tail.entries()) {
    const t = state.basisT + i + 1;
    const tx = tToTx(t);
    const instant = datoms.find((d) => d.e === tx && d.a === DB_TX_INSTANT && d.added);
    if (instant === undefined) throw new StorageCorruptError(`transaction ${t} has no :db/txInstant datom`, `log entry t=${t}`);
    for (const d of datoms) {
      if (d.tx !== tx) throw new StorageCorruptError(`datom of tx ${d.tx} in the data of transaction ${t}`, `log entry t=${t}`);
      const attr = schema.attrs.get(d.a);
      if (attr === undefined) throw new StorageCorruptError(`${d.a} is not an attribute`, `log entry t=${t}`);
      if (d.e > maxEid && d.e < TX0) maxEid = d.e;
      for (const overlay of overlays) {
        if (overlay.name === 'vaet' && !attr.isRef) continue;
        if (d.added) overlay.add(d);
        else overlay.retract(d, !attr.noHistory);
      }
    }
    lastInstant = (instant.v as Date).getTime();
    log = log.plus({ t, data: [instant, ...datoms.filter((d) => d !== instant)] });
  }
  const live = {} as Record<IndexName, Node<Datom>>;
  const history = {} as Record<IndexName, Node<Datom>>;
  for (const overlay of overlays) {
    live[overlay.name] = await overlay.liveTree();
    history[overlay.name] = overlay.historyTree();
  }
  return new Db({
    ...state,
    live: live as unknown as IndexRoots,
    history: history as unknown as IndexRoots,
    basisT: state.basisT + tail.length,
    maxEid,
    lastInstant,
    log,
  });
}
