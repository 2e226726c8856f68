import { describe, expect, it } from 'vitest';
import { type Db, emptyDb, kw, transact } from '../../../runtime/db/index.js';
import { schemaTx } from './helpers.js';

function db(): Db {
  let d = transact(emptyDb(), schemaTx({ ':reg/course': { type: 'string' }, ':reg/student': { type: 'string' }, ':reg/pair': { type: 'keyword', many: true } })).dbAfter as Db;
  d = transact(d, schemaTx({
    ':reg/key': { type: 'tuple', tupleAttrs: [':reg/course', ':reg/student'], unique: 'value' },
    ':reg/scores': { type: 'tuple', tupleType: 'long' },
    ':reg/point': { type: 'tuple', tupleTypes: ['string', 'long'] },
    ':reg/many': { type: 'tuple', tupleType: 'string', many: true },
  })).dbAfter as Db;
  return d;
}

describe('tuples', () => {
  it('maintains composite tuples from their parts', () => {
    let d = db();
    const r = transact(d, [{ ':db/id': 'r', ':reg/course': 'math' }]);
    const e = r.tempids.r!;
    d = r.dbAfter as Db;
    expect(d.entity(e)!.get(':reg/key')).toEqual(['math', null]);
    d = transact(d, [[':db/add', e, ':reg/student', 'ann']]).dbAfter as Db;
    expect(d.entity(e)!.get(':reg/key')).toEqual(['math', 'ann']);
    expect(d.entid([kw(':reg/key'), ['math', 'ann']])).toBe(e);
    expect(() => transact(d, [{ ':reg/course': 'math', ':reg/student': 'ann' }])).toThrow(/unique conflict: :reg\/key \["math" "ann"\]/);
    d = transact(d, [[':db/retract', e, ':reg/course', 'math'], [':db/retract', e, ':reg/student', 'ann']]).dbAfter as Db;
    expect(d.entity(e)!.get(':reg/key')).toBeUndefined();
    expect(() => transact(d, [{ ':reg/key': ['a', 'b'] }])).toThrow(/composite tuple/);
  });

  it('checks homogeneous and fixed tuples element by element', () => {
    const d = db();
    const r = transact(d, [{ ':db/id': 'x', ':reg/scores': [1, 2, 3], ':reg/point': ['a', 1], ':reg/many': [['a', 'b'], ['c', 'd']] }]);
    const e = r.dbAfter.entity(r.tempids.x!)!;
    expect(e.get(':reg/scores')).toEqual([1, 2, 3]);
    expect(e.get(':reg/many')).toEqual([['a', 'b'], ['c', 'd']]);
    expect(() => transact(d, [{ ':reg/scores': [1, 'a'] }])).toThrow(/:reg\/scores element 1 expects a long/);
    expect(() => transact(d, [{ ':reg/point': ['a', 1, 2] }])).toThrow(/tuple of 2 elements, got 3/);
    expect(() => transact(d, [{ ':reg/point': [1] }])).toThrow(/2 to 8 elements/);
    expect(() => transact(d, [{ ':reg/point': 'a' }])).toThrow(/expects a tuple/);
  });

  it('rejects tuple attributes without exactly one tuple definition', () => {
    expect(() => transact(emptyDb(), schemaTx({ ':t': { type: 'tuple' } }))).toThrow(/exactly one of :db\/tupleAttrs, :db\/tupleType, :db\/tupleTypes/);
    expect(() => transact(emptyDb(), schemaTx({ ':t': { type: 'tuple', tupleAttrs: [':nope', ':nope2'] } }))).toThrow(/unknown attribute :nope/);
  });
});
