// Recursive rules against a reference: the transitive closure of random graphs computed by search,
// for linear and non-linear rule bodies and for free and bound calls (each evaluated differently).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { q } from '../../../runtime/db/query/index.js';
import { FIRST_ENTITY, fixtureDb } from './fixture-db.js';

const graph = fc.integer({ min: 1, max: 25 }).chain((n) => fc.uniqueArray(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 40, selector: ([a, b]) => `${a} ${b}` }).map((edges) => ({ n, edges })));

function dbOf(n: number, edges: [number, number][]) {
  return fixtureDb(
    { next: { valueType: 'ref', cardinality: 'many' } },
    Array.from({ length: n }, (_, i) => ({ id: FIRST_ENTITY + i, next: edges.filter(([a]) => a === i).map(([, b]) => FIRST_ENTITY + b) })),
  );
}

function closure(n: number, edges: [number, number][]): Set<string> {
  const out = new Set<string>();
  for (let s = 0; s < n; s++) {
    const seen = new Set<number>();
    const todo = edges.filter(([a]) => a === s).map(([, b]) => b);
    while (todo.length > 0) {
      const x = todo.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      out.add(`${FIRST_ENTITY + s} ${FIRST_ENTITY + x}`);
      for (const [a, b] of edges) if (a === x) todo.push(b);
    }
  }
  return out;
}

const RULES = {
  right: '[[(reach ?a ?b) [?a :next ?b]] [(reach ?a ?b) [?a :next ?x] (reach ?x ?b)]]',
  left: '[[(reach ?a ?b) [?a :next ?b]] [(reach ?a ?b) (reach ?a ?x) [?x :next ?b]]]',
  doubling: '[[(reach ?a ?b) [?a :next ?b]] [(reach ?a ?b) (reach ?a ?x) (reach ?x ?b)]]',
};

describe('recursive rules', () => {
  for (const [shape, rules] of Object.entries(RULES)) {
    it(`compute the transitive closure (${shape} recursion)`, () => {
      fc.assert(
        fc.property(graph, ({ n, edges }) => {
          const db = dbOf(n, edges);
          const expected = closure(n, edges);
          const all = q('[:find ?a ?b :in $ % :where (reach ?a ?b)]', db, rules) as number[][];
          expect(new Set(all.map(([a, b]) => `${a} ${b}`))).toEqual(expected);
          const from = q('[:find [?b ...] :in $ % ?a :where (reach ?a ?b)]', db, rules, FIRST_ENTITY) as number[];
          expect(new Set(from.map((b) => `${FIRST_ENTITY} ${b}`))).toEqual(new Set([...expected].filter((p) => p.startsWith(`${FIRST_ENTITY} `))));
        }),
        { numRuns: 60 },
      );
    });
  }
});
