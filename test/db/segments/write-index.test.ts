import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../../runtime/cast/index.js';
import { type Db, kw, transact } from '../../../runtime/db/index.js';
import { decodeIndexRoot } from '../../../runtime/db/segments/segment-codec.js';
import { SegmentCache, lazyDb, readIndexRoot, writeIndex } from '../../../runtime/db/segments/index.js';
import { memoryStorage, type DatabaseStorage, type RootPointer } from '../../../runtime/db/storage/index.js';
import { peopleDb } from '../core/helpers.js';
import { treesAsText } from './trees-as-text.js';
import { syntheticDb } from './synthetic-db.js';

let restoreCast: () => void;
beforeAll(() => {
  restoreCast = redirect(tapSink());
});
afterAll(() => restoreCast());

async function publish(store: DatabaseStorage, db: Db, previous: RootPointer | undefined, segmentDatoms: number) {
  const result = await writeIndex(store, db, previous, { segmentDatoms });
  await store.casRoot(previous, result.pointer);
  return result;
}

const name = fc.integer({ min: 0, max: 12 }).map((i) => `p${i}`);
const op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('upsert' as const), name, age: fc.integer({ min: 0, max: 5 }), alias: fc.constantFrom('a', 'b', 'c') }) },
  fc.record({ kind: fc.constant('befriend' as const), name, friend: name }),
  fc.record({ kind: fc.constant('retractAge' as const), name }),
  fc.record({ kind: fc.constant('retractEntity' as const), name }),
  fc.record({ kind: fc.constant('counter' as const), name, n: fc.nat(3) }),
  fc.record({ kind: fc.constant('index' as const) }),
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function txFor(o: Op): unknown[] {
  const ref = [':person/name', 'name' in o ? o.name : ''];
  switch (o.kind) {
    case 'upsert':
      return [{ ':person/name': o.name, ':person/age': o.age, ':person/aliases': [o.alias], ':person/tags': [kw(`:t/${o.alias}`)] }];
    case 'befriend':
      return [{ ':db/id': ref, ':person/friends': [[':person/name', o.friend]] }];
    case 'retractAge':
      return [[':db/retract', ref, ':person/age']];
    case 'retractEntity':
      return [[':db/retractEntity', ref]];
    case 'counter':
      return [{ ':db/id': ref, ':person/counter': o.n }];
    case 'index':
      return [];
  }
}

describe('writing the segment index', () => {
  it('gives, after any run of transactions and incremental merges, exactly the trees of the in-memory value', async () => {
    let transactions = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 40 }), fc.integer({ min: 2, max: 6 }), async (ops, segmentDatoms) => {
        const store = await memoryStorage().open('prop');
        let db = peopleDb();
        let root: RootPointer | undefined;
        const check = async (): Promise<void> => {
          root = (await publish(store, db, root, segmentDatoms)).pointer;
          const lazy = lazyDb(await readIndexRoot(store, root), new SegmentCache(store));
          expect(await treesAsText(lazy)).toEqual(await treesAsText(db));
          expect(lazy.state.schema.attrs).toEqual(db.state.schema.attrs);
          expect(lazy.state.maxEid).toBe(db.state.maxEid);
        };
        for (const o of ops) {
          if (o.kind === 'index') {
            await check();
            continue;
          }
          try {
            db = transact(db, txFor(o), { now: new Date(2000 + db.basisT) }).dbAfter as Db;
            transactions++;
          } catch {
            // lookup refs to people not (or no longer) there: the op is just skipped
          }
        }
        await check();
      }),
      { numRuns: 60 },
    );
    // Most generated operations must have gone through, or the property says little.
    expect(transactions).toBeGreaterThan(60 * 5);
  });

  it('rewrites only the segments a small transaction touched and shares the rest with the previous root', async () => {
    const store = await memoryStorage().open('share');
    const big = syntheticDb(5_000);
    const first = await publish(store, big, undefined, 128);
    expect(first.reused).toBe(0);
    const total = first.written;
    const next = transact(big, [{ ':person/name': 'person-17', ':person/age': 99 }, { ':person/name': 'newcomer', ':person/age': 1 }]).dbAfter as Db;
    const second = await publish(store, next, first.pointer, 128);
    // Per index, the segments around person-17's age, the new entity, and the transaction entity, plus
    // one new segment per history index for the retracted age: a few dozen at most, of hundreds.
    expect(total).toBeGreaterThan(500);
    expect(second.written).toBeLessThanOrEqual(20);
    expect(second.reused).toBeGreaterThan(total - 20);
    const root = decodeIndexRoot(await store.getBlob(second.pointer.blob), 'test');
    expect(root.previous).toBe(first.pointer.blob);
    expect(root.basisT).toBe(next.basisT);
    const lazy = lazyDb(root, new SegmentCache(store));
    expect(await treesAsText(lazy)).toEqual(await treesAsText(next));
  });

  it('leaves the event loop turning while it encodes, as it runs beside the writer', async () => {
    const store = await memoryStorage().open('slices');
    const db = syntheticDb(2_000);
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const { written } = await writeIndex(store, db, undefined, { segmentDatoms: 16 });
    running = false;
    expect(written).toBeGreaterThan(500);
    expect(turns).toBeGreaterThan(5);
  });

  it('opens without any log before the index, and says where to read it', async () => {
    const store = await memoryStorage().open('unloaded');
    const db = syntheticDb(3);
    const { pointer } = await publish(store, db, undefined, 64);
    const lazy = lazyDb(await readIndexRoot(store, pointer), new SegmentCache(store));
    const entries = [...lazy.txRange()];
    expect(lazy.basisT).toBe(db.basisT);
    expect(entries.map((entry) => entry.t)).toEqual(Array.from({ length: db.basisT }, (_, i) => i + 1));
    expect(() => entries[1]!.data).toThrow('log entry t=2 predates the segment index this database was opened from: read it from storage (Connection.txRange)');
  });

  it('refuses a value that is not a plain database and a previous index from the future', async () => {
    const store = await memoryStorage().open('bad');
    const db = peopleDb();
    await expect(writeIndex(store, db.history(), undefined)).rejects.toThrow(/without asOf, since or history/);
    await expect(writeIndex(store, db, undefined, { segmentDatoms: 0 })).rejects.toThrow(/segmentDatoms must be a positive integer/);
    const later = transact(db, [{ ':person/name': 'x' }]).dbAfter as Db;
    const ahead = await publish(store, later, undefined, 8);
    await expect(writeIndex(store, db, ahead.pointer)).rejects.toThrow(/past the database's t/);
  });
});
