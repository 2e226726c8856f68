import { describe, expect, it } from 'vitest';
import { kw, sym } from '../../../runtime/db/edn-names.js';
import { list } from '../../../runtime/db/edn/index.js';
import { QueryError, q } from '../../../runtime/db/query/index.js';
import { fixtureDb } from './fixture-db.js';
import { ANNA, IVAN, OLEG, PETR, db, people, schema } from './people.js';

const sorted = (x: unknown) => [...(x as unknown[])].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe('find specs', () => {
  it('returns a relation of distinct tuples', () => {
    expect(sorted(q('[:find ?a :where [_ :age ?a]]', db))).toEqual([[15], [22], [37]]);
  });
  it('returns a scalar, or null when nothing matches', () => {
    expect(q('[:find ?e . :where [?e :name "Oleg"]]', db)).toBe(OLEG);
    expect(q('[:find ?e . :where [?e :name "Nobody"]]', db)).toBe(null);
  });
  it('returns a collection', () => {
    expect(sorted(q('[:find [?n ...] :where [?e :sex :male] [?e :name ?n]]', db))).toEqual(['Ivan', 'Oleg', 'Petr']);
  });
  it('returns a single tuple', () => {
    expect(q('[:find [?n ?a] :where [?e :name ?n] [?e :age ?a] [(< ?a 16)]]', db)).toEqual(['Ivan', 15]);
  });
  it('returns objects for :keys, :strs and :syms', () => {
    expect(q('[:find ?n ?a :keys name age :where [?e :name ?n] [?e :age 15] [?e :age ?a]]', db)).toEqual([{ name: 'Ivan', age: 15 }]);
    expect(q('[:find ?n :strs name :where [?e :age 15] [?e :name ?n]]', db)).toEqual([{ name: 'Ivan' }]);
    expect(q('[:find [?n ?a] :syms n a :where [?e :age 15] [?e :name ?n] [?e :age ?a]]', db)).toEqual({ n: 'Ivan', a: 15 });
  });
  it('accepts the map form and query data', () => {
    const form = new Map<unknown, unknown>([
      [kw(':find'), [sym('?n')]],
      [kw(':where'), [[sym('?e'), kw(':age'), 22], [sym('?e'), kw(':name'), sym('?n')]]],
    ]);
    expect(q(form, db)).toEqual([['Anna']]);
    expect(q({ find: [sym('?n')], where: [[sym('?e'), kw(':age'), 22], [sym('?e'), kw(':name'), sym('?n')]] }, db)).toEqual([['Anna']]);
    // In data, a plain string is a string constant, never a symbol or keyword.
    expect(q([kw(':find'), sym('?e'), sym('.'), kw(':where'), [sym('?e'), kw(':name'), 'Petr']], db)).toBe(PETR);
  });
});

describe(':in', () => {
  it('binds scalars, tuples, collections and relations', () => {
    expect(q('[:find ?e . :in $ ?n :where [?e :name ?n]]', db, 'Anna')).toBe(ANNA);
    expect(q('[:find ?e . :in $ [?n ?a] :where [?e :name ?n] [?e :age ?a]]', db, ['Oleg', 37])).toBe(OLEG);
    expect(sorted(q('[:find [?e ...] :in $ [?n ...] :where [?e :name ?n]]', db, ['Oleg', 'Ivan', 'Nobody']))).toEqual([IVAN, OLEG]);
    expect(sorted(q('[:find ?e ?x :in $ [[?n ?x]] :where [?e :name ?n]]', db, [['Oleg', 1], ['Anna', 2]]))).toEqual([
      [OLEG, 1],
      [ANNA, 2],
    ]);
  });
  it('queries several databases and collections as sources', () => {
    const other = fixtureDb(schema, [{ name: 'Ivan', age: 99 }]);
    expect(q('[:find ?a1 ?a2 :in $1 $2 :where [$1 ?e1 :name ?n] [$2 ?e2 :name ?n] [$1 ?e1 :age ?a1] [$2 ?e2 :age ?a2]]', db, other)).toEqual([[15, 99]]);
    expect(q('[:find ?k ?v :in $ :where [?k ?v]]', [['a', 1], ['a', 1]])).toEqual([['a', 1]]);
    expect(sorted(q('[:find ?k ?v :in $ :where [?k ?v] [(> ?v 1)]]', [['a', 1], ['b', 2], ['c', 3]]))).toEqual([
      ['b', 2],
      ['c', 3],
    ]);
  });
  it('resolves lookup refs and idents in entity position', () => {
    expect(q('[:find ?a . :in $ ?e :where [?e :age ?a]]', db, [kw(':name'), 'Petr'])).toBe(37);
    expect(q('[:find ?a . :where [[:name "Petr"] :age ?a]]', db)).toBe(37);
    expect(q('[:find ?n . :where [?e :follows [:name "Petr"]] [?e :name ?n]]', db)).toBe('Ivan');
  });
  it('says how many inputs a query takes', () => {
    expect(() => q('[:find ?e :in $ ?x :where [?e :name ?x]]', db)).toThrow(/takes 2 inputs \(:in\), got 1/);
  });
});

