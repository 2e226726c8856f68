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

describe('upsert through a unique-identity composite tuple', () => {
  function enrolDb(): { db: Db; ann: number; enrolment: number } {
    let d = transact(emptyDb(), schemaTx({
      ':enrol/course': { type: 'string' },
      ':enrol/student': { type: 'ref' },
      ':enrol/grade': { type: 'long' },
      ':student/id': { type: 'string', unique: 'identity' },
    })).dbAfter as Db;
    d = transact(d, schemaTx({ ':enrol/key': { type: 'tuple', tupleAttrs: [':enrol/course', ':enrol/student'], unique: 'identity' } })).dbAfter as Db;
    const r = transact(d, [{ ':db/id': 's', ':student/id': 'ann' }, { ':db/id': 'e', ':enrol/course': 'math', ':enrol/student': 's', ':enrol/grade': 3 }]);
    return { db: r.dbAfter as Db, ann: r.tempids.s!, enrolment: r.tempids.e! };
  }

  it('resolves a tempid to the entity holding the stated tuple, with or without its attributes', () => {
    const { db, ann, enrolment } = enrolDb();
    const withParts = transact(db, [
      { ':db/id': 'x', ':enrol/key': ['math', [':student/id', 'ann']], ':enrol/course': 'math', ':enrol/student': [':student/id', 'ann'], ':enrol/grade': 5 },
    ]);
    expect(withParts.tempids.x).toBe(enrolment);
    expect(withParts.dbAfter.entity(enrolment)!.get(':enrol/grade')).toBe(5);
    expect([...withParts.dbAfter.datoms('aevt', ':enrol/course')]).toHaveLength(1);
    const alone = transact(db, [{ ':db/id': 'y', ':enrol/key': ['math', ann], ':enrol/grade': 4 }]);
    expect(alone.tempids.y).toBe(enrolment);
    expect(alone.dbAfter.entity(enrolment)!.get(':enrol/grade')).toBe(4);
  });

  it('like Datomic, does not upsert from the component attributes alone', () => {
    const { db, ann } = enrolDb();
    expect(() => transact(db, [{ ':enrol/course': 'math', ':enrol/student': ann, ':enrol/grade': 1 }])).toThrow(
      /unique conflict: :enrol\/key \["math" \d+\].*state its value in the transaction/,
    );
  });

  it('makes a new entity when no entity holds the stated tuple, tempids inside it included', () => {
    const { db } = enrolDb();
    const r = transact(db, [{ ':db/id': 's', ':student/id': 'bob' }, { ':db/id': 'n', ':enrol/key': ['math', 's'], ':enrol/course': 'math', ':enrol/student': 's' }]);
    expect(r.dbAfter.entity(r.tempids.n!)!.get(':enrol/key')).toEqual(['math', r.tempids.s]);
  });

  it('rejects a stated tuple that its attributes do not make', () => {
    const { db, ann } = enrolDb();
    expect(() => transact(db, [{ ':enrol/key': ['bio', ann], ':enrol/course': 'math', ':enrol/student': ann }])).toThrow(
      /op 0 .*composite tuple :enrol\/key is stated as \["bio" \d+\] but the attributes of entity \d+ make it \["math" \d+\]/,
    );
    expect(() => transact(db, [{ ':enrol/key': ['bio', ann] }])).toThrow(/stated as \["bio" \d+\] but .* make it absent/);
    expect(() => transact(db, [{ ':enrol/key': ['math'] }])).toThrow(/composite tuple of 2 attributes: to upsert by it, give its value as an array of 2 elements/);
    expect(() => transact(db, [{ ':enrol/key': [1, ann] }])).toThrow(/:enrol\/key element 0 \(:enrol\/course\) expects a string/);
  });
});

describe('refs inside tuples', () => {
  function refDb(): { db: Db; red: number; a: number } {
    let d = transact(emptyDb(), schemaTx({
      ':t/name': { type: 'string', unique: 'identity' },
      ':t/pair': { type: 'tuple', tupleTypes: ['ref', 'string'] },
      ':t/refs': { type: 'tuple', tupleType: 'ref' },
    })).dbAfter as Db;
    const r = transact(d, [{ ':db/id': 'red', ':db/ident': kw(':color/red') }, { ':db/id': 'a', ':t/name': 'a' }]);
    d = r.dbAfter as Db;
    return { db: d, red: r.tempids.red!, a: r.tempids.a! };
  }

  it('resolves tempids, idents and lookup refs in fixed and homogeneous tuples', () => {
    const { db, red, a } = refDb();
    const r = transact(db, [
      { ':db/id': 'n', ':t/name': 'n' },
      { ':db/id': 'x', ':t/name': 'x', ':t/pair': ['n', 'tag'], ':t/refs': [kw(':color/red'), [':t/name', 'a'], 'n', 'x', null] },
    ]);
    const x = r.dbAfter.entity(r.tempids.x!)!;
    expect(x.get(':t/pair')).toEqual([r.tempids.n, 'tag']);
    expect(x.get(':t/refs')).toEqual([red, a, r.tempids.n, r.tempids.x, null]);
    const after = transact(r.dbAfter, [[':db/retract', r.tempids.x, ':t/pair', [[':t/name', 'n'], 'tag']]]).dbAfter;
    expect(after.entity(r.tempids.x!)!.get(':t/pair')).toBeUndefined();
  });

  it('says which element failed and why', () => {
    const { db } = refDb();
    expect(() => transact(db, [{ ':t/name': 'y', ':t/refs': [kw(':nope'), 1] }])).toThrow(/:t\/refs element 0: unknown ident :nope/);
    expect(() => transact(db, [{ ':t/name': 'y', ':t/pair': [[':t/name', 'zz'], 's'] }])).toThrow(/:t\/pair element 0: lookup ref .* names no entity/);
    expect(() => transact(db, [{ ':t/name': 'y', ':t/pair': [':color/red', 's'] }])).toThrow(/:t\/pair element 0: ":color\/red" in an entity position reads like a keyword/);
    expect(() => transact(db, [{ ':t/name': 'y', ':t/refs': ['ghost', 'ghost'] }])).toThrow(/tempid "ghost" is only used as a value/);
    expect(() => transact(db, [[':db/retract', [':t/name', 'a'], ':t/pair', ['n', 'tag']]])).toThrow(/:t\/pair element 0: tempid "n" cannot be used here/);
  });
});
