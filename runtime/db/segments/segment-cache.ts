// The cache sandwich a node reads segments through: decoded in memory, then the local disk cache,
// then storage. Segments are immutable, so every tier keeps what it holds until it needs the room;
// nothing is ever invalidated. Hit counts are kept per tier and reported as cast metrics.
import { alert, errorData, metric } from '../../cast/index.js';
import type { DatabaseStorage } from '../storage/storage.js';
import type { Datom } from '../types.js';
import type { DiskCache } from './disk-cache.js';
import { MemoryCache, segmentWeight } from './memory-cache.js';
import { decodeSegment } from './segment-codec.js';

export interface SegmentCacheOptions {
  /** The memory tier, or its budget in bytes (default 256 MiB). One tier can serve several databases. */
  readonly memory?: MemoryCache | number;
  /** The local disk tier (`DiskCache.open(dir, maxBytes)`); without one, misses go to storage. */
  readonly disk?: DiskCache;
}

export interface SegmentCacheStats {
  readonly memoryHits: number;
  readonly diskHits: number;
  /** Segments read from storage. */
  readonly fetches: number;
  readonly fetchedBytes: number;
}

const DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024;

export class SegmentCache {
  readonly memory: MemoryCache;
  readonly disk: DiskCache | undefined;
  private readonly loading = new Map<string, Promise<Datom[]>>();
  private counts = { memoryHits: 0, diskHits: 0, fetches: 0, fetchedBytes: 0 };
  private reported: SegmentCacheStats = { ...this.counts };

  constructor(
    readonly store: DatabaseStorage,
    options: SegmentCacheOptions = {},
  ) {
    const memory = options.memory ?? DEFAULT_MEMORY_BYTES;
    this.memory = typeof memory === 'number' ? new MemoryCache(memory) : memory;
    this.disk = options.disk;
  }

  /** The segment if a local tier holds it; never waits. */
  peek(key: string): Datom[] | undefined {
    const held = this.memory.get(key);
    if (held !== undefined) {
      this.counts.memoryHits++;
      return held;
    }
    const bytes = this.disk?.readSync(key);
    if (bytes === undefined) return undefined;
    this.counts.diskHits++;
    return this.remember(key, bytes);
  }

  /** The segment from the nearest tier that has it; concurrent loads of one key share a fetch. */
  load(key: string): Promise<Datom[]> {
    const local = this.peek(key);
    if (local !== undefined) return Promise.resolve(local);
    let loading = this.loading.get(key);
    if (loading === undefined) {
      loading = this.fetch(key).finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    return loading;
  }

  private async fetch(key: string): Promise<Datom[]> {
    const bytes = await this.store.getBlob(key);
    this.counts.fetches++;
    this.counts.fetchedBytes += bytes.length;
    const datoms = this.remember(key, bytes);
    // A full or failing local disk costs later fetches, never this read.
    await this.disk?.write(key, bytes).catch((error: unknown) => alert({ msg: 'db.segments/disk-cache-write-failed', db: this.store.name, ex: errorData(error) }));
    return datoms;
  }

  private remember(key: string, bytes: Uint8Array): Datom[] {
    const datoms = decodeSegment(bytes, `segment ${key} of ${this.store.name}`);
    this.memory.set(key, datoms, segmentWeight(datoms, bytes.length));
    return datoms;
  }

  stats(): SegmentCacheStats {
    return { ...this.counts };
  }

  /**
   * Casts the hit rates of each tier and the storage fetches since the previous report; a node calls
   * this on a timer. Rates are omitted while nothing was read.
   */
  reportMetrics(): void {
    const now = this.counts;
    const was = this.reported;
    const memoryHits = now.memoryHits - was.memoryHits;
    const diskHits = now.diskHits - was.diskHits;
    const fetches = now.fetches - was.fetches;
    const reads = memoryHits + diskHits + fetches;
    const dimensions = { db: this.store.name };
    if (reads > 0) {
      metric({ name: 'db.segments/memory-hit-rate', value: (100 * memoryHits) / reads, units: 'Percent', dimensions });
      metric({ name: 'db.segments/disk-hit-rate', value: (100 * diskHits) / reads, units: 'Percent', dimensions });
    }
    metric({ name: 'db.segments/storage-fetches', value: fetches, units: 'Count', dimensions });
    metric({ name: 'db.segments/storage-fetched-bytes', value: now.fetchedBytes - was.fetchedBytes, units: 'Bytes', dimensions });
    this.reported = { ...now };
  }
}