describe('patterns', () => {
  it('matches blanks, constants and repeated variables', () => {
    expect(sorted(q('[:find ?e :where [?e :follows _]]', db))).toEqual([[IVAN], [PETR], [OLEG]]);
    expect(sorted(q('[:find ?e :where [?e :sex :female]]', db))).toEqual([[ANNA]]);
    const loop = fixtureDb({ likes: { valueType: 'ref' } }, [{ likes: 1000 }, { likes: 1000 }]);
    expect(q('[:find ?e :where [?e :likes ?e]]', loop)).toEqual([[1000]]);
  });
  it('binds attributes as ids and reads history with the added flag', () => {
    const ageId = db.attribute(kw(':age'))!.id;
    expect(q('[:find ?a . :where [?e :name "Anna"] [?e ?a 22]]', db)).toBe(ageId);
    const h = fixtureDb(schema, [{ name: 'X', age: 1 }], undefined, [{ id: 1000, age: 1 }]);
    expect(q('[:find ?a :where [_ :age ?a]]', h)).toEqual([]);
    expect(sorted(q('[:find ?a ?added :where [_ :age ?a _ ?added]]', h.history()))).toEqual([
      [1, false],
      [1, true],
    ]);
  });
  it('matches nothing for an unknown attribute', () => {
    expect(q('[:find ?e :where [?e :nope _]]', db)).toEqual([]);
  });
});

