// Queries against the db core's database values (emptyDb + transact): pull in :find, history and
// asOf values, source-qualified clauses, rules given as data.
import { describe, expect, it } from 'vitest';
import { emptyDb, kw, list, readEdn, sym, transact } from '../../../runtime/db/index.js';
import { q } from '../../../runtime/db/query/index.js';

const attr = (ident: string, type: string, many = false) => ({
  ':db/ident': kw(ident),
  ':db/valueType': kw(`:db.type/${type}`),
  ':db/cardinality': kw(many ? ':db.cardinality/many' : ':db.cardinality/one'),
});
const schema = transact(emptyDb(), [attr(':person/name', 'string'), attr(':person/age', 'long'), attr(':person/friend', 'ref', true)]).dbAfter;
const first = transact(schema, [
  { ':db/id': 'ann', ':person/name': 'Ann', ':person/age': 30, ':person/friend': ['bob'] },
  { ':db/id': 'bob', ':person/name': 'Bob', ':person/age': 40 },
]);
const ann = first.tempids.ann!;
const bob = first.tempids.bob!;
const second = transact(first.dbAfter, [[':db/add', ann, ':person/age', 31]]);
const db = second.dbAfter;

describe('queries over the db core', () => {
  it('keeps a rule called against two databases apart', () => {
    const later = transact(db, [{ ':db/id': 'carl', ':person/name': 'Carl' }, { ':db/id': bob, ':person/friend': ['carl'] }]);
    const carl = later.tempids.carl!;
    const rules = '[[(reach ?a ?b) [?a :person/friend ?b]] [(reach ?a ?b) [?a :person/friend ?x] (reach ?x ?b)]]';
    const query = '[:find ?side ?b :in $old $new % ?p :where (or (and ($old reach ?p ?b) [(ground :old) ?side]) (and ($new reach ?p ?b) [(ground :new) ?side]))]';
    const found = q(query, db, later.dbAfter, rules, ann) as unknown[][];
    expect(new Set(found.map(([side, b]) => `${String(side)} ${String(b)}`))).toEqual(new Set([`:old ${bob}`, `:new ${bob}`, `:new ${carl}`]));
  });

  it('pulls in :find', () => {
    expect(q('[:find (pull ?e [:person/name {:person/friend [:person/name]}]) . :where [?e :person/name "Ann"]]', db)).toEqual({
      ':person/name': 'Ann',
      ':person/friend': [{ ':person/name': 'Bob' }],
    });
    const query = [kw(':find'), list(sym('pull'), sym('$'), sym('?e'), [kw(':person/age')]), kw(':where'), [sym('?e'), kw(':person/name')]];
    expect(q(query, db)).toEqual(expect.arrayContaining([[{ ':person/age': 31 }], [{ ':person/age': 40 }]]));
  });

  it('pulls with a pattern given as an input', () => {
    expect(q('[:find (pull ?e ?p) . :in $ ?p :where [?e :person/name "Bob"]]', db, [kw(':person/name')])).toEqual({ ':person/name': 'Bob' });
    expect(() => q('[:find (pull ?e ?p) :in $ [?p ...] :where [?e :person/name]]', db, [[kw(':person/name')]])).toThrow(/pull pattern \?p must be a scalar :in input/);
  });

  it('sees history and past values', () => {
    expect(q('[:find ?a . :where [?e :person/name "Ann"] [?e :person/age ?a]]', db)).toBe(31);
    expect(q('[:find ?a . :in $ ?e :where [?e :person/age ?a]]', db.asOf(first.dbAfter.basisT), ann)).toBe(30);
    const changes = q('[:find ?a ?added :in $ ?e :where [?e :person/age ?a _ ?added]]', db.history(), ann) as unknown[];
    expect(new Set(changes.map((r) => JSON.stringify(r)))).toEqual(new Set(['[30,true]', '[30,false]', '[31,true]']));
    // History holds 30 twice (asserted, retracted); the answer is still a set.
    expect(q('[:find ?a :in $ ?e :where [?e :person/age ?a]]', db.history(), ann)).toEqual(expect.arrayContaining([[30], [31]]));
    expect(q('[:find ?a :in $ ?e :where [?e :person/age ?a]]', db.history(), ann)).toHaveLength(2);
  });

  it('joins transaction entities through the tx position', () => {
    const instant = q('[:find ?when . :in $ ?e :where [?e :person/age 31 ?tx] [?tx :db/txInstant ?when]]', db, ann);
    expect(instant).toBeInstanceOf(Date);
  });

  it('runs source-qualified rules, not and or against the named database', () => {
    const rules = readEdn('[[(friend-of ?a ?b) [?a :person/friend ?b]]]');
    expect(q('[:find ?b . :in $old % ?a :where ($old friend-of ?a ?b)]', first.dbAfter, rules, ann)).toBe(bob);
    expect(q('[:find [?e ...] :in $x :where [$x ?e :person/name] ($x not [?e :person/friend _])]', db)).toEqual([bob]);
    expect(q('[:find [?e ...] :in $x :where [$x ?e :person/name] ($x or [?e :person/age 40] [?e :person/age 99])]', db)).toEqual([bob]);
  });
});
