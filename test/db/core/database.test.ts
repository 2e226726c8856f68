import { describe, expect, it } from 'vitest';
import { type Db, emptyDb, kw, tToTx, transact, txToT, TX0 } from '../../../runtime/db/index.js';
import { eav, peopleDb } from './helpers.js';

const name = kw(':person/name');

function people(): { db: Db; ids: Record<string, number>; t: number[] } {
  let db = peopleDb();
  const t: number[] = [];
  const r1 = transact(db, [
    { ':db/id': 'i', ':person/name': 'Ivan', ':person/age': 30, ':person/aliases': ['Vanya', 'John'] },
    { ':db/id': 'p', ':person/name': 'Petr', ':person/age': 25, ':person/friends': ['i'] },
  ], { now: new Date(2000) });
  db = r1.dbAfter as Db;
  t.push(db.basisT);
  db = transact(db, [[':db/add', r1.tempids.i!, ':person/age', 31]], { now: new Date(3000) }).dbAfter as Db;
  t.push(db.basisT);
  db = transact(db, [[':db/retract', r1.tempids.i!, ':person/aliases', 'John']], { now: new Date(4000) }).dbAfter as Db;
  t.push(db.basisT);
  return { db, ids: r1.tempids as Record<string, number>, t };
}

describe('ids', () => {
  it('maps t to transaction ids and back', () => {
    expect(tToTx(0)).toBe(TX0);
    expect(txToT(tToTx(42))).toBe(42);
  });
});

describe('index access', () => {
  it('scans prefixes of each index in index order, by ids, idents or lookup refs', () => {
    const { db, ids } = people();
    expect(eav(db.datoms('eavt', ids.i, ':person/aliases'), db)).toEqual([[ids.i, ':person/aliases', 'Vanya', true]]);
    expect(eav(db.datoms('eavt', [name, 'Ivan'], name), db)).toEqual([[ids.i, ':person/name', 'Ivan', true]]);
    expect([...db.datoms('aevt', ':person/age')].map((d) => d.v)).toEqual([31, 25]);
    expect([...db.datoms('avet', name)].map((d) => d.v)).toEqual(['Ivan', 'Petr']);
    expect([...db.datoms('avet', name, 'Petr')].map((d) => d.e)).toEqual([ids.p]);
    expect([...db.datoms('vaet', ids.i)].map((d) => d.e)).toEqual([ids.p]);
    expect([...db.datoms('vaet', [name, 'Ivan'], ':person/friends')].map((d) => d.e)).toEqual([ids.p]);
    expect(db.datomArray('aevt', kw(':person/age'), ids.p).map((d) => d.v)).toEqual([25]);
    expect([...db.datoms('eavt', 999_999)]).toEqual([]);
    expect([...db.datoms('eavt', [name, 'Nobody'])]).toEqual([]);
    expect(() => db.datoms('xyz' as never)).toThrow(/unknown index xyz/);
  });

  it('iterates a datoms result more than once', () => {
    const { db } = people();
    const range = db.datoms('aevt', ':person/age');
    expect([...range].length).toBe(2);
    expect([...range].length).toBe(2);
  });

  it('seeks to a position and reads to the end of the index', () => {
    const { db } = people();
    const fromAge = [...db.seekDatoms('avet', ':person/age', 26)];
    expect(fromAge[0]!.v).toBe(31);
    expect(fromAge.length).toBeGreaterThan(2);
  });

  it('reads value ranges of one attribute', () => {
    let db = peopleDb();
    db = transact(db, Array.from({ length: 100 }, (_, i) => ({ ':person/age': i }))).dbAfter as Db;
    expect([...db.indexRange(':person/age' as never, 10, 13)].map((d) => d.v)).toEqual([10, 11, 12]);
    expect([...db.indexRange(kw(':person/age'), 97)].map((d) => d.v)).toEqual([97, 98, 99]);
    expect([...db.indexRange(kw(':person/age'), undefined, 2)].map((d) => d.v)).toEqual([0, 1]);
    expect([...db.indexRange(kw(':no/attr'))]).toEqual([]);
  });

  it('keeps many datoms sorted in every index', () => {
    let db = peopleDb();
    for (let i = 0; i < 30; i++) db = transact(db, Array.from({ length: 50 }, (_, j) => ({ ':person/age': (i * 7919 + j * 104729) % 1000, ':person/aliases': [`a${j}`, `b${i}`] }))).dbAfter as Db;
    const ages = db.datomArray('avet', ':person/age').map((d) => d.v as number);
    expect(ages).toEqual([...ages].sort((a, b) => a - b));
    const es = db.datomArray('aevt', ':person/aliases').map((d) => d.e);
    expect(es).toEqual([...es].sort((a, b) => a - b));
    expect(db.datomArray('aevt', ':person/age').length).toBe(1500);
  });
});