describe('predicates and functions', () => {
  it('applies comparison and arithmetic built-ins', () => {
    expect(sorted(q('[:find ?n :where [?e :age ?a] [(>= ?a 22)] [(< ?a 37)] [?e :name ?n]]', db))).toEqual([['Anna']]);
    expect(q('[:find ?x . :where [?e :name "Ivan"] [?e :age ?a] [(* ?a 2) ?y] [(+ ?y 1 1) ?x]]', db)).toBe(32);
    expect(q('[:find [?q ?r ?m] :where [(quot -7 2) ?q] [(rem -7 2) ?r] [(mod -7 2) ?m]]', db)).toEqual([-3, -1, 1]);
    expect(q('[:find ?x . :where [(inc 9007199254740993N) ?x]]', db)).toBe(9007199254740994n);
    expect(q('[:find ?x . :where [(max 1 5 3) ?x]]', db)).toBe(5);
    expect(sorted(q('[:find ?a :where [_ :age ?a] [(even? ?a)]]', db))).toEqual([[22]]);
    expect(sorted(q('[:find ?a :where [_ :age ?a] [(not= ?a 37)] [(!= ?a 22)]]', db))).toEqual([[15]]);
  });
  it('applies string, regex and collection built-ins', () => {
    expect(q('[:find ?s . :where [(str "a" 1 :k) ?s]]', db)).toBe('a1:k');
    expect(q('[:find ?s . :where [(subs "hello" 1 3) ?s]]', db)).toBe('el');
    expect(q('[:find ?c . :where [(count "hello") ?c]]', db)).toBe(5);
    expect(sorted(q('[:find ?n :where [_ :name ?n] [(re-find #"^[IO]" ?n)]]', db))).toEqual([['Ivan'], ['Oleg']]);
    expect(sorted(q('[:find ?n :where [_ :name ?n] [(re-find "^[IO]" ?n)]]', db))).toEqual([['Ivan'], ['Oleg']]);
    expect(q('[:find ?m . :where [(re-pattern "(a)(b)") ?p] [(re-matches ?p "ab") ?m]]', db)).toEqual(['ab', 'a', 'b']);
    expect(q('[:find ?m . :where [(re-seq "\\\\d" "a1b2") ?m]]', db)).toEqual(['1', '2']);
    expect(q('[:find ?k . :where [(keyword "a" "b") ?k]]', db)).toBe(kw(':a/b'));
    expect(q('[:find [?n ?ns] :where [(name :a/b) ?n] [(namespace :a/b) ?ns]]', db)).toEqual(['b', 'a']);
    expect(q('[:find ?v . :where [(vector 1 2) ?v]]', db)).toEqual([1, 2]);
    expect(q('[:find ?m . :where [(hash-map :a 1) ?m]]', db)).toEqual(new Map([[kw(':a'), 1]]));
  });
  it('binds tuples, collections and relations from function results', () => {
    expect(sorted(q('[:find ?x :where [(ground [1 2 3]) [?x ...]]]', db))).toEqual([[1], [2], [3]]);
    expect(q('[:find ?a ?b :where [(ground [[1 2]]) [[?a ?b]]]]', db)).toEqual([[1, 2]]);
    expect(q('[:find ?a ?b :where [(tuple 1 2) ?t] [(untuple ?t) [?a ?b]]]', db)).toEqual([[1, 2]]);
    expect(q('[:find ?x :where [(ground 1) ?x] [(ground 2) ?x]]', db)).toEqual([]);
  });
  it('reads the database with get-else, get-some and missing?', () => {
    expect(sorted(q('[:find ?n ?s :where [?e :name ?n] [(get-else $ ?e :salary 0) ?s]]', db))).toEqual([
      ['Anna', 0],
      ['Ivan', 100],
      ['Oleg', 200],
      ['Petr', 300],
    ]);
    expect(q('[:find ?n . :where [?e :name ?n] [(missing? $ ?e :salary)]]', db)).toBe('Anna');
    const salary = db.attribute(kw(':salary'))!.id;
    const age = db.attribute(kw(':age'))!.id;
    expect(sorted(q('[:find ?n ?a ?v :where [?e :name ?n] [(get-some $ ?e :salary :age) [?a ?v]]]', db))).toEqual([
      ['Anna', age, 22],
      ['Ivan', salary, 100],
      ['Oleg', salary, 200],
      ['Petr', salary, 300],
    ]);
  });
  it('rejects get-else with a nil default or a cardinality-many attribute', () => {
    expect(() => q('[:find ?x :where [?e :name] [(get-else $ ?e :age nil) ?x]]', db)).toThrow(/get-else: nil default/);
    expect(() => q('[:find ?x :where [?e :name] [(get-else $ ?e :aliases "-") ?x]]', db)).toThrow(/aliases is cardinality many/);
  });
  it('calls allow-listed functions by name and names an unknown one', () => {
    expect(sorted(q('[:find ?n :where [?e :name ?n] [?e :age ?a] [(src/fns.isAdult ?a)]]', db))).toEqual([['Anna'], ['Oleg'], ['Petr']]);
    expect(q('[:find ?i . :where [?e :age 15] [?e :name ?n] [(src/fns.initials ?n) ?i]]', db)).toBe('I');
    expect(() => q('[:find ?n :where [?e :name ?n] [(src/fns.nope ?n)]]', db)).toThrow(/unknown function src\/fns\.nope.*in \[\(src\/fns\.nope \?n\)\]/);
  });
  it('drops rows where a function returns nil', () => {
    expect(q('[:find ?x :where [(get {} :a) ?x]]'.replace('(get {} :a)', '(identity nil)'), db)).toEqual([]);
  });
  it('reports a function that throws with its clause', () => {
    expect(() => q('[:find ?x :where [(subs nil 1) ?x]]'.replace('subs nil 1', '+ "a" 1'), db)).toThrow(/\+: not a number: a in \[\(\+ "a" 1\) \?x\]/);
  });
});

