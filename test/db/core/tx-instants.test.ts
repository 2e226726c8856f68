// A value made by transactions keeps its recent :db/txInstant datoms beside its trees (the instant
// run); a bulk-loaded value holds the same datoms in its trees. Every read must see the two alike.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Database, type Datom, type Db, TxError, applyTxData, dbFromDatoms, emptyDb, kw, logDatoms, q, tToTx, transact } from '../../../runtime/db/index.js';
import { schemaTx } from './helpers.js';

const SCHEMA = schemaTx({
  ':item/name': { type: 'string' },
  ':item/size': { type: 'long' },
  ':item/next': { type: 'ref' },
  ':tx/note': { type: 'string' },
  ':tx/by': { type: 'ref' },
});
const NAMES = ['a', 'b', 'c'];

// Transactions of items, some annotating their own transaction entity or an earlier one.
const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('item' as const), name: fc.constantFrom(...NAMES), size: fc.nat(3) }),
  fc.record({ kind: fc.constant('note' as const), note: fc.constantFrom('x', 'y') }),
  fc.record({ kind: fc.constant('noteEarlier' as const), back: fc.nat(4), note: fc.constantFrom('x', 'y') }),
  fc.record({ kind: fc.constant('retractSize' as const), name: fc.constantFrom(...NAMES), size: fc.nat(3) }),
  fc.record({ kind: fc.constant('sameInstant' as const) }),
);
type Step = typeof stepArb extends fc.Arbitrary<infer S> ? S : never;

const at = (ms: number): Date => new Date(Date.UTC(2026, 0, 1) + ms);

function build(steps: readonly Step[]): Db {
  let db = transact(emptyDb(), SCHEMA, { now: at(0) }).dbAfter as Db;
  const ids = new Map<string, number>();
  for (const [i, s] of steps.entries()) {
    // Every other transaction shares its instant with the one before: ties must keep t order.
    const now = at(Math.floor(i / 2) * 1000);
    let tx: unknown[];
    if (s.kind === 'item') tx = [{ ':db/id': ids.get(s.name) ?? s.name, ':item/name': s.name, ':item/size': s.size }];
    else if (s.kind === 'note') tx = [[':db/add', 'datomic.tx', ':tx/note', s.note]];
    else if (s.kind === 'noteEarlier') tx = [[':db/add', tToTx(Math.max(1, db.basisT - s.back)), ':tx/note', s.note]];
    else if (s.kind === 'retractSize') {
      const e = ids.get(s.name);
      tx = e === undefined ? [] : [[':db/retract', e, ':item/size', s.size]];
    } else tx = [[':db/add', 'datomic.tx', ':db/txInstant', now]];
    try {
      const r = transact(db, tx, { now });
      for (const [name, id] of Object.entries(r.tempids)) if (NAMES.includes(name)) ids.set(name, id);
      db = r.dbAfter as Db;
    } catch (e) {
      if (!(e instanceof TxError)) throw e;
    }
  }
  return db;
}

const text = (ds: Iterable<Datom>): string[] => [...ds].map((d) => `${d.e} ${d.a} ${String(d.v instanceof Date ? d.v.getTime() : d.v)} ${d.tx} ${d.added}`);

// Reads that reach the instants: whole indexes, each transaction entity, the attribute, seeks and value ranges.
function reads(db: Database): Record<string, string[]> {
  const instant = kw(':db/txInstant');
  const out: Record<string, string[]> = {};
  for (const index of ['eavt', 'aevt', 'avet', 'vaet'] as const) out[index] = text(db.datoms(index));
  for (let t = 0; t <= db.basisT; t++) {
    out[`eavt ${t}`] = text(db.datoms('eavt', tToTx(t)));
    out[`eavt ${t} instant`] = text(db.datoms('eavt', tToTx(t), instant));
    out[`seek eavt ${t}`] = text(db.seekDatoms('eavt', tToTx(t))).slice(0, 5);
    out[`seek aevt ${t}`] = text(db.seekDatoms('aevt', instant, tToTx(t))).slice(0, 5);
  }
  out['aevt instant'] = text(db.datoms('aevt', instant));
  out['avet instant'] = text(db.datoms('avet', instant));
  out['avet instant at 1000'] = text(db.datoms('avet', instant, at(1000)));
  out['range 1000..3000'] = text(db.indexRange(instant, at(1000), at(3000)));
  out['range from 2000'] = text(db.indexRange(instant, at(2000)));
  out['query'] = (q('[:find ?tx ?inst :where [?tx :db/txInstant ?inst]]', db) as unknown[][]).map(String).sort();
  out['entity'] = [String(db.entity(tToTx(db.basisT))?.get(':db/txInstant'))];
  return out;
}

function views(db: Database): Record<string, Record<string, string[]>> {
  const half = Math.floor(db.basisT / 2);
  return { now: reads(db), asOf: reads(db.asOf(half)), since: reads(db.since(half)), history: reads(db.history()) };
}

