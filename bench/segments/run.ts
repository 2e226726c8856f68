// bench/segments: reading a 1,000,000-datom database through index segments and the cache sandwich.
//  - time to first query on a new node: open the segment index (root + log tail) and answer one query,
//    fetching only the segments it needs; against the peer, the same node loading the full snapshot
//    checkpoint (what connect() does today) and answering the same query;
//  - one query with a cold cache (segments come from storage), a warm disk cache (new process, same
//    SSD) and a warm memory cache, beside the same query on the fully loaded in-memory value;
//  - whether the in-memory path slowed once lazy segment trees live in the same process.
// Storage is the file storage in a temporary directory (the OS page cache keeps both sides' reads warm,
// so the comparison is CPU and bytes, not the disk). Run alone: npx tsx bench/segments/run.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { connect } from '../../runtime/db/connection.js';
import { type Db, transact } from '../../runtime/db/index.js';
import { q } from '../../runtime/db/query/index.js';
import { DiskCache, SegmentCache, openSegmentDb, withSegments, writeIndex } from '../../runtime/db/segments/index.js';
import { decodeIndexRoot } from '../../runtime/db/segments/segment-codec.js';
import { encodeSnapshot, encodeTx, fileStorage } from '../../runtime/db/storage/index.js';
import { logDatoms } from '../../runtime/db/rebuild.js';
import { personName, syntheticDb } from '../../test/db/segments/synthetic-db.js';

const PEOPLE = 200_000; // 5 datoms each: 1,000,000 datoms
const ROUNDS = 5;
/** Transactions after the index and the checkpoint: the log tail both kinds of node replay. */
const TAIL = 100;
const FRIEND_OF = '[:find ?age ?friend :in $ ?name :where [?e :person/name ?name] [?e :person/age ?age] [?e :person/friend ?f] [?f :person/name ?friend]]';
// A wider query: people aged 42 (every 60th) living in city-2 (every 100th).
const WIDE = '[:find (count ?e) :where [?e :person/age 42] [?e :person/city "city-2"]]';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(0));
async function time<T>(body: () => Promise<T> | T): Promise<[number, T]> {
  const start = performance.now();
  const value = await body();
  return [performance.now() - start, value];
}

const quiet = tapSink();
redirect(quiet);
const dir = mkdtempSync(join(tmpdir(), 'ions-bench-segments-'));
const cacheDirs: string[] = [];
const freshDisk = async (): Promise<DiskCache> => {
  const path = mkdtempSync(join(tmpdir(), 'ions-bench-ssd-'));
  cacheDirs.push(path);
  return DiskCache.open(path, 1 << 30);
};

