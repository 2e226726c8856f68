import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Database, type Datom, TxError, compareValues, dbFromDatoms, emptyDb, kw, logDatoms, transact } from '../../../runtime/db/index.js';
import { PEOPLE, schemaTx } from './helpers.js';

const NAMES = ['a', 'b', 'c', 'd', 'e'];

// Random transactions over a small people world: adds, updates, retractions, whole-entity retractions.
const txArb = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('add' as const), who: fc.constantFrom(...NAMES), age: fc.nat(5), alias: fc.constantFrom('x', 'y', 'z'), friend: fc.constantFrom(...NAMES) }),
    fc.record({ kind: fc.constant('retract' as const), who: fc.constantFrom(...NAMES), alias: fc.constantFrom('x', 'y', 'z') }),
    fc.record({ kind: fc.constant('kill' as const), who: fc.constantFrom(...NAMES) }),
  ),
  { maxLength: 4 },
);

type Op = { kind: string; who: string; age?: number; alias?: string; friend?: string };

function toTxData(db: Database, ops: Op[]): unknown[] {
  return ops.map((o) => {
    const ref = [kw(':person/name'), o.who] as const;
    if (o.kind === 'add') return { ':person/name': o.who, ':person/age': o.age, ':person/aliases': o.alias, ':person/friends': { ':person/name': o.friend } };
    if (db.entid(ref) === undefined) return { ':person/name': o.who };
    if (o.kind === 'retract') return [':db/retract', ref, ':person/aliases', o.alias];
    return [':db/retractEntity', ref];
  });
}

function run(txs: Op[][]): Database[] {
  const dbs: Database[] = [transact(emptyDb(), schemaTx(PEOPLE), { now: new Date(0) }).dbAfter];
  for (const ops of txs) {
    const db = dbs[dbs.length - 1]!;
    try {
      dbs.push(transact(db, toTxData(db, ops)).dbAfter);
    } catch (e) {
      if (!(e instanceof TxError)) throw e;
    }
  }
  return dbs;
}

const facts = (db: Database, index: 'eavt' | 'aevt' | 'avet' | 'vaet' = 'eavt'): unknown[] => [...db.datoms(index)].map((d) => [d.e, d.a, d.v, d.tx]);

function modelOrder(index: 'eavt' | 'aevt' | 'avet' | 'vaet'): (x: Datom, y: Datom) => number {
  const parts: Record<string, (d: Datom) => unknown> = { e: (d) => d.e, a: (d) => d.a, v: (d) => d.v };
  const order = index.slice(0, 3).split('').map((c) => parts[c]!);
  return (x, y) => {
    for (const f of order) {
      const c = compareValues(f(x), f(y));
      if (c !== 0) return c;
    }
    return 0;
  };
}

describe('database properties', () => {
  it('keeps every index sorted and holding the same facts', () => {
    fc.assert(
      fc.property(fc.array(txArb, { maxLength: 10 }), (txs) => {
        const db = run(txs).at(-1)!;
        const eavt = [...db.datoms('eavt')];
        for (const ix of ['eavt', 'aevt', 'avet'] as const) {
          const ds = [...db.datoms(ix)];
          expect(ds).toEqual(eavt.slice().sort(modelOrder(ix)));
        }
        const refAttrs = new Set([':person/friends', ':person/address', ':person/best'].map((a) => db.entid(kw(a))));
        const refs = eavt.filter((d) => refAttrs.has(d.a));
        expect([...db.datoms('vaet')].filter((d) => refAttrs.has(d.a))).toEqual(refs.sort(modelOrder('vaet')));
      }),
      { numRuns: 50 },
    );
  });

  it('asOf(t) sees exactly what the database of transaction t held', () => {
    fc.assert(
      fc.property(fc.array(txArb, { maxLength: 10 }), (txs) => {
        const dbs = run(txs);
        const last = dbs.at(-1)!;
        for (const db of dbs) {
          for (const ix of ['eavt', 'aevt', 'avet', 'vaet'] as const) expect(facts(last.asOf(db.basisT), ix)).toEqual(facts(db, ix));
          expect(facts(last.since(db.basisT))).toEqual(facts(last).filter((f) => (f as number[])[3]! > (db.basisT + 2 ** 29)));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('history holds every assertion and retraction of the log', () => {
    fc.assert(
      fc.property(fc.array(txArb, { maxLength: 10 }), (txs) => {
        const db = run(txs).at(-1)!;
        const logged = [...db.txRange()].flatMap((e) => e.data).filter((d) => db.attribute(d.a)!.noHistory === false);
        const key = (d: Datom): string => JSON.stringify([d.e, d.a, d.v, d.tx, d.added]);
        const bootstrap = [...db.history().datoms('eavt')].filter((d) => d.tx === 2 ** 29);
        expect([...db.history().datoms('eavt')].map(key).sort()).toEqual([...logged, ...bootstrap].map(key).sort());
      }),
      { numRuns: 40 },
    );
  });

  it('gives every value the history a rebuild from its datoms has, whichever values are read first', () => {
    // Transactions leave history unbuilt; reading some values first changes where later reads start from.
    const historyFacts = (db: Database): unknown[] =>
      (['eavt', 'aevt', 'avet', 'vaet'] as const).map((ix) => [...db.history().datoms(ix)].map((d) => [d.e, d.a, d.v, d.tx, d.added]));
    fc.assert(
      fc.property(fc.array(txArb, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 4 }), (txs, readFirst) => {
        const dbs = run(txs);
        for (const i of readFirst) historyFacts(dbs[i % dbs.length]!);
        for (const db of dbs) expect(historyFacts(db)).toEqual(historyFacts(dbFromDatoms(logDatoms(db))));
      }),
      { numRuns: 40 },
    );
  });

  it('a transaction with a failing op changes nothing', () => {
    fc.assert(
      fc.property(fc.array(txArb, { maxLength: 6 }), txArb, fc.nat(4), (txs, ops, at) => {
        const db = run(txs).at(-1)!;
        const data = toTxData(db, ops);
        data.splice(Math.min(at, data.length), 0, { ':person/age': 'not a long' });
        const before = facts(db);
        expect(() => transact(db, data)).toThrow(TxError);
        expect(facts(db)).toEqual(before);
        expect(db.basisT).toBe(run(txs).at(-1)!.basisT);
      }),
      { numRuns: 40 },
    );
  });
});
