// The one behaviour every Storage backend owes the connection, run against each of them: memory, file,
// PostgreSQL, DynamoDB+S3. A backend hands in a way to make a fresh, empty place; each place can give
// several storage instances over the same data, as separate processes would have.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../../runtime/cast/index.js';
import { kw, transact, type Db } from '../../../runtime/db/index.js';
import { SegmentCache, collectGarbage, lazyDb, readIndexRoot, withSegments, writeIndex } from '../../../runtime/db/segments/index.js';
import { INDEX_NAMES, decodeIndexRoot } from '../../../runtime/db/segments/segment-codec.js';
import {
  LeaseLostError,
  StorageConflictError,
  StorageCorruptError,
  encodeSnapshot,
  type BlobKey,
  type DatabaseStorage,
  type Lease,
  type LogRecord,
  type RootPointer,
  type Storage,
} from '../../../runtime/db/storage/index.js';
import { peopleDb } from '../core/helpers.js';

export interface Place {
  /** A new storage instance over this place's data. */
  storage(): Storage;
  /** Replaces the stored bytes of a blob behind the storage's back (a disk or bucket gone bad); durable backends only. */
  corruptBlob?(db: string, key: BlobKey, bytes: Uint8Array): Promise<void>;
}

export interface Backend {
  readonly name: string;
  /**
   * Data outlives the storage instance and close releases it: then reopening must see everything,
   * and calls after close must fail.
   */
  readonly durable: boolean;
  /** Granularity of a blob's storedAt, default 1 ms (S3's LastModified has whole seconds). */
  readonly storedAtResolutionMs?: number;
  /** A fresh, empty place; called inside tests, so it may use servers started in beforeAll. */
  fresh(): Promise<Place>;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const entry = (t: number, data: Uint8Array | string = `tx ${t}`): LogRecord => ({ t, data: typeof data === 'string' ? text(data) : data });
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
/** Length and digest: compares large byte arrays at once, and equal bytes whatever their class (Buffer or Uint8Array). */
const digest = (bytes: Uint8Array): string => `${bytes.length} bytes, sha256 ${sha256(bytes)}`;

/** Bytes that differ at every position from those of other seeds, so a mix-up cannot go unseen. */
function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
}

async function collect(log: AsyncIterable<LogRecord>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const record of log) out.push({ t: record.t, data: Uint8Array.from(record.data) });
  return out;
}

const ts = async (log: AsyncIterable<LogRecord>): Promise<number[]> => (await collect(log)).map((record) => record.t);