try {
  const [buildMs, db] = await time(() => syntheticDb(PEOPLE));
  const datoms = db.datomArray('eavt').length;
  const storage = fileStorage(dir);
  const log = [...db.txRange()].map((entry) => ({ t: entry.t, data: encodeTx(entry.data) }));

  const segStore = await storage.open('segments');
  await segStore.append(0, log);
  const [indexMs, written] = await time(() => writeIndex(segStore, db, undefined));
  await segStore.casRoot(undefined, written.pointer);
  const root = decodeIndexRoot(await segStore.getBlob(written.pointer.blob), 'bench');
  const segments = new Set([root.live, root.history].flatMap((d) => Object.values(d).flatMap((refs) => refs.map((r) => r.key)))).size;
  const rootBytes = (await segStore.getBlob(written.pointer.blob)).length;

  const snapStore = await storage.open('snapshot');
  await snapStore.append(0, log);
  const snapshot = await encodeSnapshot(db.basisT, logDatoms(db));
  await snapStore.casRoot(undefined, { t: db.basisT, blob: await snapStore.putBlob(snapshot) });

  // The tail: each transaction moves one person's age and adds a newcomer befriending them.
  let latest: Db = db;
  const tail: Array<{ t: number; data: Uint8Array }> = [];
  for (let i = 0; i < TAIL; i++) {
    const who = personName((i * 1_999) % PEOPLE);
    const report = transact(latest, [{ ':person/name': who, ':person/age': 100 + i }, { ':person/name': `newcomer-${i}`, ':person/friend': [':person/name', who] }]);
    latest = report.dbAfter as Db;
    tail.push({ t: latest.basisT, data: encodeTx(report.txData) });
  }
  await segStore.append(db.basisT, tail);
  await snapStore.append(db.basisT, tail);

  console.log(`database: ${datoms.toLocaleString()} live datoms in ${db.basisT} transactions (built in ${ms(buildMs)} ms)`);
  console.log(`segment index: ${segments} segments, root ${(rootBytes / 1024).toFixed(0)} KiB, written in ${ms(indexMs)} ms; snapshot checkpoint ${(snapshot.length / 1048576).toFixed(1)} MiB`);

  // In-memory reference, measured before any lazy tree exists in the process.
  const inMemory = async (): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) times.push((await time(() => q(FRIEND_OF, latest, personName((i * 977) % PEOPLE))))[0]);
    return median(times);
  };
  const memoryBefore = await inMemory();

  const first: number[] = [];
  const firstFetches: number[] = [];
  const peer: number[] = [];
  const cold: number[] = [];
  const diskWarm: number[] = [];
  const warm: number[] = [];
  const wideCold: number[] = [];
  const wideWarm: number[] = [];
  const wideFetches: number[] = [];
  let wideMemory = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const name = personName((round * 40_503 + 17) % PEOPLE);
    const expected = q(FRIEND_OF, latest, name);

    // A new node: empty memory, empty SSD cache.
    const disk = await freshDisk();
    const cache = new SegmentCache(segStore, { disk });
    const [firstMs, answer] = await time(async () => {
      const node = await openSegmentDb(cache);
      return withSegments(() => q(FRIEND_OF, node, name));
    });
    if (JSON.stringify(answer) !== JSON.stringify(expected)) throw new Error(`segment answer ${JSON.stringify(answer)} differs from ${JSON.stringify(expected)}`);
    first.push(firstMs);
    firstFetches.push(cache.stats().fetches);

    // The peer: a new node loading the whole snapshot checkpoint.
    const [peerMs] = await time(async () => {
      const conn = await connect({ storage, db: 'snapshot', checkpoint: false });
      const result = q(FRIEND_OF, conn.db(), name);
      await conn.close();
      return result;
    });
    peer.push(peerMs);

    // One query, cold then warm, on an opened node; another person so its segments are not cached yet.
    const node = (await openSegmentDb(cache)) as Db;
    const other = personName((round * 91_193 + 5_011) % PEOPLE);
    cold.push((await time(() => withSegments(() => q(FRIEND_OF, node, other))))[0]);
    warm.push((await time(() => withSegments(() => q(FRIEND_OF, node, other))))[0]);
    const restarted = new SegmentCache(segStore, { disk });
    const nodeAgain = await openSegmentDb(restarted);
    diskWarm.push((await time(() => withSegments(() => q(FRIEND_OF, nodeAgain, other))))[0]);

    const wideCache = new SegmentCache(segStore);
    const wideNode = await openSegmentDb(wideCache);
    const forTail = wideCache.stats().fetches;
    const [wc, count] = await time(() => withSegments(() => q(WIDE, wideNode)));
    if (JSON.stringify(count) !== JSON.stringify(q(WIDE, latest))) throw new Error('wide query answers differ');
    wideCold.push(wc);
    wideFetches.push(wideCache.stats().fetches - forTail);
    wideWarm.push((await time(() => withSegments(() => q(WIDE, wideNode))))[0]);
    wideMemory = (await time(() => q(WIDE, latest)))[0];
  }
  const memoryAfter = await inMemory();
  // The indexing job merging the tail: only the segments it touched are rewritten.
  const [mergeMs, merged] = await time(() => writeIndex(segStore, latest, written.pointer));
  // A new node right after that merge has no tail to replay.
  await segStore.casRoot(written.pointer, merged.pointer);
  const noTail: number[] = [];
  const noTailFetches: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const name = personName((round * 40_503 + 17) % PEOPLE);
    const cache = new SegmentCache(segStore, { disk: await freshDisk() });
    const [firstMs, answer] = await time(async () => {
      const node = await openSegmentDb(cache);
      return withSegments(() => q(FRIEND_OF, node, name));
    });
    if (JSON.stringify(answer) !== JSON.stringify(q(FRIEND_OF, latest, name))) throw new Error('answers differ after the merge');
    noTail.push(firstMs);
    noTailFetches.push(cache.stats().fetches);
  }

  const lines = [
    `- database: ${datoms.toLocaleString()} live datoms (200,000 entities x 5 attributes) in ${db.basisT} transactions, then a log tail of ${TAIL} transactions; ${segments} distinct segments of <= 2,048 datoms, index root ${(rootBytes / 1024).toFixed(0)} KiB; snapshot checkpoint ${(snapshot.length / 1048576).toFixed(1)} MiB; initial index write ${ms(indexMs)} ms`,
    `- time to first query on a new node (read the root, replay the 100-transaction tail, answer a 4-clause join; empty caches): ${ms(median(first))} ms, fetching ${median(firstFetches)} of ${segments} segments`,
    `- peer, the same node loading the full snapshot checkpoint (connect) and the same tail, then answering: ${ms(median(peer))} ms`,
    `- ratio: ${(median(peer) / median(first)).toFixed(1)}x faster to first query`,
    `- time to first query on a new node right after the indexing job merged that tail (nothing to replay): ${ms(median(noTail))} ms, fetching ${median(noTailFetches)} of ${segments} segments; ${(median(peer) / median(noTail)).toFixed(0)}x faster than the peer`,
    `- same query on an opened node: cold cache (from storage) ${ms(median(cold))} ms, warm disk cache (fresh memory) ${ms(median(diskWarm))} ms, warm memory cache ${ms(median(warm))} ms; fully loaded in-memory value ${ms(memoryBefore)} ms`,
    `- wider query (count people aged 42 in city-2: two AVET ranges of ~3,300 and 2,000 datoms joined): cold ${ms(median(wideCold))} ms fetching ${median(wideFetches)} segments, warm ${ms(median(wideWarm))} ms, in-memory value ${ms(wideMemory)} ms`,
    `- indexing job merging the ${TAIL}-transaction tail into the index: ${ms(mergeMs)} ms, ${merged.written} segments written, ${merged.reused} shared with the previous root`,
    `- in-memory query before any segment tree existed in the process ${ms(memoryBefore)} ms, after ${ms(memoryAfter)} ms (median of 200)`,
  ];
  console.log(`\n${lines.join('\n')}`);
  await storage.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
  for (const path of cacheDirs) rmSync(path, { recursive: true, force: true });
}
