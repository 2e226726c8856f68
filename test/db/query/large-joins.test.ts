// Joins with many rows probe whole-attribute slices instead of one index lookup per row; their
// answers must match a plain computation over the same data.
import { describe, expect, it } from 'vitest';
import { kw } from '../../../runtime/db/edn-names.js';
import { q } from '../../../runtime/db/query/index.js';
import { FIRST_ENTITY, fixtureDb } from './fixture-db.js';

const NAMES = ['Ivan', 'Petr', 'Oleg', 'Anna'];
const persons = Array.from({ length: 300 }, (_, i) => ({
  name: NAMES[(i * 7) % 4]!,
  age: (i * 13) % 50,
  sex: kw(i % 3 === 0 ? 'male' : 'female'),
  ...(i % 5 === 0 ? {} : { salary: (i * 37) % 1000 }),
}));
const db = fixtureDb({ age: { valueType: 'long' }, salary: { valueType: 'long' }, sex: { valueType: 'keyword' } }, persons);
const idOf = (i: number) => FIRST_ENTITY + i;
const keyed = (rows: unknown) => new Set((rows as unknown[][]).map((r) => JSON.stringify(r)));

describe('joins over many rows', () => {
  it('joins by entity (bound e, AEVT slice)', () => {
    const expected = persons.flatMap((p, i) => (p.name === 'Ivan' && p.sex === kw('male') && p.salary !== undefined ? [[idOf(i), p.salary]] : []));
    expect(keyed(q('[:find ?e ?s :where [?e :name "Ivan"] [?e :sex :male] [?e :salary ?s]]', db))).toEqual(keyed(expected));
  });

  it('joins by value (bound v, AVET slice)', () => {
    const expected = new Set<string>();
    persons.forEach((p, i) => {
      if (p.name !== 'Anna') return;
      persons.forEach((o, j) => {
        if (o.age === p.age) expected.add(JSON.stringify([idOf(i), idOf(j)]));
      });
    });
    expect(keyed(q('[:find ?e ?f :where [?e :name "Anna"] [?e :age ?a] [?f :age ?a]]', db))).toEqual(expected);
  });

  it('ranges over a value twice, then from the cached slice', () => {
    const expected = keyed(persons.flatMap((p, i) => (p.salary !== undefined && p.salary >= 900 && p.salary < 950 ? [[idOf(i)]] : [])));
    const query = '[:find ?e :in $ ?lo ?hi :where [?e :salary ?s] [(>= ?s ?lo)] [(< ?s ?hi)]]';
    expect(keyed(q(query, db, 900, 950))).toEqual(expected);
    expect(keyed(q(query, db, 900, 950))).toEqual(expected);
    expect(keyed(q(query, db, 900, 950))).toEqual(expected);
  });

  it('filters many rows with not', () => {
    const expected = keyed(persons.flatMap((p, i) => (p.salary === undefined ? [[idOf(i)]] : [])));
    expect(keyed(q('[:find ?e :where [?e :name] (not [?e :salary])]', db))).toEqual(expected);
  });
});
