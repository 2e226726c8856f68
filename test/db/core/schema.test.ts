import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Db, decimal, emptyDb, kw, transact, uuid } from '../../../runtime/db/index.js';
import { schemaTx } from './helpers.js';

describe('schema as data', () => {
  it('installs attributes of every value type and checks values against them', () => {
    const types = ['string', 'long', 'double', 'boolean', 'instant', 'uuid', 'keyword', 'bytes', 'uri', 'bigint', 'bigdec', 'symbol'];
    let db = transact(emptyDb(), schemaTx(Object.fromEntries(types.map((t) => [`:v/${t}`, { type: t }])))).dbAfter as Db;
    const good: Record<string, unknown> = {
      ':v/string': 's',
      ':v/long': 2n ** 70n,
      ':v/double': 1.5,
      ':v/boolean': false,
      ':v/instant': new Date(0),
      ':v/uuid': uuid('123e4567-e89b-12d3-a456-426614174000'),
      ':v/keyword': kw(':k'),
      ':v/bytes': new Uint8Array([1]),
      ':v/uri': new URL('https://example.com/'),
      ':v/bigint': 5n,
      ':v/bigdec': decimal('1.25'),
    };
    const r = transact(db, [{ ':db/id': 'x', ...good }]);
    db = r.dbAfter as Db;
    expect(db.entity(r.tempids.x!)!.toObject()).toEqual({ ':db/id': r.tempids.x, ...good });
    expect(db.attribute(kw(':v/bigdec'))!.valueType).toBe('decimal');
    for (const [attr, bad] of [
      [':v/string', 1],
      [':v/double', Number.NaN],
      [':v/instant', new Date(Number.NaN)],
      [':v/uuid', '123e4567-e89b-12d3-a456-426614174000'],
      [':v/bigint', 5],
      [':v/bigdec', 1.25],
      [':v/uri', 'https://example.com/'],
      [':v/boolean', 'true'],
    ] as const)
      expect(() => transact(db, [{ [attr]: bad }]), attr).toThrow(new RegExp(`${attr} expects`));
  });

  it('normalizes longs given as bigints that fit in a number', () => {
    let db = transact(emptyDb(), schemaTx({ ':n': { type: 'long', unique: 'identity' } })).dbAfter as Db;
    db = transact(db, [{ ':n': 7n }]).dbAfter as Db;
    expect(db.datomArray('aevt', ':n')[0]!.v).toBe(7);
    expect(db.entid([kw(':n'), 7n])).toBe(db.entid([kw(':n'), 7]));
  });

  it('rejects half-defined attributes and value type changes, allows other alterations', () => {
    const db = transact(emptyDb(), schemaTx({ ':a': { type: 'string' } })).dbAfter as Db;
    expect(() => transact(db, [{ ':db/ident': kw(':b'), ':db/valueType': kw(':db.type/long') }])).toThrow(/needs :db\/ident, :db\/valueType and :db\/cardinality together/);
    expect(() => transact(db, [{ ':db/id': kw(':a'), ':db/valueType': kw(':db.type/long') }])).toThrow(/cannot change its :db\/valueType from string to long/);
    expect(() => transact(db, [{ ':db/ident': kw(':c'), ':db/valueType': kw(':db.type/string'), ':db/cardinality': kw(':db.cardinality/one'), ':db/isComponent': true }])).toThrow(
      /:db\/isComponent needs :db.type\/ref/,
    );
    const altered = transact(db, [{ ':db/id': kw(':a'), ':db/cardinality': kw(':db.cardinality/many'), ':db/doc': 'many now' }]).dbAfter;
    expect(altered.attribute(kw(':a'))).toMatchObject({ cardinality: 'many', doc: 'many now' });
    const renamed = transact(db, [{ ':db/id': kw(':a'), ':db/ident': kw(':a2') }]).dbAfter;
    expect(renamed.attribute(kw(':a2'))!.valueType).toBe('string');
    expect(renamed.attribute(kw(':a'))).toBeUndefined();
  });

  it('does not let an attribute be used in the transaction that installs it', () => {
    expect(() => transact(emptyDb(), [...schemaTx({ ':a': { type: 'string' } }), { ':a': 'x' }])).toThrow(/unknown attribute :a/);
  });

  it('keeps enum idents as entities usable in ref positions', () => {
    let db = transact(emptyDb(), [...schemaTx({ ':color': { type: 'ref' } }), { ':db/ident': kw(':color/red') }]).dbAfter as Db;
    const r = transact(db, [{ ':db/id': 'x', ':color': kw(':color/red') }]);
    db = r.dbAfter as Db;
    expect(db.datomArray('eavt', r.tempids.x!, ':color')[0]!.v).toBe(db.entid(kw(':color/red')));
    expect([...db.datoms('avet', ':color', kw(':color/red'))].length).toBe(1);
  });
});

describe('altering an attribute to unique', () => {
  function emails(): { db: Db; ids: Record<string, number> } {
    const db = transact(emptyDb(), schemaTx({ ':u/email': { type: 'string' } })).dbAfter as Db;
    const r = transact(db, [{ ':db/id': 'a', ':u/email': 'x@e' }, { ':db/id': 'b', ':u/email': 'x@e' }, { ':db/id': 'c', ':u/email': 'y@e' }]);
    return { db: r.dbAfter as Db, ids: r.tempids };
  }

  it('fails when current values repeat, naming the attribute, the value and the op', () => {
    const { db, ids } = emails();
    for (const unique of [':db.unique/identity', ':db.unique/value'])
      expect(() => transact(db, [{ ':db/id': kw(':u/email'), ':db/unique': kw(unique) }])).toThrow(
        new RegExp(`op 0 .*cannot make :u/email unique: value "x@e" is held by entities (${ids.a} and ${ids.b}|${ids.b} and ${ids.a})`),
      );
  });

  it('succeeds once the values are distinct (retracted ones do not count), and lookups by it work', () => {
    let { db, ids } = emails();
    db = transact(db, [[':db/retract', ids.b, ':u/email', 'x@e']]).dbAfter as Db;
    db = transact(db, [[':db/add', kw(':u/email'), ':db/unique', kw(':db.unique/identity')]]).dbAfter as Db;
    expect(db.entid([kw(':u/email'), 'x@e'])).toBe(ids.a);
    expect([...db.datoms('avet', kw(':u/email'), 'y@e')].map((d) => d.e)).toEqual([ids.c]);
    expect(transact(db, [{ ':db/id': 'n', ':u/email': 'y@e' }]).tempids.n).toBe(ids.c);
    expect(() => transact(db, [[':db/add', ids.b, ':u/email', 'x@e']])).toThrow(/unique conflict: :u\/email "x@e"/);
  });

  it('succeeds exactly when the current values are distinct (property)', () => {
    const base = transact(emptyDb(), schemaTx({ ':u/n': { type: 'long' } })).dbAfter as Db;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 6 }), (values) => {
        const db = values.length === 0 ? base : (transact(base, values.map((v) => ({ ':u/n': v }))).dbAfter as Db);
        const make = (): unknown => transact(db, [[':db/add', kw(':u/n'), ':db/unique', kw(':db.unique/value')]]);
        if (new Set(values).size === values.length) expect(make).not.toThrow();
        else expect(make).toThrow(/cannot make :u\/n unique/);
      }),
      { numRuns: 60 },
    );
  });
});