describe('schema access', () => {
  it('resolves idents and attributes', () => {
    const db = peopleDb();
    const id = db.entid(name)!;
    expect(db.ident(id)).toBe(name);
    expect(db.attribute(name)).toMatchObject({ id, ident: name, valueType: 'string', cardinality: 'one', unique: 'identity', isComponent: false });
    expect(db.attribute(kw(':person/address'))!.isComponent).toBe(true);
    expect(db.attribute(kw(':person/counter'))!.noHistory).toBe(true);
    expect(db.attribute(kw(':db/txInstant'))!.valueType).toBe('instant');
    expect(db.entid(kw(':db.type/bigdec'))).toBeDefined();
    expect(db.attribute(kw(':nope'))).toBeUndefined();
  });
});

describe('time', () => {
  it('sees the past with asOf (t, tx id or Date) and the new with since', () => {
    const { db, ids, t } = people();
    expect(db.asOf(t[0]!).entity(ids.i)!.get(':person/age')).toBe(30);
    expect(db.asOf(tToTx(t[0]!)).entity(ids.i)!.get(':person/age')).toBe(30);
    expect(db.asOf(new Date(3500)).entity(ids.i)!.get(':person/aliases')).toEqual(['John', 'Vanya']);
    expect(db.asOf(new Date(1500)).entity(ids.i)!.get(':person/age')).toBeUndefined();
    expect(db.asOf(t[0]!).asOfT).toBe(t[0]);
    expect([...db.since(t[0]!).datoms('eavt', ids.i)].map((d) => d.v)).toEqual([31]);
    expect(db.since(t[0]!).sinceT).toBe(t[0]);
    expect(() => db.asOf(-1)).toThrow(/asOf: expected a t/);
  });

  it('shows assertions and retractions in history', () => {
    const { db, ids, t } = people();
    const h = db.history();
    expect(h.isHistory).toBe(true);
    expect([...h.datoms('eavt', ids.i, ':person/age')].map((d) => [d.v, txToT(d.tx), d.added])).toEqual([
      [30, t[0], true],
      [30, t[1], false],
      [31, t[1], true],
    ]);
    expect([...h.datoms('aevt', ':person/aliases')].map((d) => [d.v, d.added])).toEqual([
      ['John', true],
      ['John', false],
      ['Vanya', true],
    ]);
    expect([...h.asOf(t[1]!).datoms('eavt', ids.i, ':person/aliases')].map((d) => d.added)).toEqual([true, true]);
    expect([...db.asOf(t[1]!).history().datoms('eavt', ids.i, ':person/aliases')].length).toBe(2);
  });

  it('drops retracted values of noHistory attributes', () => {
    let db = peopleDb();
    const r = transact(db, [{ ':db/id': 'c', ':person/counter': 1 }]);
    db = transact(r.dbAfter, [[':db/add', r.tempids.c!, ':person/counter', 2]]).dbAfter as Db;
    expect([...db.history().datoms('eavt', r.tempids.c!)].map((d) => d.v)).toEqual([2]);
  });

  it('refuses to transact on a filtered value', () => {
    const { db } = people();
    expect(() => transact(db.asOf(1), [])).toThrow(/asOf, since or history/);
  });
});

describe('entities', () => {
  it('navigate forward, backward, and to objects', () => {
    const { db, ids } = people();
    const petr = db.entity([name, 'Petr'])!;
    const friend = (petr.get(':person/friends') as { get(a: string): unknown; id: number }[])[0]!;
    expect(friend.get(':person/name')).toBe('Ivan');
    expect(friend.get('person/age')).toBe(31);
    expect((friend.get(':person/_friends') as { id: number }[]).map((e) => e.id)).toEqual([ids.p]);
    expect(petr.get(':db/id')).toBe(ids.p);
    expect(db.entity(ids.i)!.keys()).toEqual([':person/name', ':person/age', ':person/aliases']);
    expect(db.entity(ids.i)!.toObject()).toEqual({ ':db/id': ids.i, ':person/name': 'Ivan', ':person/age': 31, ':person/aliases': ['Vanya'] });
    expect(JSON.stringify(petr)).toBe(`{":db/id":${ids.p}}`);
    expect(db.entity(kw(':missing'))).toBeUndefined();
    expect(() => petr.get(':person/_age')).toThrow(/not a ref attribute/);
  });
});

describe('log', () => {
  it('gives transactions in t order within bounds', () => {
    const { db, t } = people();
    const all = [...db.txRange()];
    expect(all.map((e) => e.t)).toEqual([1, ...t]);
    expect([...db.txRange({ start: t[1], end: t[2] })].map((e) => e.t)).toEqual([t[1]]);
    expect([...db.txRange({ start: t[2] })][0]!.data.map((d) => d.added)).toEqual([true, false]);
    const old = db.asOf(1);
    expect([...emptyDb().txRange()]).toEqual([]);
    expect([...old.txRange()].length).toBe(4);
  });

  it('keeps branches apart: a with() on an old value does not leak into the newer log', () => {
    const { db } = people();
    const past = transact(peopleDb(), [{ ':person/name': 'X' }], { now: new Date(1) }).dbAfter;
    const branch = past.with([{ ':person/name': 'Y' }]).dbAfter;
    const other = past.with([{ ':person/name': 'Z' }]).dbAfter;
    expect([...branch.txRange()].at(-1)!.data[1]!.v).toBe('Y');
    expect([...other.txRange()].at(-1)!.data[1]!.v).toBe('Z');
    expect(db.basisT).toBe(4);
  });
});