async function listed(db: DatabaseStorage): Promise<Map<BlobKey, number>> {
  if (db.listBlobs === undefined) throw new Error(`storage of ${db.name} does not implement listBlobs`);
  const out = new Map<BlobKey, number>();
  for await (const blob of db.listBlobs()) {
    expect(out.has(blob.key), `blob ${blob.key} listed twice`).toBe(false);
    out.set(blob.key, blob.storedAt);
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The root blob and every segment an index root reaches. */
async function reachable(db: DatabaseStorage, pointer: RootPointer): Promise<BlobKey[]> {
  const root = decodeIndexRoot(await db.getBlob(pointer.blob), `root ${pointer.blob}`);
  return [pointer.blob, ...[root.live, root.history].flatMap((dir) => INDEX_NAMES.flatMap((name) => dir[name].map((ref) => ref.key)))];
}

/** Index roots a transaction apart, published at the given times, each made the current root in turn. */
async function indexHistory(db: DatabaseStorage, publishedAt: readonly number[]): Promise<RootPointer[]> {
  let value = peopleDb();
  const pointers: RootPointer[] = [];
  for (const [i, at] of publishedAt.entries()) {
    value = transact(value, [{ ':person/name': 'ann', ':person/age': 30 + i }], { now: new Date(5_000 + i) }).dbAfter as Db;
    const { pointer } = await writeIndex(db, value, pointers.at(-1), { segmentDatoms: 4, now: at });
    await db.casRoot(pointers.at(-1), pointer);
    pointers.push(pointer);
  }
  return pointers;
}

export function conformance(backend: Backend): void {
  describe(`${backend.name} storage conformance`, () => {
    const opened: Storage[] = [];
    /** A fresh place whose storage instances are all closed after the test. */
    async function place(): Promise<Place & { storage(): Storage }> {
      const fresh = await backend.fresh();
      return {
        ...fresh,
        storage() {
          const storage = fresh.storage();
          opened.push(storage);
          return storage;
        },
      };
    }
    afterEach(async () => {
      for (const storage of opened.splice(0)) await storage.close();
    });

    it('starts with an empty log, no root and no blobs', async () => {
      const db = await (await place()).storage().open('empty');
      expect(db.name).toBe('empty');
      expect(await db.lastT()).toBe(0);
      expect(await collect(db.readLog(0))).toEqual([]);
      expect(await db.getRoot()).toBeUndefined();
      await expect(db.getBlob(sha256(text('nothing')))).rejects.toBeInstanceOf(StorageCorruptError);
    });

    it('appends with gaps in t and reads any range back byte for byte', async () => {
      const db = await (await place()).storage().open('ranges');
      const binary = pattern(256, 1);
      await db.append(0, [entry(1), entry(2, binary)]);
      await db.append(2, [entry(5)]);
      await db.append(5, [entry(9, new Uint8Array(0)), entry(10)]);
      expect(await db.lastT()).toBe(10);
      const all = await collect(db.readLog(0));
      expect(all.map((r) => r.t)).toEqual([1, 2, 5, 9, 10]);
      expect(digest(all[1]!.data)).toBe(digest(binary));
      expect(all[3]!.data.length).toBe(0);
      expect(new TextDecoder().decode(all[4]!.data)).toBe('tx 10');
      expect(await ts(db.readLog(0, 1))).toEqual([1]);
      expect(await ts(db.readLog(1, 2))).toEqual([2]);
      expect(await ts(db.readLog(2, 4))).toEqual([]);
      expect(await ts(db.readLog(3, 9))).toEqual([5, 9]);
      expect(await ts(db.readLog(9))).toEqual([10]);
      expect(await ts(db.readLog(10))).toEqual([]);
      expect(await ts(db.readLog(0, 0))).toEqual([]);
      expect(await ts(db.readLog(4, Infinity))).toEqual([5, 9, 10]);
    });

    it('refuses a stale expected t or a t that does not increase, appending nothing', async () => {
      const db = await (await place()).storage().open('stale');
      // Entries are checked before the tail: a bad batch is refused as such even when the tail is wrong too.
      await expect(db.append(3, [entry(3)])).rejects.toThrow(/entry 0 has t 3/);
      expect(await db.lastT()).toBe(0);
      await db.append(0, [entry(1), entry(2)]);
      const stale = db.append(1, [entry(3)]);
      await expect(stale).rejects.toBeInstanceOf(StorageConflictError);
      await expect(stale).rejects.toThrow(/log of stale ends at t 2, not at the expected 1/);
      await expect(db.append(3, [entry(4)])).rejects.toBeInstanceOf(StorageConflictError);
      await expect(db.append(2, [entry(3), entry(3)])).rejects.toThrow(/entry 1 has t 3, which must be an integer above 3/);
      await expect(db.append(2, [entry(2)])).rejects.toThrow(/entry 0 has t 2/);
      await expect(db.append(1, [])).rejects.toBeInstanceOf(StorageConflictError);
      await db.append(2, []);
      expect(await ts(db.readLog(0))).toEqual([1, 2]);
    });

    it('lets exactly one of two racing appends in one instance win', async () => {
      const db = await (await place()).storage().open('race');
      await db.append(0, [entry(1)]);
      const results = await Promise.allSettled([db.append(1, [entry(2, 'a')]), db.append(1, [entry(2, 'b'), entry(3, 'b')])]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
      expect(lost.reason).toBeInstanceOf(StorageConflictError);
      const winner = results[0]!.status === 'fulfilled' ? ['a'] : ['b', 'b'];
      const log = await collect(db.readLog(1));
      expect(log.map((r) => new TextDecoder().decode(r.data))).toEqual(winner);
      expect(await db.lastT()).toBe(log.at(-1)!.t);
    });

    it('lets exactly one of two writers in separate instances win each round, with different ts', async () => {
      const here = await place();
      const a = await here.storage().open('writers');
      const b = await here.storage().open('writers');
      let tail = 0;
      const expected: string[] = [];
      for (let round = 0; round < 8; round++) {
        // A bids one entry right after the tail, B two entries leaving a gap: the log must hold only the winner's.
        const bidA = [entry(tail + 1, `a${round}`)];
        const bidB = [entry(tail + 2, `b${round}`), entry(tail + 3, `b${round}`)];
        const [ra, rb] = await Promise.allSettled([a.append(tail, bidA), b.append(tail, bidB)]);
        expect([ra.status, rb.status].sort()).toEqual(['fulfilled', 'rejected']);
        const lost = (ra.status === 'rejected' ? ra : rb) as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(StorageConflictError);
        const won = ra.status === 'fulfilled' ? bidA : bidB;
        for (const record of won) expected.push(`${record.t}:${new TextDecoder().decode(record.data)}`);
        tail = won.at(-1)!.t;
        expect(await a.lastT()).toBe(tail);
        expect(await b.lastT()).toBe(tail);
      }
      for (const reader of [a, b]) {
        const log = await collect(reader.readLog(0));
        expect(log.map((r) => `${r.t}:${new TextDecoder().decode(r.data)}`)).toEqual(expected);
      }
    });

    it('shows one instance what another appended, at once', async () => {
      const here = await place();
      const a = await here.storage().open('shared');
      const b = await here.storage().open('shared');
      await a.append(0, [entry(1)]);
      expect(await b.lastT()).toBe(1);
      await b.append(1, [entry(2)]);
      await a.append(2, [entry(3)]);
      expect(await ts(b.readLog(0))).toEqual([1, 2, 3]);
      expect(await ts(a.readLog(1))).toEqual([2, 3]);
    });

    it('keeps databases apart: log, blobs and root', async () => {
      const storage = (await place()).storage();
      const a = await storage.open('alpha');
      const b = await storage.open('beta');
      await a.append(0, [entry(1)]);
      const key = await a.putBlob(text('only in alpha'));
      await a.casRoot(undefined, { t: 1, blob: key });
      expect(await b.lastT()).toBe(0);
      expect(await collect(b.readLog(0))).toEqual([]);
      expect(await b.getRoot()).toBeUndefined();
      await expect(b.getBlob(key)).rejects.toBeInstanceOf(StorageCorruptError);
      expect(await storage.open('alpha')).toBe(a);
      await expect(storage.open('../alpha')).rejects.toThrow(/bad database name/);
      await expect(storage.open('')).rejects.toThrow(/bad database name/);
    });

    it('files blobs under the SHA-256 of their bytes and returns them exactly', async () => {
      const db = await (await place()).storage().open('blobs');
      for (const bytes of [text('snapshot'), pattern(70_000, 2), new Uint8Array(0)]) {
        const key = await db.putBlob(bytes);
        expect(key).toBe(sha256(bytes));
        expect(await db.putBlob(bytes)).toBe(key);
        expect(digest(await db.getBlob(key))).toBe(digest(bytes));
      }
      await expect(db.getBlob('../etc/passwd')).rejects.toThrow(/bad blob key/);
      await expect(db.getBlob('A'.repeat(64))).rejects.toThrow(/bad blob key/);
    });

    it('reports a missing blob as corrupt, naming the key', async () => {
      const db = await (await place()).storage().open('missing');
      const key = sha256(text('never stored'));
      const read = db.getBlob(key);
      await expect(read).rejects.toBeInstanceOf(StorageCorruptError);
      await expect(read).rejects.toThrow(new RegExp(`${key}.*missing|missing.*${key}`));
    });

    it('moves the root only by compare-and-set, one winner among racers', async () => {
      const here = await place();
      const a = await here.storage().open('root');
      const b = await here.storage().open('root');
      const x = await a.putBlob(text('x'));
      const y = await a.putBlob(text('y'));
      await expect(a.casRoot({ t: 1, blob: x }, { t: 2, blob: x })).rejects.toBeInstanceOf(StorageConflictError);
      await a.casRoot(undefined, { t: 3, blob: x });
      expect(await b.getRoot()).toEqual({ t: 3, blob: x });
      await expect(b.casRoot(undefined, { t: 4, blob: y })).rejects.toBeInstanceOf(StorageConflictError);
      await expect(b.casRoot({ t: 3, blob: y }, { t: 4, blob: y })).rejects.toBeInstanceOf(StorageConflictError);
      await expect(b.casRoot({ t: 2, blob: x }, { t: 4, blob: x })).rejects.toBeInstanceOf(StorageConflictError);
      const results = await Promise.allSettled([a.casRoot({ t: 3, blob: x }, { t: 4, blob: x }), b.casRoot({ t: 3, blob: x }, { t: 5, blob: y })]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(StorageConflictError);
      expect(await a.getRoot()).toEqual(results[0]!.status === 'fulfilled' ? { t: 4, blob: x } : { t: 5, blob: y });
      await expect(a.casRoot(await a.getRoot(), { t: 6, blob: 'not a key' })).rejects.toThrow(/bad blob key/);
    });

    it('moves the writer lease only by compare-and-set, never back in epoch, one winner among racers', async () => {
      const here = await place();
      const a = await here.storage().open('lease');
      const b = await here.storage().open('lease');
      expect(await a.getLease()).toBeUndefined();
      const first: Lease = { owner: 'node-a', epoch: 1, expiresAt: 1_000 };
      await a.casLease(undefined, first);
      expect(await b.getLease()).toEqual(first);
      await expect(b.casLease(undefined, { owner: 'node-b', epoch: 1, expiresAt: 2_000 })).rejects.toBeInstanceOf(StorageConflictError);
      await expect(b.casLease({ ...first, expiresAt: 999 }, { owner: 'node-b', epoch: 2, expiresAt: 2_000 })).rejects.toBeInstanceOf(StorageConflictError);
      await expect(a.casLease(first, { owner: 'node-a', epoch: 0, expiresAt: 3_000 })).rejects.toThrow(/epoch must be an integer >= 1, got 0/);
      await expect(a.casLease(first, { ...first, owner: '' })).rejects.toThrow(/owner must be a string/);
      const renewed = { ...first, expiresAt: 5_000 };
      await a.casLease(first, renewed);
      const results = await Promise.allSettled([
        a.casLease(renewed, { owner: 'node-a', epoch: 1, expiresAt: 9_000 }),
        b.casLease(renewed, { owner: 'node-b', epoch: 2, expiresAt: 9_000 }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(StorageConflictError);
      const current = (await a.getLease())!;
      expect(current.owner).toBe(results[0]!.status === 'fulfilled' ? 'node-a' : 'node-b');
      // Whoever holds it, the epoch never goes back.
      await expect(b.casLease(current, { owner: 'node-c', epoch: current.epoch - 1, expiresAt: 10_000 })).rejects.toThrow(
        new RegExp(`epoch must be an integer >= ${current.epoch}`),
      );
      expect(await b.getLease()).toEqual(current);
    });

    it('appends with a fence only while the lease has its epoch, checking the lease before the tail', async () => {
      const here = await place();
      const a = await here.storage().open('fenced');
      const b = await here.storage().open('fenced');
      await expect(a.append(0, [entry(1)], { epoch: 1 })).rejects.toBeInstanceOf(LeaseLostError);
      const lease: Lease = { owner: 'node-a', epoch: 1, expiresAt: 1_000 };
      await a.casLease(undefined, lease);
      await a.append(0, [entry(1)], { epoch: 1 });
      await a.append(1, [entry(2)]);
      await expect(a.append(1, [entry(3)], { epoch: 1 })).rejects.toBeInstanceOf(StorageConflictError);
      await b.casLease(lease, { owner: 'node-b', epoch: 2, expiresAt: 2_000 });
      const stale = a.append(2, [entry(3)], { epoch: 1 });
      await expect(stale).rejects.toBeInstanceOf(LeaseLostError);
      await expect(stale).rejects.toThrow(/lease \(epoch 1\) was taken over by node-b at epoch 2/);
      await expect(a.append(0, [entry(3)], { epoch: 1 })).rejects.toBeInstanceOf(LeaseLostError);
      await expect(a.append(2, [], { epoch: 1 })).rejects.toBeInstanceOf(LeaseLostError);
      await b.append(2, [entry(3)], { epoch: 2 });
      // Appends without a fence ignore the lease, whoever holds it.
      await a.append(3, [entry(4)]);
      expect(await ts(a.readLog(0))).toEqual([1, 2, 3, 4]);
    });

    it('stores big entries and big appends whole', async () => {
      const here = await place();
      const db = await here.storage().open('big');
      const huge = pattern(1024 * 1024, 3);
      const large = pattern(300 * 1024, 4);
      await db.append(0, [entry(1, huge), entry(2, 'small'), entry(3, large)]);
      // Many modest entries in one append: more than fits in one item or row of most stores.
      const many = Array.from({ length: 200 }, (_, i) => entry(4 + i, pattern(1000, i)));
      await db.append(3, many);
      await db.append(203, [entry(204, 'after')]);
      const check = async (reader: typeof db): Promise<void> => {
        const log = await collect(reader.readLog(0));
        expect(log.map((r) => r.t)).toEqual(Array.from({ length: 204 }, (_, i) => i + 1));
        expect(digest(log[0]!.data)).toBe(digest(huge));
        expect(digest(log[2]!.data)).toBe(digest(large));
        expect(log.slice(3, 203).map((r) => digest(r.data))).toEqual(many.map((r) => digest(r.data)));
        expect(await ts(reader.readLog(195, 205))).toEqual([196, 197, 198, 199, 200, 201, 202, 203, 204]);
      };
      await check(db);
      await check(await here.storage().open('big'));
      const bigBlob = pattern(2 * 1024 * 1024, 5);
      expect(digest(await db.getBlob(await db.putBlob(bigBlob)))).toBe(digest(bigBlob));
    });

    it('reads back any sequence of appends over any range, like a list would', async () => {
      const storage = (await place()).storage();
      let run = 0;
      const batches = fc.array(fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.uint8Array({ maxLength: 40 })), { minLength: 1, maxLength: 4 }), {
        minLength: 1,
        maxLength: 6,
      });
      await fc.assert(
        fc.asyncProperty(batches, fc.nat(30), fc.nat(30), async (plan, from, span) => {
          const db = await storage.open(`prop-${run++}`);
          const model: LogRecord[] = [];
          for (const batch of plan) {
            const tail = model.at(-1)?.t ?? 0;
            let t = tail;
            const records = batch.map(([gap, data]) => entry((t += gap), data));
            await db.append(tail, records);
            model.push(...records);
          }
          const until = from + span;
          const expected = model.filter((r) => r.t > from && r.t <= until).map((r) => [r.t, [...r.data]]);
          const actual = (await collect(db.readLog(from, until))).map((r) => [r.t, [...r.data]]);
          expect(actual).toEqual(expected);
          expect(await db.lastT()).toBe(model.at(-1)!.t);
        }),
        { numRuns: 15 },
      );
    });


    it('lists every blob of its database once and deletes blobs, a missing one harmlessly', async () => {
      const here = await place();
      const storage = here.storage();
      const db = await storage.open('listing');
      const other = await storage.open('listing-other');
      const resolution = backend.storedAtResolutionMs ?? 1;
      const before = Date.now();
      const keys: BlobKey[] = [];
      for (let i = 0; i < 12; i++) keys.push(await db.putBlob(pattern(100 + i, i)));
      const elsewhere = await other.putBlob(text('in the other database'));
      const after = Date.now();
      const blobs = await listed(db);
      expect(new Set(blobs.keys())).toEqual(new Set(keys));
      // File times come from the kernel's coarse clock, which may lag Date.now() by a tick.
      const tick = 20;
      for (const storedAt of blobs.values()) {
        expect(storedAt).toBeGreaterThanOrEqual(Math.floor(before / resolution) * resolution - tick);
        expect(storedAt).toBeLessThanOrEqual(after + tick);
      }
      expect([...(await listed(other)).keys()]).toEqual([elsewhere]);
      await db.deleteBlob!(keys[0]!);
      await db.deleteBlob!(keys[0]!);
      await db.deleteBlob!(elsewhere);
      await expect(db.getBlob(keys[0]!)).rejects.toBeInstanceOf(StorageCorruptError);
      expect(new Set((await listed(db)).keys())).toEqual(new Set(keys.slice(1)));
      expect(await other.getBlob(elsewhere)).toEqual(expect.anything());
      await expect(db.deleteBlob!('../root')).rejects.toThrow(/bad blob key/);
      // Another instance over the same data sees the deletion.
      expect((await listed(await here.storage().open('listing'))).has(keys[0]!)).toBe(false);
    });

    it('refreshes storedAt when the same bytes are stored again', async () => {
      const db = await (await place()).storage().open('refresh');
      const resolution = backend.storedAtResolutionMs ?? 1;
      const key = await db.putBlob(text('segment'));
      const first = (await listed(db)).get(key)!;
      await sleep(resolution + 30);
      const again = Date.now();
      expect(await db.putBlob(text('segment'))).toBe(key);
      const second = (await listed(db)).get(key)!;
      expect(second).toBeGreaterThan(first);
      expect(second).toBeGreaterThanOrEqual(Math.floor(again / resolution) * resolution - 20);
      expect(new TextDecoder().decode(await db.getBlob(key))).toBe('segment');
    });

    it('keeps through garbage collection every blob a live root reaches, and only young ones besides', async () => {
      const restore = redirect(tapSink());
      try {
        const here = await place();
        const db = await here.storage().open('gc');
        const stray = await db.putBlob(await encodeSnapshot(0, [])); // a checkpoint no root reaches
        const now = Date.now();
        const hour = 3_600_000;
        // Roots published 3 h, 2 h and 1 min ago: the first was replaced 2 h ago, the second 1 min ago.
        const [first, second, third] = (await indexHistory(db, [now - 3 * hour, now - 2 * hour, now - 60_000])) as [RootPointer, RootPointer, RootPointer];
        const live = new Set([...(await reachable(db, second)), ...(await reachable(db, third))]);
        const unreachable = [...new Set([stray, ...(await reachable(db, first)).filter((key) => !live.has(key))])];
        expect(unreachable.length).toBeGreaterThan(1);
        // Everything was stored just now: the default grace period spares it all.
        expect((await collectGarbage(db, { retentionMs: hour })).deleted).toBe(0);
        expect(new Set((await listed(db)).keys())).toEqual(new Set([...live, ...unreachable]));
        // Twenty minutes on, past the grace period, only what no live root reaches goes.
        const later = { now: Date.now() + 20 * 60_000, retentionMs: hour + 20 * 60_000, graceMs: 10 * 60_000 };
        const result = await collectGarbage(db, later);
        expect(result).toEqual({ liveRoots: 2, liveBlobs: live.size, deleted: unreachable.length });
        expect(new Set((await listed(db)).keys())).toEqual(live);
        // A value made from the older live root still reads every segment it needs, in a new instance too.
        const reader = await here.storage().open('gc');
        const fromSecond = lazyDb(await readIndexRoot(reader, second), new SegmentCache(reader));
        expect(await withSegments(() => fromSecond.entity([kw(':person/name'), 'ann'])?.get(':person/age'))).toBe(31);
        expect((await collectGarbage(db, later)).deleted).toBe(0);
      } finally {
        restore();
      }
    });

    if (backend.durable) {
      it('shows a reopened storage everything: log, blobs, root, lease', async () => {
        const here = await place();
        const first = here.storage();
        const db = await first.open('reopen');
        await db.append(0, [entry(1), entry(2)]);
        await db.append(2, [entry(7, pattern(100_000, 6))]);
        const key = await db.putBlob(text('checkpoint'));
        await db.casRoot(undefined, { t: 2, blob: key });
        await db.casLease(undefined, { owner: 'node-a', epoch: 3, expiresAt: 1_234 });
        await first.close();
        const again = await here.storage().open('reopen');
        expect(await again.lastT()).toBe(7);
        const log = await collect(again.readLog(0));
        expect(log.map((r) => r.t)).toEqual([1, 2, 7]);
        expect(digest(log[2]!.data)).toBe(digest(pattern(100_000, 6)));
        expect(await again.getRoot()).toEqual({ t: 2, blob: key });
        expect(new TextDecoder().decode(await again.getBlob(key))).toBe('checkpoint');
        expect(await again.getLease()).toEqual({ owner: 'node-a', epoch: 3, expiresAt: 1_234 });
        await again.append(7, [entry(8)], { epoch: 3 });
        expect(await ts(again.readLog(0))).toEqual([1, 2, 7, 8]);
      });

      it('fails calls made after close', async () => {
        const storage = (await place()).storage();
        const db = await storage.open('closing');
        await db.append(0, [entry(1)]);
        await storage.close();
        await expect(db.append(1, [entry(2)])).rejects.toThrow();
      });

      it('detects a blob whose stored bytes no longer match its key', async () => {
        const here = await place();
        if (here.corruptBlob === undefined) throw new Error(`durable backend ${backend.name} must say how to corrupt a blob`);
        const db = await here.storage().open('corrupt');
        const key = await db.putBlob(text('good bytes'));
        await here.corruptBlob('corrupt', key, text('bad bytes'));
        const read = db.getBlob(key);
        await expect(read).rejects.toBeInstanceOf(StorageCorruptError);
        await expect(read).rejects.toThrow(/does not match its SHA-256/);
      });
    }

  });
}
