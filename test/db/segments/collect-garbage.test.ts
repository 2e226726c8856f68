import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../../runtime/cast/index.js';
import { type Db, kw, transact } from '../../../runtime/db/index.js';
import { SegmentCache, collectGarbage, lazyDb, readIndexRoot, withSegments, writeIndex } from '../../../runtime/db/segments/index.js';
import { INDEX_NAMES, decodeIndexRoot } from '../../../runtime/db/segments/segment-codec.js';
import { encodeSnapshot, fileStorage, memoryStorage, type DatabaseStorage, type RootPointer, type Storage } from '../../../runtime/db/storage/index.js';
import { peopleDb } from '../core/helpers.js';

let restoreCast: () => void;
beforeAll(() => {
  restoreCast = redirect(tapSink());
});
afterAll(() => restoreCast());
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function keys(store: DatabaseStorage): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const blob of store.listBlobs!()) out.add(blob.key);
  return out;
}

async function reachable(store: DatabaseStorage, pointer: RootPointer): Promise<string[]> {
  const root = decodeIndexRoot(await store.getBlob(pointer.blob), 'test');
  return [pointer.blob, ...[root.live, root.history].flatMap((dir) => INDEX_NAMES.flatMap((name) => dir[name].map((ref) => ref.key)))];
}

const age = (db: Db, name: string): Promise<unknown> => withSegments(() => db.entity([kw(':person/name'), name])?.get(':person/age'));

/** Three index roots, each a transaction apart, published one after another at the given times. */
async function history(store: DatabaseStorage, publishedAt: number[]): Promise<RootPointer[]> {
  let db = peopleDb();
  const pointers: RootPointer[] = [];
  for (const [i, at] of publishedAt.entries()) {
    db = transact(db, [{ ':person/name': 'ann', ':person/age': 30 + i }], { now: new Date(5_000 + i) }).dbAfter as Db;
    const { pointer } = await writeIndex(store, db, pointers.at(-1), { segmentDatoms: 4, now: at });
    await store.casRoot(pointers.at(-1), pointer);
    pointers.push(pointer);
  }
  return pointers;
}

describe.each([
  ['memory', async (): Promise<Storage> => memoryStorage()],
  [
    'file',
    async (): Promise<Storage> => {
      const dir = await mkdtemp(join(tmpdir(), 'ions-gc-'));
      dirs.push(dir);
      return fileStorage(dir);
    },
  ],
])('segment garbage collection on %s storage', (_, makeStorage) => {
  it('keeps every blob a live root reaches and deletes the rest', async () => {
    const storage = await makeStorage();
    const store = await storage.open('gc');
    const old = await store.putBlob(await encodeSnapshot(0, [])); // a checkpoint nothing points at any more
    const now = Date.now();
    const hour = 3_600_000;
    // Roots published 3 h, 2 h and 1 min ago: the first was replaced 2 h ago, the second 1 min ago.
    const pointers = await history(store, [now - 3 * hour, now - 2 * hour, now - 60_000]);
    const [first, second, third] = pointers as [RootPointer, RootPointer, RootPointer];
    const live = new Set([...(await reachable(store, second)), ...(await reachable(store, third))]);
    const onlyFirst = new Set((await reachable(store, first)).filter((key) => !live.has(key)));
    expect(onlyFirst.size).toBeGreaterThan(0);
    const result = await collectGarbage(store, { retentionMs: hour, graceMs: 0 });
    expect(result.liveRoots).toBe(2);
    expect(await keys(store)).toEqual(live);
    expect(result.deleted).toBe(onlyFirst.size + 1);
    expect((await keys(store)).has(old)).toBe(false);
    // A value made from the second root still reads; one from the first would need what was deleted.
    const fromSecond = lazyDb(await readIndexRoot(store, second), new SegmentCache(store));
    expect(await age(fromSecond, 'ann')).toBe(31);
    await storage.close();
  });

  it('keeps pinned roots and young blobs whatever their reachability', async () => {
    const storage = await makeStorage();
    const store = await storage.open('pins');
    const now = Date.now();
    const day = 86_400_000;
    const pointers = await history(store, [now - 3 * day, now - 2 * day, now - day]);
    const [first, , third] = pointers as [RootPointer, RootPointer, RootPointer];
    // Everything here was stored just now, so the default grace period spares it all.
    expect((await collectGarbage(store, { retentionMs: 1 })).deleted).toBe(0);
    await collectGarbage(store, { retentionMs: 1, graceMs: 0, pinned: [first.blob] });
    const expected = new Set([...(await reachable(store, first)), ...(await reachable(store, third))]);
    expect(await keys(store)).toEqual(expected);
    expect(await age(lazyDb(await readIndexRoot(store, first), new SegmentCache(store)), 'ann')).toBe(30);
    // With the pin gone the first root goes too; the walk back stops at roots already collected.
    await collectGarbage(store, { retentionMs: 1, graceMs: 0 });
    expect(await keys(store)).toEqual(new Set(await reachable(store, third)));
    await collectGarbage(store, { retentionMs: 10 * day, graceMs: 0 });
    expect(await keys(store)).toEqual(new Set(await reachable(store, third)));
    await storage.close();
  });
});

it('refuses a storage that cannot list or delete blobs', async () => {
  const inner = await memoryStorage().open('plain');
  const limited = { ...Object.fromEntries(['name', 'getRoot', 'getBlob'].map((k) => [k, (inner as unknown as Record<string, unknown>)[k]])) } as unknown as DatabaseStorage;
  await expect(collectGarbage(limited)).rejects.toThrow(/cannot list and delete blobs/);
});
