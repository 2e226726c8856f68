// Database values from a segment index in storage. A reader node opens one lazily: it reads the root
// pointer, the index root and the log after it, and leaves every segment in storage until a read
// needs it. The writer instead loads the index whole, since transactions run synchronously against
// every index.
import { Db } from '../db/database.js';
import { NO_FUNCTIONS } from '../db/state.js';
import type { IndexRoots } from '../index/indexes.js';
import { InstantRun } from '../index/instant-run.js';
import { SharedRun } from '../index/shared-run.js';
import { ORDERS } from '../index/orders.js';
import { applyTxData, dbFromDatoms, emptyDb } from '../rebuild.js';
import { Schema } from '../schema/schema.js';
import { decodeTx } from '../storage/codec.js';
import { StorageCorruptError } from '../storage/errors.js';
import type { DatabaseStorage, RootPointer } from '../storage/storage.js';
import type { Datom, FunctionRegistry, IndexName } from '../types.js';
import { lazyTree } from './lazy-tree.js';
import { type SegmentLists, overlayTail } from './tail-overlay.js';
import { segmentsOf } from './locate.js';
import type { SegmentCache } from './segment-cache.js';
import { INDEX_NAMES, type IndexRoot, type SegmentDirectory, decodeIndexRoot, decodeSegment, isIndexRoot } from './segment-codec.js';
import { type SegmentList, withSegments } from './with-segments.js';

/** Segment fetches kept in flight while prefetching a log tail or loading a whole index. */
const PARALLEL_FETCHES = 16;

export interface SegmentDbOptions {
  readonly functions?: FunctionRegistry;
}

/** The index root in `bytes`, the blob `pointer` names, checked against the pointer. */
export function decodePointedRoot(store: DatabaseStorage, pointer: RootPointer, bytes: Uint8Array): IndexRoot {
  const where = `index root ${pointer.blob} of ${store.name}`;
  if (!isIndexRoot(bytes)) throw new TypeError(`the root of ${store.name} is a snapshot checkpoint, not a segment index: write checkpoints with format 'segments'`);
  const root = decodeIndexRoot(bytes, where);
  if (root.basisT !== pointer.t) throw new StorageCorruptError(`index root holds t ${root.basisT}, but the root pointer says t ${pointer.t}`, where);
  return root;
}

/** Reads and checks the index root the pointer names. */
export async function readIndexRoot(store: DatabaseStorage, pointer: RootPointer): Promise<IndexRoot> {
  return decodePointedRoot(store, pointer, await store.getBlob(pointer.blob));
}

function listsOf(dir: SegmentDirectory, cache: SegmentCache, set: string): Record<IndexName, SegmentList> {
  const list = (name: IndexName): SegmentList => ({ refs: dir[name], cache, what: `${set} ${name} of ${cache.store.name}` });
  return { eavt: list('eavt'), aevt: list('aevt'), avet: list('avet'), vaet: list('vaet') };
}

function lazyRoots(lists: Record<IndexName, SegmentList>): IndexRoots {
  return { eavt: lazyTree(lists.eavt), aevt: lazyTree(lists.aevt), avet: lazyTree(lists.avet), vaet: lazyTree(lists.vaet) };
}

/** The database an index root describes, its segments left in storage until read. */
export function lazyDb(root: IndexRoot, cache: SegmentCache, options: SegmentDbOptions = {}): Db {
  return dbOfLists(root, { live: listsOf(root.live, cache, 'live'), history: listsOf(root.history, cache, 'history') }, options);
}

function dbOfLists(root: IndexRoot, lists: SegmentLists, options: SegmentDbOptions): Db {
  return new Db({
    live: lazyRoots(lists.live),
    instants: InstantRun.EMPTY,
    history: lazyRoots(lists.history),
    schema: Schema.fromDatoms(root.schema),
    basisT: root.basisT,
    maxEid: root.maxEid,
    lastInstant: root.lastInstant,
    log: SharedRun.empty(root.basisT),
    functions: options.functions ?? NO_FUNCTIONS,
  });
}

