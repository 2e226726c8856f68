import { describe, expect, it } from 'vitest';
import { type Db, kw, pull, pullMany, sym, transact } from '../../../runtime/db/index.js';
import { peopleDb } from './helpers.js';

function world(): { db: Db; ids: Record<string, number> } {
  const r = transact(peopleDb(), [
    { ':db/id': 'i', ':person/name': 'Ivan', ':person/age': 30, ':person/aliases': ['Vanya', 'John'], ':person/address': { ':db/id': 'addr', ':address/city': 'Tula' } },
    { ':db/id': 'p', ':person/name': 'Petr', ':person/friends': ['i', 'o'], ':person/best': 'i' },
    { ':db/id': 'o', ':person/name': 'Oleg', ':person/friends': ['p'] },
  ]);
  return { db: r.dbAfter as Db, ids: r.tempids as Record<string, number> };
}

describe('pull', () => {
  it('pulls attributes, :db/id and the wildcard with components whole', () => {
    const { db, ids } = world();
    expect(pull(db, [':person/name', ':person/age', ':db/id'], ids.i!)).toEqual({ ':db/id': ids.i, ':person/name': 'Ivan', ':person/age': 30 });
    expect(pull(db, ['*'], ids.i!)).toEqual({
      ':db/id': ids.i,
      ':person/name': 'Ivan',
      ':person/age': 30,
      ':person/aliases': ['John', 'Vanya'],
      ':person/address': { ':db/id': ids.addr, ':address/city': 'Tula' },
    });
    expect(pull(db, [kw(':person/name'), sym('*')], [kw(':person/name'), 'Petr'])![':person/best']).toEqual({ ':db/id': ids.i });
  });

  it('nests patterns through refs, forward and reverse, as objects or EDN Maps', () => {
    const { db, ids } = world();
    expect(pull(db, [':person/name', { ':person/friends': [':person/name'] }], ids.p!)).toEqual({
      ':person/name': 'Petr',
      ':person/friends': [{ ':person/name': 'Ivan' }, { ':person/name': 'Oleg' }],
    });
    expect(pull(db, [new Map([[kw(':person/_friends'), [kw(':person/name')]]])], ids.i!)).toEqual({ ':person/_friends': [{ ':person/name': 'Petr' }] });
    expect(pull(db, [':address/city', ':person/_address'], ids.addr!)).toEqual({ ':address/city': 'Tula', ':person/_address': { ':db/id': ids.i } });
  });

  it('applies :as, :limit and :default in all three spellings', () => {
    const { db, ids } = world();
    expect(pull(db, [[':person/name', ':as', 'name'], [':person/aliases', ':limit', 1], [':person/email', ':default', 'none']], ids.i!)).toEqual({
      name: 'Ivan',
      ':person/aliases': ['John'],
      ':person/email': 'none',
    });
    expect(pull(db, [{ attr: ':person/aliases', as: 'aka', limit: null }, { attr: ':person/friends', as: 'fs', limit: 1, pattern: [':person/name'] }], ids.p!)).toEqual({ fs: [{ ':person/name': 'Ivan' }] });
    expect(pull(db, [[sym('limit'), ':person/aliases', 1], [sym('default'), ':person/age', 0]], ids.p!)).toEqual({ ':person/age': 0 });
    expect(pull(db, [new Map([[[kw(':person/friends'), kw(':limit'), 1], [kw(':person/name')]]])], ids.p!)).toEqual({ ':person/friends': [{ ':person/name': 'Ivan' }] });
  });

  it('limits cardinality-many values to 1000 unless told otherwise', () => {
    const r = transact(peopleDb(), [{ ':db/id': 'x', ':person/aliases': Array.from({ length: 1200 }, (_, i) => `a${i}`) }]);
    expect((pull(r.dbAfter, [':person/aliases'], r.tempids.x!)![':person/aliases'] as unknown[]).length).toBe(1000);
    expect((pull(r.dbAfter, [[':person/aliases', ':limit', null]], r.tempids.x!)![':person/aliases'] as unknown[]).length).toBe(1200);
  });

  it('recurses without bound through cycles, and to a given depth', () => {
    const { db, ids } = world();
    expect(pull(db, [':person/name', { ':person/friends': '...' }], ids.o!)).toEqual({
      ':person/name': 'Oleg',
      ':person/friends': [{ ':person/name': 'Petr', ':person/friends': [{ ':person/name': 'Ivan' }, { ':db/id': ids.o }] }],
    });
    expect(pull(db, [':person/name', { ':person/friends': 1 }], ids.o!)).toEqual({ ':person/name': 'Oleg', ':person/friends': [{ ':person/name': 'Petr' }] });
    expect(pull(db, [':person/name', new Map([[kw(':person/friends'), sym('...')]])], ids.i!)).toEqual({ ':person/name': 'Ivan' });
  });

  it('gives null for missing entities and pulls many at once', () => {
    const { db, ids } = world();
    expect(pull(db, ['*'], 999_999)).toBeNull();
    expect(pull(db, ['*'], [kw(':person/name'), 'Nobody'])).toBeNull();
    expect(pull(db, [':person/email'], ids.i!)).toEqual({});
    expect(pullMany(db, [':person/name'], [ids.i!, ids.p!, 999_999])).toEqual([{ ':person/name': 'Ivan' }, { ':person/name': 'Petr' }, null]);
  });

  it('explains bad patterns', () => {
    const { db, ids } = world();
    expect(() => pull(db, 'name' as never, ids.i!)).toThrow(/expected an attribute/);
    expect(() => pull(db, [[':person/name', ':bogus', 1]], ids.i!)).toThrow(/unknown attribute option ":bogus"/);
    expect(() => pull(db, [{ attr: ':person/name', size: 1 }], ids.i!)).toThrow(/unknown option "size"/);
    expect(() => pull(db, [':person/nope'], ids.i!)).toThrow(/unknown attribute :person\/nope/);
    expect(() => pull(db, [{ ':person/friends': -1 }], ids.i!)).toThrow(/recursion depth/);
    expect(() => pull(db, 5 as never, ids.i!)).toThrow(/a pull pattern is an array/);
  });
});