describe('transaction instants beside the trees', () => {
  it('read alike whether transacted, replayed or bulk loaded, in every index and view', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 14 }), (steps) => {
        const db = build(steps);
        const loaded = dbFromDatoms(logDatoms(db), { basisT: db.basisT });
        let replayed: Database = emptyDb();
        for (const entry of db.txRange()) replayed = applyTxData(replayed, entry.data);
        // Replaying on a bulk-loaded start mixes the two: older instants in trees, newer beside them.
        let mixed: Database = dbFromDatoms([...db.txRange({ end: 3 })].flatMap((e) => e.data), { basisT: Math.min(2, db.basisT) });
        for (const entry of db.txRange({ start: mixed.basisT + 1 })) mixed = applyTxData(mixed, entry.data);
        const expected = views(loaded);
        expect(views(db)).toEqual(expected);
        expect(views(replayed)).toEqual(expected);
        expect(views(mixed)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('puts the instant first in the tx data and the log, and keeps it out of the trees', () => {
    const base = transact(emptyDb(), SCHEMA, { now: at(0) }).dbAfter;
    const r = transact(base, [{ ':item/name': 'a' }], { now: at(5) });
    expect(r.txData[0]).toMatchObject({ e: tToTx(2), v: at(5), tx: tToTx(2), added: true });
    expect([...r.dbAfter.txRange({ start: 2 })][0]!.data[0]).toBe(r.txData[0]);
    expect([...r.dbAfter.datoms('eavt', tToTx(2))]).toEqual([r.txData[0]]);
  });

  it('accepts the transaction stating its own instant, once or repeated', () => {
    const base = transact(emptyDb(), SCHEMA, { now: at(0) }).dbAfter;
    const r = transact(base, [
      [':db/add', 'datomic.tx', ':db/txInstant', at(7)],
      [':db/add', 'datomic.tx', ':db/txInstant', at(7)],
      [':db/add', 'datomic.tx', ':tx/note', 'imported'],
    ]);
    expect([...r.dbAfter.datoms('eavt', tToTx(2))].map((d) => d.v)).toEqual([at(7), 'imported']);
  });

  it('refuses to assert an instant for another entity, to retract or swap one, or two values for one transaction', () => {
    const base = transact(emptyDb(), SCHEMA, { now: at(0) }).dbAfter;
    const first = tToTx(1);
    const cases: [unknown[], RegExp][] = [
      [[[':db/add', first, ':db/txInstant', at(9)]], /:db\/txInstant cannot be asserted for entity 536870913: only a transaction states its own instant/],
      [[{ ':item/name': 'x', ':db/txInstant': at(9) }], /:db\/txInstant cannot be asserted for entity 1005: only a transaction/],
      [[[':db/retract', first, ':db/txInstant', at(0)]], /:db\/txInstant of entity 536870913 cannot be retracted or swapped: the instants of transactions are permanent/],
      [[[':db/cas', first, ':db/txInstant', at(0), at(9)]], /cannot be retracted or swapped/],
      [
        [
          [':db/add', 'datomic.tx', ':db/txInstant', at(7)],
          [':db/add', 'datomic.tx', ':db/txInstant', at(8)],
        ],
        /two values for :db\/txInstant of this transaction/,
      ],
    ];
    for (const [tx, message] of cases) expect(() => transact(base, tx, { now: at(1) }), JSON.stringify(tx)).toThrow(message);
  });

  it('keeps the instant when a transaction entity is retracted whole, whether in a tree or beside it', () => {
    let db = transact(emptyDb(), SCHEMA, { now: at(0) }).dbAfter;
    db = transact(db, [[':db/add', 'datomic.tx', ':tx/note', 'n']], { now: at(1) }).dbAfter;
    for (const value of [db, dbFromDatoms(logDatoms(db), { basisT: db.basisT })]) {
      const after = transact(value, [[':db/retractEntity', tToTx(2)]], { now: at(2) }).dbAfter;
      expect([...after.datoms('eavt', tToTx(2))].map((d) => d.v)).toEqual([at(1)]);
    }
  });

  it('lets built-in attributes be documented but not altered or renamed', () => {
    const base = emptyDb();
    const txInstant = kw(':db/txInstant');
    expect(() => transact(base, [[':db/add', txInstant, ':db/unique', kw(':db.unique/value')]])).toThrow(/built-in attribute :db\/txInstant cannot be altered, only documented/);
    expect(() => transact(base, [[':db/add', txInstant, ':db/cardinality', kw(':db.cardinality/many')]])).toThrow(/built-in attribute :db\/txInstant cannot be altered/);
    expect(() => transact(base, [[':db/add', txInstant, ':db/ident', kw(':my/instant')]])).toThrow(/built-in ident :db\/txInstant cannot be renamed or retracted/);
    expect(() => transact(base, [[':db/retract', kw(':db.type/long'), ':db/ident', kw(':db.type/long')]])).toThrow(/built-in ident :db.type\/long cannot be renamed or retracted/);
    const documented = transact(base, [[':db/add', txInstant, ':db/doc', 'When it happened.']]).dbAfter;
    expect(documented.attribute(txInstant)?.doc).toBe('When it happened.');
  });
});
