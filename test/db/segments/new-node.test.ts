import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../../runtime/cast/index.js';
import { type Db, kw, transact } from '../../../runtime/db/index.js';
import { q } from '../../../runtime/db/query/index.js';
import { DiskCache, SegmentCache, SegmentMissingError, openSegmentDb, withSegments, writeIndex } from '../../../runtime/db/segments/index.js';
import { decodeIndexRoot } from '../../../runtime/db/segments/segment-codec.js';
import { encodeTx, memoryStorage, type DatabaseStorage, type RootPointer } from '../../../runtime/db/storage/index.js';
import { personName, syntheticDb } from './synthetic-db.js';

const PEOPLE = 50_000;
const FRIEND_OF = '[:find ?age ?friend :in $ ?name :where [?e :person/name ?name] [?e :person/age ?age] [?e :person/friend ?f] [?f :person/name ?friend]]';

/** The storage as a new node reaches it, counting blob reads. */
function counting(inner: DatabaseStorage): DatabaseStorage & { blobReads: number } {
  return Object.assign(Object.create(inner) as DatabaseStorage, {
    blobReads: 0,
    async getBlob(this: { blobReads: number }, key: string) {
      this.blobReads++;
      return inner.getBlob(key);
    },
  });
}

let restoreCast: () => void;
let store: DatabaseStorage;
let indexed: Db;
let latest: Db;
let pointer: RootPointer;
let segments: number;
const dirs: string[] = [];

// A 250,000-datom database indexed into ~1,470 distinct segments of 512 datoms, then three transactions
// that only the log holds (the tail a new node must replay).
beforeAll(async () => {
  restoreCast = redirect(tapSink());
  store = await memoryStorage().open('big');
  indexed = syntheticDb(PEOPLE);
  await store.append(0, [...indexed.txRange()].map((entry) => ({ t: entry.t, data: encodeTx(entry.data) })));
  const written = await writeIndex(store, indexed, undefined, { segmentDatoms: 512 });
  pointer = written.pointer;
  const root = decodeIndexRoot(await store.getBlob(pointer.blob), 'test');
  segments = new Set([root.live, root.history].flatMap((dir) => Object.values(dir).flatMap((refs) => refs.map((ref) => ref.key)))).size;
  await store.casRoot(undefined, pointer);
  latest = indexed;
  for (const tx of [[{ ':person/name': personName(7), ':person/age': 101 }], [{ ':person/name': 'newcomer', ':person/age': 5, ':person/friend': [':person/name', personName(7)] }], [[':db/retract', [':person/name', personName(8)], ':person/city', 'city-8']]]) {
    const report = transact(latest, tx);
    await store.append(latest.basisT, [{ t: report.dbAfter.basisT, data: encodeTx(report.txData) }]);
    latest = report.dbAfter as Db;
  }
});
afterAll(async () => {
  restoreCast();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('a new node on a big segment-indexed database', () => {
  it('answers its first query from the root, the log tail and a handful of segments', async () => {
    const remote = counting(store);
    const cache = new SegmentCache(remote);
    const db = await openSegmentDb(cache);
    expect(db.basisT).toBe(latest.basisT);
    // The tail's three transactions are laid over the index without reading the segments they change
    // (one would be read only if the tail retracted its greatest datom).
    const forTail = cache.stats().fetches;
    expect(forTail).toBeLessThanOrEqual(1);
    const answer = await withSegments(() => q(FRIEND_OF, db, personName(1234)));
    expect(answer).toEqual(q(FRIEND_OF, latest, personName(1234)));
    expect(segments).toBeGreaterThan(1400);
    // The query: the AVET segment of the name, the EAVT segments of the person and of the friend.
    expect(cache.stats().fetches - forTail).toBeLessThanOrEqual(4);
    expect(remote.blobReads).toBe(cache.stats().fetches + 1);
  });

  it('sees what only the log tail holds', async () => {
    const db = await openSegmentDb(new SegmentCache(store));
    const read = (): unknown[] => [
      q('[:find ?age . :in $ ?n :where [?e :person/name ?n] [?e :person/age ?age]]', db, personName(7)),
      q('[:find ?f . :where [?e :person/name "newcomer"] [?e :person/friend ?p] [?p :person/name ?f]]', db),
      q('[:find ?c . :in $ ?n :where [?e :person/name ?n] [?e :person/city ?c]]', db, personName(8)),
    ];
    expect(await withSegments(read)).toEqual([101, personName(7), null]);
    const history = await withSegments(() => [...db.history().datoms('eavt', db.entid([kw(':person/name'), personName(8)])!, ':person/city')].map((d) => [d.v, d.added]));
    expect(history).toEqual([
      ['city-8', true],
      ['city-8', false],
    ]);
  });

  it('fails a read outside withSegments with an error that says what to do', async () => {
    const db = await openSegmentDb(new SegmentCache(store));
    expect(() => [...db.datoms('aevt', ':person/age')]).toThrow(SegmentMissingError);
    expect(() => q(FRIEND_OF, db, personName(3))).toThrow(/not in the local caches: read a segment-backed database inside await withSegments/);
  });

  it('reads a long scan ahead, so it runs in few rounds', async () => {
    const cache = new SegmentCache(store);
    const db = await openSegmentDb(cache);
    let rounds = 0;
    const ages = await withSegments(() => {
      rounds++;
      let n = 0;
      for (const d of db.datoms('aevt', ':person/age')) n += d.v === 101 ? 1 : 0;
      return [n, db.datomArray('aevt', ':person/age').length];
    });
    expect(ages).toEqual([1, PEOPLE + 1]);
    // ~100 segments of ages: doubling windows reach them in about log2(100) rounds, not 100.
    expect(rounds).toBeLessThanOrEqual(12);
    expect(cache.stats().fetches).toBeLessThan(200);
  });

  it('answers from the local disk cache on the next start, with no storage reads for segments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ions-node-disk-'));
    dirs.push(dir);
    const run = async (cache: SegmentCache): Promise<unknown> => {
      const db = await openSegmentDb(cache);
      return withSegments(() => q(FRIEND_OF, db, personName(4321)));
    };
    const first = new SegmentCache(store, { disk: await DiskCache.open(dir, 64 << 20) });
    expect(await run(first)).toEqual(q(FRIEND_OF, latest, personName(4321)));
    const restarted = new SegmentCache(counting(store), { memory: 1 << 20, disk: await DiskCache.open(dir, 64 << 20) });
    expect(await run(restarted)).toEqual(q(FRIEND_OF, latest, personName(4321)));
    expect(restarted.stats().fetches).toBe(0);
    expect(restarted.stats().diskHits).toBeGreaterThan(0);
  });

  it('keeps reading the root a value was made from after a newer root is published', async () => {
    const cache = new SegmentCache(store);
    const old = await openSegmentDb(cache);
    const report = transact(latest, [{ ':person/name': personName(9), ':person/age': 77 }]);
    const next = report.dbAfter as Db;
    const written = await writeIndex(store, next, pointer);
    expect(decodeIndexRoot(await store.getBlob(written.pointer.blob), 'test').previous).toBe(pointer.blob);
    await store.casRoot(pointer, written.pointer);
    const age = '[:find ?age . :in $ ?n :where [?e :person/name ?n] [?e :person/age ?age]]';
    expect(await withSegments(() => q(age, old, personName(9)))).toBe(20 + (9 % 60));
    await store.casRoot(written.pointer, pointer);
  });
});
