import { describe, expect, it } from 'vitest';
import { type Db, TxError, kw, sym, transact, tToTx, uuid } from '../../../runtime/db/index.js';
import type { FunctionRegistry } from '../../../runtime/db/index.js';
import { eav, peopleDb } from './helpers.js';

const name = kw(':person/name');

function tx(db: Db, data: unknown[], opts = {}): { db: Db; report: ReturnType<typeof transact> } {
  const report = transact(db, data, opts);
  return { db: report.dbAfter as Db, report };
}

describe('transact: list forms', () => {
  it('adds and retracts with explicit ops, as strings or Keywords', () => {
    const { db, report } = tx(peopleDb(), [
      [':db/add', 'ivan', ':person/name', 'Ivan'],
      [kw(':db/add'), 'ivan', name, 'Ivan'],
      [':db/add', 'ivan', ':person/age', 30],
    ]);
    const ivan = report.tempids.ivan!;
    expect(eav(report.txData, db).slice(1)).toEqual([
      [ivan, ':person/name', 'Ivan', true],
      [ivan, ':person/age', 30, true],
    ]);
    const { db: db2, report: r2 } = tx(db, [[':db/retract', ivan, ':person/age', 30], [':db/retract', ivan, ':person/age', 99]]);
    expect(eav(r2.txData, db2).slice(1)).toEqual([[ivan, ':person/age', 30, false]]);
    expect(db2.datomArray('eavt', ivan, ':person/age')).toEqual([]);
  });

  it('retracts every value of an attribute when no value is given', () => {
    let { db, report } = tx(peopleDb(), [{ ':db/id': 'x', ':person/aliases': ['a', 'b', 'c'] }]);
    const x = report.tempids.x!;
    ({ db, report } = tx(db, [[':db/retract', x, ':person/aliases']]));
    expect(report.txData.filter((d) => !d.added).length).toBe(3);
    expect(db.entity(x)!.get(':person/aliases')).toBeUndefined();
  });

  it('puts the transaction entity first with its instant, and numbers t from 1', () => {
    const { db, report } = tx(peopleDb(), [[':db/add', 'a', ':person/age', 1]], { now: new Date(5000) });
    expect(db.basisT).toBe(2);
    expect(report.txData[0]).toMatchObject({ e: tToTx(2), a: db.attribute(kw(':db/txInstant'))!.id, v: new Date(5000), tx: tToTx(2) });
  });
});

