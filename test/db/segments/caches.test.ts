import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../../runtime/cast/index.js';
import { StoredDatom } from '../../../runtime/db/datom.js';
import { blobKey } from '../../../runtime/db/storage/blob-key.js';
import { DiskCache } from '../../../runtime/db/segments/disk-cache.js';
import { MemoryCache } from '../../../runtime/db/segments/memory-cache.js';
import { SegmentCache } from '../../../runtime/db/segments/segment-cache.js';
import { encodeSegment } from '../../../runtime/db/segments/segment-codec.js';
import { memoryStorage, type DatabaseStorage } from '../../../runtime/db/storage/index.js';
import type { Datom } from '../../../runtime/db/types.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ions-segcache-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const segment = (n: number, v: string): Datom[] => Array.from({ length: n }, (_, i) => new StoredDatom(1000 + i, 10, v, 536870913, true));

/** A storage that counts blob reads. */
async function countingStore(): Promise<DatabaseStorage & { reads: number }> {
  const inner = await memoryStorage().open('cached');
  return Object.assign(Object.create(inner) as DatabaseStorage, {
    reads: 0,
    async getBlob(this: { reads: number }, key: string) {
      this.reads++;
      return inner.getBlob(key);
    },
  });
}

describe('memory cache', () => {
  it('evicts the least recently used segments once past its byte budget', () => {
    const cache = new MemoryCache(300);
    cache.set('a', segment(1, 'a'), 100);
    cache.set('b', segment(1, 'b'), 100);
    cache.set('c', segment(1, 'c'), 100);
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('d', segment(1, 'd'), 100);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')].every((x) => x !== undefined)).toBe(true);
    expect(cache.usedBytes).toBe(300);
    cache.set('huge', segment(1, 'h'), 301);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('refuses a bad budget', () => {
    expect(() => new MemoryCache(-1)).toThrow(/non-negative integer of bytes/);
  });
});

describe('disk cache', () => {
  it('keeps segments across openings and evicts the least recently used past its budget', async () => {
    const dir = await tempDir();
    const bytes = (v: string): Uint8Array => encodeSegment(segment(10, v));
    const size = bytes('a').length;
    const first = await DiskCache.open(dir, size * 2);
    const [a, b, c] = ['a', 'b', 'c'].map((v) => ({ key: blobKey(bytes(v)), bytes: bytes(v) }));
    await first.write(a!.key, a!.bytes);
    await first.write(b!.key, b!.bytes);
    expect(first.readSync(a!.key)).toEqual(Buffer.from(a!.bytes)); // a more recent than b
    await first.write(c!.key, c!.bytes);
    expect(first.readSync(b!.key)).toBeUndefined();
    expect(first.readSync('0'.repeat(64))).toBeUndefined();
    const again = await DiskCache.open(dir, size * 2);
    expect(again.readSync(a!.key)).toEqual(Buffer.from(a!.bytes));
    expect(again.readSync(c!.key)).toEqual(Buffer.from(c!.bytes));
    expect(again.usedBytes).toBe(size * 2);
  });

  it('drops a damaged file and says so instead of serving it', async () => {
    const dir = await tempDir();
    const bytes = encodeSegment(segment(5, 'x'));
    const key = blobKey(bytes);
    const cache = await DiskCache.open(dir, 1 << 20);
    await cache.write(key, bytes);
    await writeFile(join(dir, key), Buffer.from('garbage'));
    const tap = tapSink();
    const restore = redirect(tap);
    try {
      expect(cache.readSync(key)).toBeUndefined();
    } finally {
      restore();
    }
    expect(tap.records.map((r) => r.msg)).toEqual(['db.segments/disk-cache-damaged']);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('segment cache sandwich', () => {
  it('reads memory, then disk, then storage, fetching each segment from storage once', async () => {
    const store = await countingStore();
    const key = await store.putBlob(encodeSegment(segment(50, 'v')));
    const disk = await DiskCache.open(await tempDir(), 1 << 20);
    const cache = new SegmentCache(store, { memory: 1 << 20, disk });
    expect(cache.peek(key)).toBeUndefined();
    const [x, y] = await Promise.all([cache.load(key), cache.load(key)]);
    expect(x).toBe(y);
    expect(x).toHaveLength(50);
    expect(store.reads).toBe(1);
    expect(cache.peek(key)).toBe(x);
    // A second node process: its own memory tier, the same disk.
    const other = new SegmentCache(store, { memory: 1 << 20, disk });
    expect(other.peek(key)).toHaveLength(50);
    expect(store.reads).toBe(1);
    expect(cache.stats()).toEqual({ memoryHits: 1, diskHits: 0, fetches: 1, fetchedBytes: encodeSegment(segment(50, 'v')).length });
    expect(other.stats()).toMatchObject({ memoryHits: 0, diskHits: 1, fetches: 0 });
  });

  it('still answers when the local disk cannot take a segment, and says so', async () => {
    const store = await countingStore();
    const key = await store.putBlob(encodeSegment(segment(4, 'v')));
    const dir = await tempDir();
    const disk = await DiskCache.open(dir, 1 << 20);
    await rm(dir, { recursive: true, force: true });
    const cache = new SegmentCache(store, { disk });
    const tap = tapSink();
    const restore = redirect(tap);
    try {
      expect(await cache.load(key)).toHaveLength(4);
    } finally {
      restore();
    }
    expect(tap.records.map((r) => r.msg)).toEqual(['db.segments/disk-cache-write-failed']);
  });

  it('reports hit rates per tier as cast metrics, for the reads since the last report', async () => {
    const store = await countingStore();
    const key = await store.putBlob(encodeSegment(segment(3, 'v')));
    const cache = new SegmentCache(store, { memory: 1 << 20 });
    await cache.load(key);
    cache.peek(key);
    cache.peek(key);
    cache.peek(key);
    const tap = tapSink();
    const restore = redirect(tap);
    try {
      cache.reportMetrics();
      cache.reportMetrics();
    } finally {
      restore();
    }
    const values = tap.records.map((r) => {
      const name = Object.keys(r).find((k) => k.startsWith('db.segments/'))!;
      return [name, r[name], r.db];
    });
    expect(values).toEqual([
      ['db.segments/memory-hit-rate', 75, 'cached'],
      ['db.segments/disk-hit-rate', 0, 'cached'],
      ['db.segments/storage-fetches', 1, 'cached'],
      ['db.segments/storage-fetched-bytes', encodeSegment(segment(3, 'v')).length, 'cached'],
      ['db.segments/storage-fetches', 0, 'cached'],
      ['db.segments/storage-fetched-bytes', 0, 'cached'],
    ]);
  });
});
