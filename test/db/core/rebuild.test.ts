import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Database, type Db, applyTxData, dbFromDatoms, emptyDb, kw, logDatoms, pull, transact } from '../../../runtime/db/index.js';
import { PEOPLE, eav, peopleDb, schemaTx } from './helpers.js';

/** Everything observable; `anyLogOrder` compares each logged transaction's datoms as a set. */
function everything(db: Database, anyLogOrder = false): unknown {
  const h = db.history();
  return {
    basisT: db.basisT,
    live: (['eavt', 'aevt', 'avet', 'vaet'] as const).map((ix) => eav(db.datoms(ix))),
    history: (['eavt', 'aevt', 'avet', 'vaet'] as const).map((ix) => [...h.datoms(ix)].map((d) => [d.e, d.a, d.v, d.tx, d.added])),
    log: [...db.txRange()].map((e) => [e.t, anyLogOrder ? eav(e.data).map((x) => JSON.stringify(x)).sort() : eav(e.data)]),
  };
}

function sample(): Db {
  let db = peopleDb();
  const r = transact(db, [{ ':db/id': 'i', ':person/name': 'Ivan', ':person/age': 1, ':person/counter': 1, ':person/address': { ':address/city': 'A' } }], { now: new Date(2000) });
  db = r.dbAfter as Db;
  db = transact(db, [{ ':db/id': r.tempids.i!, ':person/age': 2, ':person/counter': 2, ':person/friends': [{ ':person/name': 'Petr' }] }], { now: new Date(3000) }).dbAfter as Db;
  db = transact(db, [[':db/retractEntity', [kw(':person/name'), 'Petr']], schemaTx({ ':late/attr': { type: 'string' } })[0]], { now: new Date(4000) }).dbAfter as Db;
  return transact(db, [{ ':late/attr': 'x' }], { now: new Date(5000) }).dbAfter as Db;
}

describe('rebuilding for storage', () => {
  it('restores a database from all its datoms, in any order', () => {
    const db = sample();
    const datoms = [...logDatoms(db)];
    expect(everything(dbFromDatoms(datoms))).toEqual(everything(db));
    // Within a transaction the log keeps the order the datoms came in (the instant first).
    expect(everything(dbFromDatoms(datoms.slice().reverse(), { basisT: db.basisT }), true)).toEqual(everything(db, true));
    const restored = dbFromDatoms(datoms);
    const next = transact(restored, [{ ':late/attr': 'y' }], { now: new Date(1) });
    expect(next.dbAfter.basisT).toBe(db.basisT + 1);
    expect(next.txData[0]!.v).toEqual(new Date(5000));
    expect(next.tempids).toEqual({});
    expect(Math.min(...next.txData.slice(1).map((d) => d.e))).toBeGreaterThan(Math.max(...datoms.filter((d) => d.e < 2 ** 29).map((d) => d.e)));
  });

  it('replays logged transactions to the same database', () => {
    const db = sample();
    let replayed: Database = emptyDb();
    for (const entry of db.txRange()) replayed = applyTxData(replayed, entry.data);
    expect(everything(replayed)).toEqual(everything(db));
    expect(pull(replayed, ['*'], [kw(':person/name'), 'Ivan'])).toEqual(pull(db, ['*'], [kw(':person/name'), 'Ivan']));
  });

  it('rejects datoms that do not fit', () => {
    const db = sample();
    const entries = [...db.txRange()];
    expect(() => applyTxData(emptyDb(), entries[1]!.data)).toThrow(/datom of tx/);
    expect(() => dbFromDatoms(entries.slice(1).flatMap((e) => e.data))).toThrow(/transaction 1 is missing/);
    expect(() => dbFromDatoms([...logDatoms(db)], { basisT: 2 })).toThrow(/beyond basisT 2/);
  });

  it('agrees with transact for random histories (property)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), who: fc.nat(5), age: fc.nat(3), alias: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ kind: fc.constant('retract' as const), who: fc.nat(5), alias: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ kind: fc.constant('kill' as const), who: fc.nat(5) }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 4 }), { maxLength: 12 }), (txs) => {
        let db: Database = transact(emptyDb(), schemaTx(PEOPLE)).dbAfter;
        for (const ops of txs) {
          const data = ops.map((o) => {
            const who = [kw(':person/name'), `p${o.who}`];
            if (o.kind === 'add') return { ':person/name': `p${o.who}`, ':person/age': o.age, ':person/aliases': o.alias };
            if (db.entid(who as never) === undefined) return { ':person/name': `p${o.who}` };
            if (o.kind === 'retract') return [':db/retract', who, ':person/aliases', o.alias];
            return [':db/retractEntity', who];
          });
          try {
            db = transact(db, data).dbAfter;
          } catch {
            // Conflicting random ops fail as a whole; the history simply has one transaction fewer.
          }
        }
        expect(everything(dbFromDatoms(logDatoms(db)))).toEqual(everything(db));
        let replayed: Database = emptyDb();
        for (const e of db.txRange()) replayed = applyTxData(replayed, e.data);
        expect(everything(replayed)).toEqual(everything(db));
      }),
      { numRuns: 40 },
    );
  });
});
