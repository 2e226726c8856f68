import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../../runtime/cast/index.js';
import { connect } from '../../../runtime/db/connection.js';
import { kw } from '../../../runtime/db/index.js';
import { SegmentCache, openSegmentDb, withSegments } from '../../../runtime/db/segments/index.js';
import { decodeIndexRoot, isIndexRoot } from '../../../runtime/db/segments/segment-codec.js';
import { memoryStorage } from '../../../runtime/db/storage/index.js';
import type { Database } from '../../../runtime/db/types.js';
import { PEOPLE, schemaTx } from '../core/helpers.js';

let restoreCast: () => void;
beforeAll(() => {
  restoreCast = redirect(tapSink());
});
afterAll(() => restoreCast());

/** Every datom a value holds, history included, as comparable text. */
const everything = (db: Database): string[] => [...db.history().datoms('eavt')].map((d) => `${d.e} ${d.a} ${String(d.v)} ${d.tx} ${d.added}`);

describe('connections writing segment indexes as their checkpoints', () => {
  it('merges the log into segments in the background and recovers the writer from them', async () => {
    const storage = memoryStorage();
    const conn = await connect({ storage, db: 'app', checkpoint: { everyTransactions: 5, format: 'segments' } });
    await conn.transact(schemaTx(PEOPLE));
    for (let i = 0; i < 12; i++) {
      await conn.transact([{ ':person/name': `p${i % 4}`, ':person/age': i, ':person/aliases': [`a${i}`] }]);
    }
    const first = await conn.checkpoint();
    const store = await storage.open('app');
    const bytes = await store.getBlob(first.blob);
    expect(isIndexRoot(bytes)).toBe(true);
    await conn.transact([[':db/retractEntity', [kw(':person/name'), 'p1']]]);
    const second = await conn.checkpoint();
    expect(decodeIndexRoot(await store.getBlob(second.blob), 'test').previous).toBe(first.blob);
    await conn.transact([{ ':person/name': 'late', ':person/age': 99 }]);
    const before = everything(conn.db());
    await conn.close();

    const again = await connect({ storage, db: 'app', checkpoint: { format: 'segments' } });
    expect(again).not.toBe(conn);
    expect(everything(again.db())).toEqual(before);
    const report = await again.transact([{ ':person/name': 'after', ':person/age': 1 }]);
    expect(report.dbAfter.basisT).toBe(again.db().basisT);

    const reader = await openSegmentDb(new SegmentCache(store));
    expect(reader.basisT).toBe(again.db().basisT);
    expect(await withSegments(() => everything(reader))).toEqual(everything(again.db()));
    await again.close();
  });

  it('refuses an unknown checkpoint format', async () => {
    await expect(connect({ storage: memoryStorage(), db: 'x', checkpoint: { format: 'zip' as 'segments' } })).rejects.toThrow(/checkpoint.format must be 'snapshot' or 'segments', got zip/);
  });

  it('tells a reader when the root is a snapshot checkpoint rather than a segment index', async () => {
    const storage = memoryStorage();
    const conn = await connect({ storage, db: 'snap' });
    await conn.transact(schemaTx(PEOPLE));
    await conn.checkpoint();
    await expect(openSegmentDb(new SegmentCache(await storage.open('snap')))).rejects.toThrow(/snapshot checkpoint, not a segment index: write checkpoints with format 'segments'/);
    await conn.close();
  });
});