describe('not, or', () => {
  it('filters with not and not-join', () => {
    expect(sorted(q('[:find ?n :where [?e :name ?n] (not [?e :sex :male])]', db))).toEqual([['Anna']]);
    expect(sorted(q('[:find ?n :where [?e :name ?n] (not-join [?e] [?e :follows ?x] [?x :name "Anna"])]', db))).toEqual([['Anna'], ['Ivan']]);
    expect(sorted(q('[:find ?n :where [?e :name ?n] (not [?e :age ?a] [(> ?a 20)])]', db))).toEqual([['Ivan']]);
  });
  it('unions with or, and, or-join', () => {
    expect(sorted(q('[:find ?n :where [?e :name ?n] (or [?e :age 15] (and [?e :sex :female] [?e :age 22]))]', db))).toEqual([['Anna'], ['Ivan']]);
    expect(sorted(q('[:find ?n :where [?e :name ?n] (or-join [?e] [?e :salary 300] [?e :aliases "Vanya"])]', db))).toEqual([['Ivan'], ['Petr']]);
    expect(sorted(q('[:find ?e ?x :where (or-join [[?e] ?x] [?e :age ?x] [?e :salary ?x]) [?e :name "Oleg"]]', db))).toEqual([
      [OLEG, 200],
      [OLEG, 37],
    ]);
  });
  it('waits for or-join required variables, and says when they are never bound', () => {
    expect(q('[:find ?n . :where (or-join [[?e]] [?e :age 22]) [?e :name ?n]]', db)).toBe('Anna');
    expect(() => q('[:find ?e :where [?e :name] (or-join [[?x]] [?x :age 1])]', db)).toThrow(/insufficient bindings: \?x .* in \(or-join/);
  });
  it('requires the same variables in every branch of or', () => {
    expect(() => q('[:find ?e :where (or [?e :age ?a] [?e :name ?n])]', db)).toThrow(/same variables.*in \(or/);
  });
});

describe('rules', () => {
  const rules = `[[(follows* ?a ?b) [?a :follows ?b]]
                  [(follows* ?a ?b) [?a :follows ?x] (follows* ?x ?b)]
                  [(adult ?e) [?e :age ?a] [(>= ?a 18)]]]`;
  it('evaluates recursive rules to the transitive closure', () => {
    expect(sorted(q('[:find ?n :in $ % :where [?e :name "Ivan"] (follows* ?e ?x) [?x :name ?n]]', db, rules))).toEqual([['Anna'], ['Oleg'], ['Petr']]);
    expect(q('[:find (count ?x) . :in $ % :where (follows* ?e ?x)]', db, rules)).toBe(3);
    expect(sorted(q('[:find ?a ?b :in $ % :where (follows* ?a ?b) [?b :name "Anna"]]', db, rules))).toEqual([[IVAN, ANNA], [PETR, ANNA], [OLEG, ANNA]]);
  });
  it('terminates on cycles', () => {
    const ring = fixtureDb({ next: { valueType: 'ref' } }, [{ next: 1001 }, { next: 1002 }, { next: 1000 }]);
    const r = '[[(reach ?a ?b) [?a :next ?b]] [(reach ?a ?b) (reach ?a ?x) (reach ?x ?b)]]';
    expect(q('[:find (count ?b) . :in $ % :where (reach 1000 ?b)]', ring, r)).toBe(3);
    expect((q('[:find ?a ?b :in $ % :where (reach ?a ?b)]', ring, r) as unknown[]).length).toBe(9);
  });
  it('uses rules with constants, predicates and bound arguments', () => {
    expect(sorted(q('[:find ?n :in $ % :where [?e :name ?n] (adult ?e)]', db, rules))).toEqual([['Anna'], ['Oleg'], ['Petr']]);
    expect(q('[:find ?x . :in $ % :where (follows* 1002 ?x)]', db, rules)).toBe(ANNA);
  });
  it('names unknown rules and wrong arities', () => {
    expect(() => q('[:find ?x :in $ % :where (nope ?x)]', db, rules)).toThrow(/unknown rule nope/);
    expect(() => q('[:find ?x :in $ % :where (adult ?x ?y)]', db, rules)).toThrow(/rule adult takes 1 arguments, called with 2/);
    expect(() => q('[:find ?x :in $ % :where (r ?x)]', db, '[[(r ?x) [?y :age 1]]]')).toThrow(/head variable \?x is not bound by its body/);
  });
  it('accepts required-binding heads and rules as data', () => {
    const data = [[list(sym('older'), [sym('?e')], sym('?a')), [sym('?e'), kw(':age'), sym('?a')]]];
    expect(q('[:find ?a . :in $ % :where [?e :name "Anna"] (older ?e ?a)]', db, data)).toBe(22);
    expect(q('[:find ?a . :in $ % :where [?e :name "Anna"] (older ?e ?a)]', db, '[[(older [?e] ?a) [?e :age ?a]]]')).toBe(22);
  });
});

describe('aggregates', () => {
  it('computes the built-in aggregates per group', () => {
    expect(q('[:find (count ?a) (count-distinct ?a) (min ?a) (max ?a) (sum ?a) :with ?e :where [?e :age ?a]]', db)).toEqual([[4, 3, 15, 37, 111]]);
    expect(sorted(q('[:find ?s (count ?e) :where [?e :sex ?s]]', db))).toEqual([[kw('female'), 1], [kw('male'), 3]]);
    const [avg, median, variance, stddev] = (q('[:find [(avg ?a) (median ?a) (variance ?a) (stddev ?a)] :with ?e :where [?e :age ?a]]', db) as number[]);
    expect(avg).toBe(27.75);
    expect(median).toBe(29.5);
    expect(variance).toBeCloseTo(91.6875);
    expect(stddev).toBeCloseTo(Math.sqrt(91.6875));
    expect(sorted(q('[:find (distinct ?a) . :with ?e :where [?e :age ?a]]', db))).toEqual([15, 22, 37]);
  });
  it('computes the n-forms', () => {
    expect(q('[:find [(min 2 ?a) (max 2 ?a)] :with ?e :where [?e :age ?a]]', db)).toEqual([
      [15, 22],
      [37, 37],
    ]);
    const [r, s] = q('[:find [(rand 5 ?a) (sample 2 ?a)] :with ?e :where [?e :age ?a]]', db) as [number[], number[]];
    expect(r).toHaveLength(5);
    for (const x of r) expect([15, 22, 37]).toContain(x);
    expect(new Set(s).size).toBe(2);
    expect([15, 22, 37]).toContain(q('[:find (rand ?a) . :where [_ :age ?a]]', db));
  });
  it('without :with, aggregates distinct values only', () => {
    expect(q('[:find (count ?a) . :where [?e :age ?a]]', db)).toBe(3);
  });
  it('calls custom aggregates by name', () => {
    expect(q('[:find (src/fns.total ?s) . :with ?e :where [?e :salary ?s]]', db)).toBe(600);
    expect(() => q('[:find (src/fns.nope ?s) . :where [?e :salary ?s]]', db)).toThrow(/unknown aggregate src\/fns\.nope/);
  });
});

describe('malformed queries', () => {
  const error = (query: string) => {
    try {
      q(query, db);
    } catch (e) {
      expect(e).toBeInstanceOf(QueryError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  it('points at the offending clause', () => {
    expect(error('[:find ?e :where [?e :a ?v ?tx ?added ?extra]]')).toMatch(/1 to 5 elements in \[\?e :a \?v \?tx \?added \?extra\]/);
    expect(error('[:find ?e :where [?e :name ?n] [(> ?x 1)]]')).toMatch(/insufficient bindings: \?x .* in \[\(> \?x 1\)\]/);
    expect(error('[:find ?e :where [?e :name ?n] (not-join [?q] [?q :age 1])]')).toMatch(/insufficient bindings.*not-join/);
    expect(error('[:find ?x :where [?e :name ?n]]')).toMatch(/:find variable \?x is not bound by :in or :where in \[:find/);
    expect(error('[:find ?e :where (and [?e :a 1])]')).toMatch(/and is only allowed inside or in \(and/);
    expect(error('[:find ?e :where [(f) ?x ?y]]')).toMatch(/function clause/);
    expect(error('[:find ?e :wher [?e :a 1]]')).toMatch(/unknown query section :wher/);
    expect(error('[:find ?e :keys a b :where [?e :name]]')).toMatch(/:keys has 2 names for 1/);
    expect(error('[?e :where [?e :name]]')).toMatch(/must start with a keyword/);
    expect(error('[:find ?e :where [$x ?e :name]]')).toMatch(/source \$x is not bound by :in/);
  });
});

describe('lists in query data', () => {
  it('accepts EdnList forms as built by list()', () => {
    const query = [kw(':find'), list(sym('count'), sym('?e')), sym('.'), kw(':where'), [sym('?e'), kw(':name')]];
    expect(q(query, db)).toBe(people.length);
  });
});
