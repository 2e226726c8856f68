// A query-group node on scale-out storage starts from the segment index the primary wrote: its first
// query pulls a few segments, not the database; it keeps following what the primary writes after, and
// casts its cache's hit rates. Its disk tier outlives the node, so the next node on that disk fetches
// what the first one did from disk.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirect, tapSink, type TapSink } from '../../runtime/cast/index.js';
import { q } from '../../runtime/db/query/index.js';
import { startPrimary } from '../../runtime/db/lease/primary.js';
import { SegmentMissingError, withSegments, writeIndex } from '../../runtime/db/segments/index.js';
import { decodeIndexRoot } from '../../runtime/db/segments/segment-codec.js';
import { encodeTx, memoryStorage, type DatabaseStorage, type Storage } from '../../runtime/db/storage/index.js';
import type { FunctionRegistry } from '../../runtime/db/types.js';
import { groupRole, type GroupRole } from '../../runtime/node/group-role.js';
import { personName, syntheticDb } from '../db/segments/synthetic-db.js';

const PEOPLE = 20_000;
const AGE_OF = '[:find ?age . :in $ ?name :where [?e :person/name ?name] [?e :person/age ?age]]';
/** Person i's age as syntheticDb makes it. */
const ageOf = (i: number): number => 20 + (i % 60);
const NO_FUNCTIONS: FunctionRegistry = { resolve: () => undefined };

/** The storage as query nodes reach it, counting the blobs they read. */
function counting(inner: Storage): Storage & { blobReads: number } {
  const counter = {
    blobReads: 0,
    async open(db: string): Promise<DatabaseStorage> {
      const store = await inner.open(db);
      return Object.assign(Object.create(store) as DatabaseStorage, {
        getBlob: (key: string) => {
          counter.blobReads++;
          return store.getBlob(key);
        },
      });
    },
    close: () => inner.close(),
  };
  return counter;
}

let tap: TapSink;
let restoreCast: () => void;
let storage: Storage;
let segments: number;
let dir: string;

beforeAll(async () => {
  tap = tapSink();
  restoreCast = redirect(tap);
  dir = await mkdtemp(join(tmpdir(), 'ions-query-segments-'));
  storage = memoryStorage();
  const store = await storage.open('big');
  const db = syntheticDb(PEOPLE);
  await store.append(0, [...db.txRange()].map((entry) => ({ t: entry.t, data: encodeTx(entry.data) })));
  const { pointer } = await writeIndex(store, db, undefined, { segmentDatoms: 256 });
  const root = decodeIndexRoot(await store.getBlob(pointer.blob), 'test');
  segments = new Set([root.live, root.history].flatMap((d) => Object.values(d).flatMap((refs) => refs.map((ref) => ref.key)))).size;
  await store.casRoot(undefined, pointer);
});
afterAll(async () => {
  restoreCast();
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

function queryNode(reached: Storage, cacheDir: string | undefined): GroupRole {
  return groupRole({
    kind: 'query',
    group: 'readers',
    storage: reached,
    functions: NO_FUNCTIONS,
    secret: 'query-segments-key',
    selfUrl: () => undefined,
    primaryEndpoint: 'http://127.0.0.1:9',
    segments: { metricsEveryMs: 20 },
    ...(cacheDir !== undefined && { segmentCacheDir: cacheDir }),
  });
}

describe('a query-group node on a segment-indexed database', () => {
  it('answers its first query from a few segments, follows the primary, casts cache metrics, and leaves its segments on disk', async () => {
    const cacheDir = join(dir, 'node-1');
    const reached = counting(storage);
    const node = queryNode(reached, cacheDir);
    try {
      const conn = await node.open('big');
      expect(await withSegments(() => q(AGE_OF, conn.db(), personName(1234)))).toBe(ageOf(1234));
      expect(segments).toBeGreaterThan(500);
      // The root (read twice: once to see it is an index) and the EAVT/AVET segments the query reaches.
      expect(reached.blobReads).toBeLessThanOrEqual(6);
      expect(() => q(AGE_OF, conn.db(), personName(17_000))).toThrow(SegmentMissingError);

      const primary = await startPrimary({ storage, db: 'big', checkpoint: false });
      try {
        await primary.whenPrimary(5_000);
        const { dbAfter } = await primary.connection.transact([{ ':person/name': personName(1234), ':person/age': 7 }]);
        const followed = await (conn as unknown as { syncTo(t: number): Promise<typeof dbAfter> }).syncTo(dbAfter.basisT);
        expect(followed.basisT).toBe(dbAfter.basisT);
        expect(await withSegments(() => q(AGE_OF, conn.db(), personName(1234)))).toBe(7);
        expect(await withSegments(() => q(AGE_OF, conn.db(), personName(1235)))).toBe(ageOf(1235));
      } finally {
        await primary.close();
      }
      expect(reached.blobReads).toBeLessThan(segments / 20);

      for (let i = 0; i < 100 && !tap.records.some((r) => 'db.segments/memory-hit-rate' in r); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const rate = tap.records.find((r) => 'db.segments/memory-hit-rate' in r)!;
      expect(rate).toMatchObject({ type: 'metric', db: 'big' });
      expect((await readdir(cacheDir)).length).toBeGreaterThan(0);
    } finally {
      await node.close();
    }
    const reports = tap.records.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(tap.records.length).toBe(reports);

    // A new node on the same disk: the segments come from the disk tier, storage serves only the root.
    const again = counting(storage);
    const next = queryNode(again, cacheDir);
    try {
      const conn = await next.open('big');
      expect(await withSegments(() => q(AGE_OF, conn.db(), personName(1234)))).toBe(7);
      expect(again.blobReads).toBe(2);
    } finally {
      await next.close();
    }
  });

  it('loads a database without a segment root whole, as before', async () => {
    const reached = counting(storage);
    const node = queryNode(reached, undefined);
    const store = await storage.open('small');
    await store.append(0, [...syntheticDb(10).txRange()].map((entry) => ({ t: entry.t, data: encodeTx(entry.data) })));
    try {
      const conn = await node.open('small');
      expect(q(AGE_OF, conn.db(), personName(3))).toBe(ageOf(3));
      expect(reached.blobReads).toBe(0);
    } finally {
      await node.close();
    }
  });
});
