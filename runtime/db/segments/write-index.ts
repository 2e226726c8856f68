// The indexing job: merges what the log added since the previous index root into segments and writes
// a new index root. Only segments whose key range received novelty are rewritten (from the current
// database value's own trees, so old segments are never read back); every other segment is reused by
// reference, which makes the new root share all unchanged segments with the old one. The caller
// publishes the returned pointer with casRoot, so older values keep the roots they were made from.
import { event } from '../../cast/index.js';
import { Db } from '../db/database.js';
import type { Bounds } from '../index/btree.js';
import { rangeArray } from '../index/range.js';
import { liveArray } from '../db/live.js';
import { logEntry } from '../db/log.js';
import { ORDERS } from '../index/orders.js';
import { LAST_SCHEMA_ATTR } from '../schema/bootstrap.js';
import { blobKey } from '../storage/blob-key.js';
import { segmentsOf } from './locate.js';
import type { DatabaseStorage, RootPointer } from '../storage/storage.js';
import type { Database, Datom, IndexName } from '../types.js';
import { INDEX_NAMES, type IndexRoot, type SegmentDirectory, type SegmentRef, decodeIndexRoot, encodeIndexRoot, encodeSegment, isIndexRoot } from './segment-codec.js';

export interface IndexWriteOptions {
  /** Most datoms per segment (default 2048, about 30-60 KB encoded). */
  readonly segmentDatoms?: number;
  /** The clock that stamps the root's publishedAt, for tests. */
  readonly now?: number;
}

export interface IndexWriteResult {
  /** What to publish with casRoot. */
  readonly pointer: RootPointer;
  /** Segments of the new root that were written by this run, and ones reused from the previous root. */
  readonly written: number;
  readonly reused: number;
}

const DEFAULT_SEGMENT_DATOMS = 2048;
const PARALLEL_PUTS = 8;
/** Segments encoded between two pauses, so transactions keep flowing while the job runs beside the writer. */
const SEGMENTS_PER_SLICE = 32;

type Compare = (x: Datom, y: Datom) => number;

interface TreeMerge {
  /** The index's datoms within bounds, from the database value. */
  readonly read: (bounds: Bounds<Datom>) => Datom[];
  /** The index's order: `key` for live datoms, `full` for history. */
  readonly order: Compare;
  /** Orders datoms by fact alone, to find every segment a changed fact may sit in. */
  readonly fact: Compare;
  readonly previous: readonly SegmentRef[] | undefined;
  readonly novelty: readonly Datom[];
}

class SegmentWriter {
  readonly pending = new Map<string, Uint8Array>();
  reused = 0;
  private sincePause = 0;

  constructor(private readonly perSegment: number) {}

