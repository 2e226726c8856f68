// Database values from a segment index in storage. A reader node opens one lazily: it reads the root
// pointer, the index root and the log after it, and leaves every segment in storage until a read
// needs it. The writer instead loads the index whole, since transactions run synchronously against
// every index.
import { Db } from '../db/database.js';
import { NO_FUNCTIONS } from '../db/state.js';
import type { IndexRoots } from '../index/indexes.js';
import { applyTxData, dbFromDatoms, emptyDb } from '../rebuild.js';
import { Schema } from '../schema/schema.js';
import { decodeTx } from '../storage/codec.js';
import { StorageCorruptError } from '../storage/errors.js';
import type { DatabaseStorage, RootPointer } from '../storage/storage.js';
import type { Datom, FunctionRegistry, LogEntry } from '../types.js';
import { lazyTree } from './lazy-tree.js';
import type { SegmentCache } from './segment-cache.js';
import { INDEX_NAMES, type IndexRoot, type SegmentDirectory, decodeIndexRoot, decodeSegment, isIndexRoot } from './segment-codec.js';
import { withSegments } from './with-segments.js';

export interface SegmentDbOptions {
  readonly functions?: FunctionRegistry;
}

/** A log entry older than the index a lazy value was opened from; its datoms live in storage only. */
class UnloadedLogEntry implements LogEntry {
  constructor(readonly t: number) {}

  get data(): readonly Datom[] {
    throw new Error(`log entry t=${this.t} predates the segment index this database was opened from: read it from storage (Connection.txRange)`);
  }
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

function lazyRoots(dir: SegmentDirectory, cache: SegmentCache, set: string): IndexRoots {
  const tree = (name: (typeof INDEX_NAMES)[number]) => lazyTree({ refs: dir[name], cache, what: `${set} ${name} of ${cache.store.name}` });
  return { eavt: tree('eavt'), aevt: tree('aevt'), avet: tree('avet'), vaet: tree('vaet') };
}

/** The database an index root describes, its segments left in storage until read. */
export function lazyDb(root: IndexRoot, cache: SegmentCache, options: SegmentDbOptions = {}): Db {
  const log: LogEntry[] = [];
  for (let t = 1; t <= root.basisT; t++) log.push(new UnloadedLogEntry(t));
  return new Db({
    live: lazyRoots(root.live, cache, 'live'),
    history: lazyRoots(root.history, cache, 'history'),
    schema: Schema.fromDatoms(root.schema),
    basisT: root.basisT,
    maxEid: root.maxEid,
    lastInstant: root.lastInstant,
    log,
    functions: options.functions ?? NO_FUNCTIONS,
  });
}

/** `db` with the log after its basis applied, fetching the segments each transaction touches. */
export async function replayTail(store: DatabaseStorage, db: Db): Promise<Db> {
  for await (const entry of store.readLog(db.basisT)) {
    const where = `log of ${store.name}, entry t=${entry.t}`;
    if (entry.t !== db.basisT + 1) throw new StorageCorruptError(`the log skips from t ${db.basisT} to t ${entry.t}`, where);
    const datoms = decodeTx(entry.data, where);
    const before = db;
    db = await withSegments(() => applyTxData(before, datoms));
  }
  return db;
}

/**
 * The latest database of the cache's storage as a new node sees it: the index root and the log tail,
 * with segments fetched only as reads need them (read it inside `withSegments`). A database with no
 * index yet is replayed from its log.
 */
export async function openSegmentDb(cache: SegmentCache, options: SegmentDbOptions = {}): Promise<Db> {
  const store = cache.store;
  const pointer = await store.getRoot();
  const db = pointer === undefined ? emptyDb(options) : lazyDb(await readIndexRoot(store, pointer), cache, options);
  return replayTail(store, db);
}

/** Segment fetches the writer keeps in flight while loading a whole index. */
const PARALLEL_FETCHES = 16;

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