/** The transactions the log holds after `afterT`, decoded, checked to follow on without a gap. */
async function readTail(store: DatabaseStorage, afterT: number): Promise<Datom[][]> {
  const tail: Datom[][] = [];
  for await (const entry of store.readLog(afterT)) {
    const where = `log of ${store.name}, entry t=${entry.t}`;
    if (entry.t !== afterT + tail.length + 1) throw new StorageCorruptError(`the log skips from t ${afterT + tail.length} to t ${entry.t}`, where);
    tail.push(decodeTx(entry.data, where));
  }
  return tail;
}

async function applyTail(db: Db, tail: readonly Datom[][]): Promise<Db> {
  for (const datoms of tail) {
    const before = db;
    db = await withSegments(() => applyTxData(before, datoms));
  }
  return db;
}

/** `db` with the log after its basis applied, fetching the segments each transaction touches. */
export async function replayTail(store: DatabaseStorage, db: Db): Promise<Db> {
  return applyTail(db, await readTail(store, db.basisT));
}

/**
 * Fetches, all at once, the segments applying the tail will touch, as far as the index root's segment
 * lists tell: replaying then runs from the caches instead of waiting on one fetch after another.
 */
async function prefetchTail(root: IndexRoot, tail: readonly Datom[][], cache: SegmentCache, isRef: (a: number) => boolean): Promise<void> {
  const keys = new Set<string>();
  for (const name of INDEX_NAMES) {
    const fact = ORDERS[name].key;
    const live = root.live[name];
    const history = root.history[name];
    for (const datoms of tail) {
      for (const d of datoms) {
        if (name === 'vaet' && !isRef(d.a)) continue;
        segmentsOf(live, d, fact, (at) => keys.add(live[at]!.key));
        if (!d.added) segmentsOf(history, d, fact, (at) => keys.add(history[at]!.key));
      }
    }
  }
  const queue = [...keys];
  const worker = async (): Promise<void> => {
    for (let key = queue.pop(); key !== undefined; key = queue.pop()) await cache.load(key);
  };
  await Promise.all(Array.from({ length: PARALLEL_FETCHES }, worker));
}

/**
 * The latest database of the cache's storage as a new node sees it: the index root and the log tail,
 * with segments fetched only as reads need them (read it inside `withSegments`). A database with no
 * index yet is replayed from its log.
 */
export async function openSegmentDb(cache: SegmentCache, options: SegmentDbOptions = {}): Promise<Db> {
  const store = cache.store;
  const pointer = await store.getRoot();
  if (pointer === undefined) return replayTail(store, emptyDb(options));
  const root = await readIndexRoot(store, pointer);
  const lists = { live: listsOf(root.live, cache, 'live'), history: listsOf(root.history, cache, 'history') };
  const db = dbOfLists(root, lists, options);
  const tail = await readTail(store, root.basisT);
  if (tail.length === 0) return db;
  const overlaid = await overlayTail(db.state, lists, tail);
  if (overlaid !== undefined) return overlaid;
  // The tail changes the schema: apply it as the writer did, its segments fetched in one batch first.
  await prefetchTail(root, tail, cache, (a) => db.state.schema.attrs.get(a)?.isRef === true);
  return applyTail(db, tail);
}


/**
 * The database an index root describes, every datom loaded (for the writer, before it replays the
 * log). The log of the value is rebuilt from the datoms; retractions of noHistory attributes are not
 * in any index, so only the stored log has them.
 */
export async function loadIndexedDb(store: DatabaseStorage, root: IndexRoot, functions?: FunctionRegistry): Promise<Db> {
  const refs = [...root.live.eavt, ...root.history.eavt];
  const parts = new Array<Datom[]>(refs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < refs.length) {
      const at = next++;
      const key = refs[at]!.key;
      parts[at] = decodeSegment(await store.getBlob(key), `segment ${key} of ${store.name}`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_FETCHES }, worker));
  return dbFromDatoms(parts.flat(), { basisT: root.basisT, functions });
}