describe('transact: entity maps', () => {
  it('accepts Keyword keys (EDN Maps) and string keys, nested maps and reverse refs', () => {
    const { db, report } = tx(peopleDb(), [
      new Map<unknown, unknown>([
        [kw(':db/id'), 'ivan'],
        [name, 'Ivan'],
        [kw(':person/friends'), [{ ':person/name': 'Petr' }, { ':person/name': 'Oleg' }]],
      ]),
      { ':person/name': 'Anna', ':person/_friends': 'ivan' },
    ]);
    const ivan = db.entity(report.tempids.ivan!)!;
    const friends = (ivan.get(':person/friends') as { get(a: string): unknown }[]).map((f) => f.get(':person/name'));
    expect(friends.sort()).toEqual(['Anna', 'Oleg', 'Petr']);
  });

  it('treats a [uniqueAttr, value] array under a ref attribute as one lookup ref', () => {
    let { db } = tx(peopleDb(), [{ ':person/name': 'Petr' }]);
    ({ db } = tx(db, [{ ':person/name': 'Ivan', ':person/friends': [':person/name', 'Petr'], ':person/best': [name, 'Petr'] }]));
    const ivan = db.entity([name, 'Ivan'])!;
    expect((ivan.get(':person/friends') as { id: number }[]).map((e) => e.id)).toEqual([db.entid([name, 'Petr'])]);
    expect((ivan.get(':person/best') as { id: number }).id).toBe(db.entid([name, 'Petr']));
  });

  it('makes component maps entities of their own', () => {
    const { db, report } = tx(peopleDb(), [{ ':db/id': 'i', ':person/name': 'Ivan', ':person/address': { ':address/city': 'Tula' } }]);
    const address = db.entity(report.tempids.i!)!.get(':person/address') as { get(a: string): unknown; id: number };
    expect(address.get(':address/city')).toBe('Tula');
    expect((address.get(':person/_address') as { id: number }).id).toBe(report.tempids.i);
  });

  it('rejects a value without a key type, a null value and a string where a keyword is expected', () => {
    const db = peopleDb();
    expect(() => transact(db, [{ name: 'x' }])).toThrow(/entity map keys are ':ns\/name' strings or Keywords/);
    expect(() => transact(db, [{ ':person/age': null }])).toThrow(/has no value/);
    expect(() => transact(db, [{ ':person/tags': ':vip' }])).toThrow(/:person\/tags expects a keyword, got a string ":vip" \(wrap it/);
    expect(() => transact(db, [{ ':person/age': 1.5 }])).toThrow(/expects a long, got a fractional number/);
    expect(() => transact(db, [{ ':person/age': '3' }])).toThrow(/expects a long, got a string/);
  });
});

describe('transact: tempids, lookup refs, upsert', () => {
  it('upserts a tempid on a unique identity value and reports the resolved id', () => {
    let { db, report } = tx(peopleDb(), [{ ':db/id': 'a', ':person/name': 'Ivan', ':person/age': 1 }]);
    const ivan = report.tempids.a!;
    ({ db, report } = tx(db, [{ ':db/id': 'b', ':person/name': 'Ivan', ':person/age': 2 }]));
    expect(report.tempids.b).toBe(ivan);
    expect(eav(report.txData, db).slice(1)).toEqual([
      [ivan, ':person/age', 1, false],
      [ivan, ':person/age', 2, true],
    ]);
  });

  it('unifies two tempids asserting the same new identity value', () => {
    const { report } = tx(peopleDb(), [
      [':db/add', 'x', ':person/name', 'Ivan'],
      [':db/add', 'y', ':person/name', 'Ivan'],
      [':db/add', 'y', ':person/age', 5],
    ]);
    expect(report.tempids.x).toBe(report.tempids.y);
  });

  it('fails clearly on a conflicting upsert', () => {
    const { db } = tx(peopleDb(), [{ ':person/name': 'Ivan', ':person/email': 'i@x' }, { ':person/name': 'Petr' }]);
    expect(() => transact(db, [{ ':db/id': 'z', ':person/name': 'Petr', ':person/email': 'i@x' }])).toThrow(/unique conflict/);
    expect(() => transact(db, [[':db/add', 'q', ':person/name', 'Ivan'], [':db/add', 'q', ':person/name', 'Petr']])).toThrow(
      /op 1 .*conflicting upsert: tempid "q" resolves to entity \d+ and, through :person\/name "Petr", to entity \d+/,
    );
  });

  it('resolves lookup refs and idents in entity positions', () => {
    let { db } = tx(peopleDb(), [{ ':person/name': 'Ivan' }, { ':db/ident': kw(':app/config') }]);
    ({ db } = tx(db, [[':db/add', [name, 'Ivan'], ':person/age', 40], [':db/add', kw(':app/config'), ':db/doc', 'settings']]));
    expect(db.entity([name, 'Ivan'])!.get(':person/age')).toBe(40);
    expect(db.entity(kw(':app/config'))!.get(':db/doc')).toBe('settings');
    expect(() => transact(db, [[':db/add', [name, 'Nobody'], ':person/age', 1]])).toThrow(/lookup ref \[:person\/name "Nobody"\] names no entity/);
    expect(() => transact(db, [[':db/add', kw(':no/such'), ':person/age', 1]])).toThrow(/unknown ident :no\/such/);
  });

  it('refuses keyword-looking strings as tempids and tempids used only as values', () => {
    const db = peopleDb();
    expect(() => transact(db, [[':db/add', 'x', ':person/best', ':db.type/string']])).toThrow(/reads like a keyword/);
    expect(() => transact(db, [[':db/add', 'x', ':person/best', 'ghost'], [':db/add', 'x', ':person/age', 1]])).toThrow(/tempid "ghost" is only used as a value/);
  });

  it('lets explicit new entity ids through and allocates after them', () => {
    const { report } = tx(peopleDb(), [[':db/add', 5000, ':person/age', 1], [':db/add', 't', ':person/age', 2]]);
    expect(report.tempids.t).toBe(5001);
  });
});

describe('transact: cardinality, uniqueness, elision', () => {
  it('replaces a cardinality-one value and elides redundant assertions', () => {
    let { db, report } = tx(peopleDb(), [{ ':db/id': 'i', ':person/name': 'Ivan', ':person/age': 30 }]);
    const i = report.tempids.i!;
    ({ db, report } = tx(db, [[':db/add', i, ':person/age', 30], [':db/add', i, ':person/name', 'Ivan']]));
    expect(report.txData.length).toBe(1);
    expect(() => transact(db, [[':db/add', i, ':person/age', 1], [':db/add', i, ':person/age', 2]])).toThrow(/two values for cardinality-one :person\/age/);
  });

  it('rejects a unique value held by another entity, wherever the op is', () => {
    const { db } = tx(peopleDb(), [{ ':person/name': 'A', ':person/email': 'a@x' }, { ':db/id': 'b', ':person/name': 'B' }]);
    const b = db.entid([name, 'B'])!;
    const a = db.entid([name, 'A'])!;
    try {
      transact(db, [[':db/add', b, ':person/age', 3], [':db/add', b, ':person/email', 'a@x']]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TxError);
      expect((e as TxError).opIndex).toBe(1);
      expect((e as Error).message).toBe(`transaction failed at op 1 [":db/add" ${b} ":person/email" "a@x"]: unique conflict: :person/email "a@x" is already held by entity ${a} (asserted for entity ${b})`);
    }
    // Moving the value in one transaction is fine in either order.
    const moved = transact(db, [[':db/add', b, ':person/email', 'a@x'], [':db/retract', a, ':person/email', 'a@x']]).dbAfter;
    expect(moved.entid([kw(':person/email'), 'a@x'])).toBe(b);
  });

  it('rejects asserting and retracting the same fact in one transaction', () => {
    const { db, report } = tx(peopleDb(), [{ ':db/id': 'i', ':person/aliases': ['x'] }]);
    const i = report.tempids.i!;
    expect(() => transact(db, [[':db/retract', i, ':person/aliases', 'x'], [':db/add', i, ':person/aliases', 'x']])).toThrow(/both retracted and asserted/);
  });
});

describe('transact: cas and retractEntity', () => {
  it('swaps only when the current value matches', () => {
    const { db, report } = tx(peopleDb(), [{ ':db/id': 'i', ':person/name': 'Ivan', ':person/age': 30 }]);
    const i = report.tempids.i!;
    expect(transact(db, [[':db/cas', i, ':person/age', 30, 31]]).dbAfter.entity(i)!.get(':person/age')).toBe(31);
    expect(transact(db, [[':db.fn/cas', i, ':person/email', null, 'i@x']]).dbAfter.entity(i)!.get(':person/email')).toBe('i@x');
    expect(() => transact(db, [[':db/cas', i, ':person/age', 29, 31]])).toThrow(/compare-and-swap failed: :person\/age of entity \d+ is 30, expected 29/);
    expect(() => transact(db, [[':db/cas', i, ':person/aliases', 'a', 'b']])).toThrow(/cardinality-one/);
  });

  it('retracts an entity, its components recursively and references to it', () => {
    let { db, report } = tx(peopleDb(), [
      { ':db/id': 'i', ':person/name': 'Ivan', ':person/address': { ':address/city': 'Tula' } },
      { ':db/id': 'p', ':person/name': 'Petr', ':person/friends': ['i'], ':person/best': 'i' },
    ]);
    const { i, p } = report.tempids as { i: number; p: number };
    const address = (db.entity(i)!.get(':person/address') as { id: number }).id;
    ({ db, report } = tx(db, [[':db/retractEntity', [name, 'Ivan']]]));
    expect(db.datomArray('eavt', i)).toEqual([]);
    expect(db.datomArray('eavt', address)).toEqual([]);
    expect(db.entity(p)!.toObject()).toEqual({ ':db/id': p, ':person/name': 'Petr' });
    expect(report.txData.every((d, n) => n === 0 || !d.added)).toBe(true);
  });
});

describe('transact: transaction entity and functions', () => {
  it('records metadata on the transaction entity and keeps instants monotonic', () => {
    let { db, report } = tx(peopleDb(), [{ ':db/id': 'datomic.tx', ':db/doc': 'import' }], { now: new Date(9000) });
    const txId = tToTx(db.basisT);
    expect(db.entity(txId)!.get(':db/doc')).toBe('import');
    expect(db.entity(txId)!.get(':db/txInstant')).toEqual(new Date(9000));
    ({ db, report } = tx(db, [], { now: new Date(100) }));
    expect(report.txData[0]!.v).toEqual(new Date(9000));
    expect(() => transact(db, [{ ':db/id': 'datomic.tx', ':db/txInstant': new Date(10) }])).toThrow(/is before the previous transaction/);
    const given = transact(db, [{ ':db/id': 'datomic.tx', ':db/txInstant': new Date(20_000) }]);
    expect(given.txData.length).toBe(1);
    expect(given.txData[0]!.v).toEqual(new Date(20_000));
  });

  it('calls allow-listed functions with the db before and expands their tx data recursively', () => {
    const seen: number[] = [];
    const fns: Record<string, (...args: never[]) => unknown> = {
      'src/tx.inc': ((db: Db, e: number, by: number) => {
        seen.push(db.basisT);
        const cur = (db.entity(e)!.get(':person/age') as number | undefined) ?? 0;
        return [[':db/add', e, ':person/age', cur + by]];
      }) as never,
      'src/tx.twice': ((_db: Db, e: number) => [['src/tx.inc', e, 1], { ':db/id': e, ':person/aliases': 'twice' }]) as never,
      'src/tx.bad': (() => [[':db/add', 'x', ':person/age', 'old']]) as never,
      'src/tx.throws': (() => {
        throw new Error('boom');
      }) as never,
    };
    const functions: FunctionRegistry = { resolve: (n) => fns[n] };
    const { db, report } = tx(peopleDb(), [{ ':db/id': 'i', ':person/age': 10 }]);
    const i = report.tempids.i!;
    const after = transact(db, [[sym('src/tx.twice'), i]], { functions }).dbAfter;
    expect(after.entity(i)!.get(':person/age')).toBe(11);
    expect(seen).toEqual([db.basisT]);
    expect(() => transact(db, [['src/tx.inc', i, 1]])).toThrow(/src\/tx.inc is neither a built-in op nor an allow-listed transaction function/);
    expect(() => transact(db, [['src/tx.bad']], { functions })).toThrow(/op 0 \["src\/tx.bad"\] > src\/tx.bad result 0 .*expects a long/);
    expect(() => transact(db, [['src/tx.throws']], { functions })).toThrow(/transaction function src\/tx.throws threw: boom/);
  });
});

describe('transact: all or nothing', () => {
  it('leaves the database unchanged when a later op fails', () => {
    const db = peopleDb();
    const before = db.datomArray('eavt');
    expect(() => transact(db, [{ ':person/name': 'A' }, { ':person/name': 'B', ':person/age': 'x' }])).toThrow(TxError);
    expect(db.datomArray('eavt')).toEqual(before);
    expect(transact(db, [{ ':person/name': 'A' }]).dbAfter.basisT).toBe(db.basisT + 1);
  });

  it('names the op, its index and text on failure', () => {
    try {
      transact(peopleDb(), [{ ':person/name': 'ok' }, [':db/add', 'x', ':person/nope', 1]]);
      expect.unreachable();
    } catch (e) {
      expect((e as TxError).opIndex).toBe(1);
      expect((e as Error).message).toBe('transaction failed at op 1 [":db/add" "x" ":person/nope" 1]: unknown attribute :person/nope (install it in an earlier transaction)');
    }
    expect(() => transact(peopleDb(), [[':db/add', 'x']])).toThrow(/:db\/add takes \[op, e, a, v\], got 2 elements/);
    expect(() => transact(peopleDb(), ['nope' as never])).toThrow(/list op \(an array\) or an entity map/);
    expect(() => transact(peopleDb(), [[':db/add', 'x', ':person/uuid-less', uuid('00000000-0000-0000-0000-000000000000')]])).toThrow(/unknown attribute/);
  });
});

describe('transact: nested entity maps must be components or carry a unique attribute', () => {
  it('rejects a nested map under a non-component ref without a unique attribute, saying where', () => {
    const db = peopleDb();
    let err: unknown;
    try {
      transact(db, [{ ':person/name': 'Ann' }, { ':person/name': 'Ivan', ':person/best': { ':person/age': 3 } }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TxError);
    expect((err as TxError).opIndex).toBe(1);
    expect((err as TxError).message).toMatch(/invalid nested entity \{.*:person\/age.*\} under :person\/best: a nested entity map must be the value of a component attribute or carry a unique attribute/);
    expect(() => transact(db, [{ ':person/name': 'Ivan', ':person/friends': [{ ':person/name': 'Petr' }, { ':person/age': 1 }] }])).toThrow(/invalid nested entity .* under :person\/friends/);
  });

  it('upserts a nested map by its unique attribute and accepts unique-value attributes', () => {
    let { db } = tx(peopleDb(), [{ ':person/name': 'Petr', ':person/age': 30 }]);
    const petr = db.entid([name, 'Petr']);
    ({ db } = tx(db, [{ ':person/name': 'Ivan', ':person/best': { ':person/name': 'Petr', ':person/age': 40 } }]));
    expect((db.entity([name, 'Ivan'])!.get(':person/best') as { id: number }).id).toBe(petr);
    expect(db.entity(petr!)!.get(':person/age')).toBe(40);
    ({ db } = tx(db, [{ ':person/name': 'Oleg', ':person/best': { ':person/email': 'o@x' } }]));
    expect(((db.entity([name, 'Oleg'])!.get(':person/best') as { get(a: string): unknown }).get(':person/email'))).toBe('o@x');
  });

  it('under a reverse ref needs a unique attribute even for a component attribute', () => {
    const db = peopleDb();
    expect(() => transact(db, [{ ':person/name': 'Anna', ':person/_friends': { ':person/age': 5 } }])).toThrow(/invalid nested entity .* under :person\/_friends: .*never under a reverse ref/);
    expect(() => transact(db, [{ ':address/city': 'Tula', ':person/_address': { ':person/age': 5 } }])).toThrow(/invalid nested entity .* under :person\/_address/);
    const { db: after } = tx(db, [{ ':person/name': 'Anna', ':person/_friends': { ':person/name': 'Ivan' } }]);
    const friends = after.entity([name, 'Ivan'])!.get(':person/friends') as { id: number }[];
    expect(friends.map((f) => f.id)).toEqual([after.entid([name, 'Anna'])]);
  });
});