  async chunk(datoms: readonly Datom[], out: SegmentRef[]): Promise<void> {
    const pieces = Math.ceil(datoms.length / this.perSegment);
    for (let p = 0; p < pieces; p++) {
      const part = datoms.slice(Math.floor((p * datoms.length) / pieces), Math.floor(((p + 1) * datoms.length) / pieces));
      const bytes = encodeSegment(part);
      const key = blobKey(bytes);
      this.pending.set(key, bytes);
      out.push({ key, last: part[part.length - 1]!, count: part.length });
      if (++this.sincePause === SEGMENTS_PER_SLICE) {
        this.sincePause = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  async merge(m: TreeMerge): Promise<SegmentRef[]> {
    const out: SegmentRef[] = [];
    const refs = m.previous;
    if (refs === undefined || refs.length === 0) {
      await this.chunk(between(m.read, m.order, undefined, undefined), out);
      return out;
    }
    const dirty = markDirty(refs, m.novelty, m.fact);
    for (let i = 0; i < refs.length; i++) {
      if (!dirty[i]) {
        out.push(refs[i]!);
        this.reused++;
        continue;
      }
      let j = i;
      while (j + 1 < refs.length && dirty[j + 1]) j++;
      // The first segment reaches down to the start of the index and the last up to its end, so
      // novelty beyond the old extremes lands in them.
      const lower = i === 0 ? undefined : refs[i - 1]!.last;
      const upper = j === refs.length - 1 ? undefined : refs[j]!.last;
      await this.chunk(between(m.read, m.order, lower, upper), out);
      i = j;
    }
    return out;
  }
}

function markDirty(refs: readonly SegmentRef[], novelty: readonly Datom[], fact: Compare): Uint8Array {
  const dirty = new Uint8Array(refs.length);
  const mark = (at: number): void => {
    dirty[at] = 1;
  };
  for (const d of novelty) segmentsOf(refs, d, fact, mark);
  return dirty;
}

/** The index's datoms above `lower` and up to `upper` (either end open when undefined). */
function between(read: TreeMerge['read'], order: Compare, lower: Datom | undefined, upper: Datom | undefined): Datom[] {
  return read({
    seek: lower === undefined ? () => 0 : (d) => (order(d, lower) <= 0 ? -1 : 0),
    stop: upper === undefined ? () => false : (d) => order(d, upper) > 0,
  });
}

async function putAll(store: DatabaseStorage, blobs: ReadonlyMap<string, Uint8Array>): Promise<void> {
  const queue = [...blobs.values()];
  const worker = async (): Promise<void> => {
    for (let bytes = queue.pop(); bytes !== undefined; bytes = queue.pop()) await store.putBlob(bytes);
  };
  await Promise.all(Array.from({ length: PARALLEL_PUTS }, worker));
}

function plainDb(db: Database): Db {
  if (!(db instanceof Db) || db.asOfT !== undefined || db.sinceT !== undefined || db.isHistory) {
    throw new TypeError('writeIndex needs a database value made by this library, without asOf, since or history');
  }
  return db;
}

/**
 * Writes the segments and the index root of `db`, merging into the index root `previous` points at
 * (a snapshot checkpoint or nothing means a full write). Does not move the root pointer.
 */
export async function writeIndex(store: DatabaseStorage, database: Database, previous: RootPointer | undefined, options: IndexWriteOptions = {}): Promise<IndexWriteResult> {
  const db = plainDb(database);
  const perSegment = options.segmentDatoms ?? DEFAULT_SEGMENT_DATOMS;
  if (!Number.isSafeInteger(perSegment) || perSegment < 1) throw new TypeError(`segmentDatoms must be a positive integer, got ${perSegment}`);
  const started = Date.now();
  const state = db.state;
  let base: IndexRoot | undefined;
  let baseKey: string | undefined;
  if (previous !== undefined) {
    const bytes = await store.getBlob(previous.blob);
    if (isIndexRoot(bytes)) {
      base = decodeIndexRoot(bytes, `index root ${previous.blob} of ${store.name}`);
      baseKey = previous.blob;
      if (base.basisT > db.basisT) throw new RangeError(`writeIndex: the previous index of ${store.name} is at t ${base.basisT}, past the database's t ${db.basisT}`);
    }
  }
  const tail: Datom[] = [];
  for (let t = (base?.basisT ?? 0) + 1; t <= db.basisT; t++) for (const d of logEntry(state, t).data) tail.push(d);
  const isRef = (d: Datom): boolean => state.schema.attrs.get(d.a)?.isRef === true;
  const retracted = tail.filter((d) => !d.added);
  const writer = new SegmentWriter(perSegment);
  const live = {} as Record<IndexName, SegmentRef[]>;
  const history = {} as Record<IndexName, SegmentRef[]>;
  for (const name of INDEX_NAMES) {
    const order = ORDERS[name];
    // VAET holds ref datoms only, and its order compares values as numbers.
    const refsOnly = name === 'vaet';
    live[name] = await writer.merge({ read: (bounds) => liveArray(state, name, bounds), order: order.key, fact: order.key, previous: base?.live[name], novelty: refsOnly ? tail.filter(isRef) : tail });
    history[name] = await writer.merge({
      read: (bounds) => rangeArray(state.history[name], bounds),
      order: order.full,
      fact: order.key,
      previous: base?.history[name],
      novelty: refsOnly ? retracted.filter(isRef) : retracted,
    });
  }
  await putAll(store, writer.pending);
  const schema: Datom[] = [];
  for (let a = 1; a <= LAST_SCHEMA_ATTR; a++) for (const d of db.datomArray('aevt', a)) schema.push(d);
  const root: IndexRoot = {
    basisT: db.basisT,
    maxEid: state.maxEid,
    lastInstant: state.lastInstant,
    publishedAt: options.now ?? Date.now(),
    previous: baseKey,
    schema,
    live: live as SegmentDirectory,
    history: history as SegmentDirectory,
  };
  const blob = await store.putBlob(encodeIndexRoot(root));
  const result = { pointer: { t: db.basisT, blob }, written: writer.pending.size, reused: writer.reused };
  event({ msg: 'db.segments/index-written', db: store.name, t: db.basisT, written: result.written, reused: result.reused, ms: Date.now() - started });
  return result;
}
