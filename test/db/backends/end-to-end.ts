// A database through connect() on each backend: transactions, a checkpoint, more transactions, then
// a new storage instance over the same data recovers the same value and goes on from it.
import { expect, it } from 'vitest';
import { connect } from '../../../runtime/db/connection.js';
import { StorageConflictError } from '../../../runtime/db/storage/index.js';
import { kw } from '../../../runtime/db/edn-names.js';
import type { Database } from '../../../runtime/db/types.js';
import type { Backend } from './conformance.js';

const schema = [
  { ':db/ident': kw(':item/name'), ':db/valueType': kw(':db.type/string'), ':db/cardinality': kw(':db.cardinality/one'), ':db/unique': kw(':db.unique/identity') },
  { ':db/ident': kw(':item/count'), ':db/valueType': kw(':db.type/long'), ':db/cardinality': kw(':db.cardinality/one') },
];

/** Every datom a value holds, history included, as comparable text. */
const everything = (db: Database): string[] => [...db.history().datoms('eavt')].map((d) => `${d.e} ${d.a} ${String(d.v)} ${d.tx} ${d.added}`);

export function connectionRoundTrip(backend: Backend): void {
  it(`keeps a database through connect(), a checkpoint and a reopen on ${backend.name}`, async () => {
    const place = await backend.fresh();
    const first = place.storage();
    const conn = await connect({ storage: first, db: 'shop' });
    await conn.transact(schema);
    await Promise.all(Array.from({ length: 10 }, (_, i) => conn.transact([{ ':item/name': `item ${i}`, ':item/count': i }])));
    const root = await conn.checkpoint();
    expect(root.t).toBe(conn.db().basisT);
    await conn.transact([{ ':item/name': 'item 3', ':item/count': 33 }]);
    await conn.transact([[':db/retract', [kw(':item/name'), 'item 4'], kw(':item/count'), 4]]);
    const before = conn.db();
    await conn.close();
    await first.close();

    const second = place.storage();
    try {
      const again = await connect({ storage: second, db: 'shop' });
      expect(again.db().basisT).toBe(before.basisT);
      expect(everything(again.db())).toEqual(everything(before));
      const report = await again.transact([{ ':item/name': 'item 10', ':item/count': 10 }]);
      expect(report.dbAfter.basisT).toBe(before.basisT + 1);
      const counts = [...again.db().datoms('aevt', again.db().entid(kw(':item/count'))!)].map((d) => d.v).sort((a, b) => Number(a) - Number(b));
      expect(counts).toEqual([0, 1, 2, 5, 6, 7, 8, 9, 10, 33]);
      await again.close();
    } finally {
      await second.close();
    }
  });

  it(`loses no acknowledged transaction when two writers in separate instances race on ${backend.name}`, async () => {
    const place = await backend.fresh();
    const storages = [place.storage(), place.storage()];
    try {
      const [a, b] = await Promise.all(storages.map((storage) => connect({ storage, db: 'race' })));
      await a!.transact(schema);
      await b!.sync();
      const acknowledged: string[] = [];
      const write = async (conn: typeof a, who: string): Promise<void> => {
        for (let i = 0; i < 12; i++) {
          const name = `${who} ${i}`;
          try {
            await conn!.transact([{ ':item/name': name, ':item/count': i }]);
            acknowledged.push(name);
          } catch (error) {
            // Losing the compare-and-set more often than the connection retries is allowed; anything else is not.
            expect(error).toBeInstanceOf(StorageConflictError);
          }
        }
      };
      await Promise.all([write(a, 'a'), write(b, 'b')]);
      const names = (db: Database): string[] => [...db.datoms('aevt', db.entid(kw(':item/name'))!)].map((d) => String(d.v)).sort();
      const [dbA, dbB] = [await a!.sync(), await b!.sync()];
      expect(names(dbA)).toEqual([...acknowledged].sort());
      expect(everything(dbB)).toEqual(everything(dbA));
      expect(acknowledged.length).toBeGreaterThanOrEqual(12);
      await a!.close();
      await b!.close();
    } finally {
      for (const storage of storages) await storage.close();
    }
  });
}
