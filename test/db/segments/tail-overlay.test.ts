import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../../runtime/cast/index.js';
import { type Db, kw, transact } from '../../../runtime/db/index.js';
import { SegmentCache, openSegmentDb, replayTail, withSegments, writeIndex } from '../../../runtime/db/segments/index.js';
import { INDEX_NAMES, decodeIndexRoot } from '../../../runtime/db/segments/segment-codec.js';
import { ORDERS } from '../../../runtime/db/index/orders.js';
import { encodeTx, memoryStorage, type RootPointer } from '../../../runtime/db/storage/index.js';
import { peopleDb } from '../core/helpers.js';
import { treesAsText } from './trees-as-text.js';

let restoreCast: () => void;
beforeAll(() => {
  restoreCast = redirect(tapSink());
});
afterAll(() => restoreCast());

const name = fc.integer({ min: 0, max: 15 }).map((i) => `p${i}`);
const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('upsert' as const), name, age: fc.integer({ min: 0, max: 4 }), alias: fc.constantFrom('a', 'b', 'c', 'd') }) },
  fc.record({ kind: fc.constant('befriend' as const), name, friend: name }),
  fc.record({ kind: fc.constant('retractAge' as const), name }),
  fc.record({ kind: fc.constant('retractAlias' as const), name, alias: fc.constantFrom('a', 'b', 'c', 'd') }),
  fc.record({ kind: fc.constant('retractEntity' as const), name }),
  fc.record({ kind: fc.constant('counter' as const), name, n: fc.nat(3) }),
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('newAttr' as const), n: fc.nat(1000) }) },
  fc.record({ kind: fc.constant('index' as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function txFor(o: Op): unknown[] {
  const ref = [':person/name', 'name' in o ? o.name : ''];
  switch (o.kind) {
    case 'upsert':
      return [{ ':person/name': o.name, ':person/age': o.age, ':person/aliases': [o.alias] }];
    case 'befriend':
      return [{ ':db/id': ref, ':person/friends': [[':person/name', o.friend]], ':person/best': [':person/name', o.friend] }];
    case 'retractAge':
      return [[':db/retract', ref, ':person/age']];
    case 'retractAlias':
      return [[':db/retract', ref, ':person/aliases', o.alias]];
    case 'retractEntity':
      return [[':db/retractEntity', ref]];
    case 'counter':
      return [{ ':db/id': ref, ':person/counter': o.n }];
    case 'newAttr':
      return [{ ':db/ident': kw(`:extra/a${o.n}`), ':db/valueType': kw(':db.type/long'), ':db/cardinality': kw(':db.cardinality/one') }];
    case 'index':
      return [];
  }
}

describe('the log tail laid over a segment index', () => {
  it('gives a new node exactly the trees of the writer, whatever the tail did since the index', async () => {
    let tails = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 50 }), fc.integer({ min: 2, max: 6 }), async (ops, segmentDatoms) => {
        const store = await memoryStorage().open('tail');
        let db = peopleDb();
        await store.append(0, [{ t: 1, data: encodeTx([...db.txRange()][0]!.data) }]);
        let root: RootPointer | undefined;
        const check = async (): Promise<void> => {
          const node = await openSegmentDb(new SegmentCache(store));
          expect(node.basisT).toBe(db.basisT);
          expect(await treesAsText(node)).toEqual(await treesAsText(db));
          expect(node.state.maxEid).toBe(db.state.maxEid);
          expect(node.state.lastInstant).toBe(db.state.lastInstant);
          if (root !== undefined && db.basisT > root.t) tails++;
        };
        for (const o of ops) {
          if (o.kind === 'index') {
            await check();
            const { pointer } = await writeIndex(store, db, root, { segmentDatoms });
            await store.casRoot(root, pointer);
            root = pointer;
            continue;
          }
          try {
            const report = transact(db, txFor(o), { now: new Date(2_000 + db.basisT) });
            await store.append(db.basisT, [{ t: report.dbAfter.basisT, data: encodeTx(report.txData) }]);
            db = report.dbAfter as Db;
          } catch (error) {
            if (!(error instanceof Error) || !/lookup|not|unknown|resolve/i.test(error.message)) throw error;
          }
        }
        await check();
      }),
      { numRuns: 60 },
    );
    expect(tails).toBeGreaterThan(30);
  });

  it('files a retraction after the whole history of its fact when that history spans segments', async () => {
    const store = await memoryStorage().open('spans');
    let db = peopleDb();
    const toggles = [
      [{ ':person/name': 'ann', ':person/aliases': ['a'] }],
      ...[1, 2, 3].flatMap(() => [[[':db/retract', [kw(':person/name'), 'ann'], ':person/aliases', 'a']], [{ ':person/name': 'ann', ':person/aliases': ['a'] }]]),
    ];
    for (const tx of toggles) db = transact(db, tx).dbAfter as Db;
    const { pointer } = await writeIndex(store, db, undefined, { segmentDatoms: 2 });
    await store.casRoot(undefined, pointer);
    const report = transact(db, [[':db/retract', [kw(':person/name'), 'ann'], ':person/aliases', 'a']]);
    const after = report.dbAfter as Db;
    await store.append(0, [...after.txRange()].map((entry) => ({ t: entry.t, data: encodeTx(entry.data) })));
    const node = await openSegmentDb(new SegmentCache(store));
    expect(await treesAsText(node)).toEqual(await treesAsText(after));
  });

  it('lays a tail without schema changes over the index without fetching a segment', async () => {
    const store = await memoryStorage().open('nofetch');
    let db = peopleDb();
    for (let i = 0; i < 200; i++) db = transact(db, [{ ':person/name': `p${i}`, ':person/age': i % 7, ':person/aliases': ['x', `y${i}`] }]).dbAfter as Db;
    const { pointer } = await writeIndex(store, db, undefined, { segmentDatoms: 16 });
    await store.casRoot(undefined, pointer);
    const log = [...db.txRange()].map((entry) => ({ t: entry.t, data: encodeTx(entry.data) }));
    for (const tx of [
      [{ ':person/name': 'p3', ':person/age': 100 }],
      [[':db/retract', [kw(':person/name'), 'p150'], ':person/aliases', 'x']],
      [{ ':person/name': 'late', ':person/friends': [[':person/name', 'p7']] }],
    ]) {
      const report = transact(db, tx);
      log.push({ t: report.dbAfter.basisT, data: encodeTx(report.txData) });
      db = report.dbAfter as Db;
    }
    await store.append(0, log);
    // Only a segment whose greatest datom the tail retracts must be read, to learn its new greatest.
    const root = decodeIndexRoot(await store.getBlob(pointer.blob), 'test');
    const retracted = [...db.txRange()].slice(-3).flatMap((entry) => entry.data.filter((d) => !d.added));
    const mustRead = new Set(INDEX_NAMES.flatMap((name) => root.live[name].filter((ref) => retracted.some((r) => ORDERS[name].key(ref.last, r) === 0)).map((ref) => ref.key)));
    const cache = new SegmentCache(store);
    const node = await openSegmentDb(cache);
    expect(cache.stats().fetches).toBe(mustRead.size);
    expect(await withSegments(() => node.entity([kw(':person/name'), 'p3'])?.get(':person/age'))).toBe(100);
    expect(await treesAsText(node)).toEqual(await treesAsText(db));
    // A node following the log applies later transactions on top of the overlaid leaves.
    const report = transact(db, [[':db/retractEntity', [kw(':person/name'), 'p3']], { ':person/name': 'p9', ':person/aliases': ['z'] }]);
    await store.append(db.basisT, [{ t: report.dbAfter.basisT, data: encodeTx(report.txData) }]);
    expect(await treesAsText(await replayTail(store, node))).toEqual(await treesAsText(report.dbAfter as Db));
  });
});
