// DataScript as an oracle where the semantics coincide: upserting maps, nested refs, cardinality
// many, retractions and retractEntity, read back through pull (forward and reverse refs).
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Database, emptyDb, kw, pull, transact } from '../../../runtime/db/index.js';
import { schemaTx } from './helpers.js';

const ds = createRequire(import.meta.url)('datascript') as {
  empty_db(schema: object): unknown;
  db_with(db: unknown, tx: unknown[]): unknown;
  pull(db: unknown, pattern: string, eid: unknown): Record<string, unknown> | null;
};

const NAMES = ['a', 'b', 'c', 'd'];
const dsSchema = {
  name: { ':db/unique': ':db.unique/identity' },
  aliases: { ':db/cardinality': ':db.cardinality/many' },
  friends: { ':db/valueType': ':db.type/ref', ':db/cardinality': ':db.cardinality/many' },
};
const ourSchema = schemaTx({
  ':name': { type: 'string', unique: 'identity' },
  ':age': { type: 'long' },
  ':aliases': { type: 'string', many: true },
  ':friends': { type: 'ref', many: true },
});

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), who: fc.constantFrom(...NAMES), age: fc.nat(3), alias: fc.constantFrom('x', 'y'), friend: fc.constantFrom(...NAMES) }),
  fc.record({ kind: fc.constant('retract' as const), who: fc.constantFrom(...NAMES), alias: fc.constantFrom('x', 'y') }),
  fc.record({ kind: fc.constant('kill' as const), who: fc.constantFrom(...NAMES) }),
);

type Op = { kind: 'add'; who: string; age: number; alias: string; friend: string } | { kind: 'retract' | 'kill'; who: string; alias?: string };

function ours(op: Op): unknown {
  const ref = [kw(':name'), op.who];
  if (op.kind === 'add') return { ':name': op.who, ':age': op.age, ':aliases': [op.alias], ...(op.friend === op.who ? {} : { ':friends': [{ ':name': op.friend }] }) };
  if (op.kind === 'retract') return [':db/retract', ref, ':aliases', op.alias];
  return [':db/retractEntity', ref];
}

function theirs(op: Op): unknown {
  const ref = ['name', op.who];
  if (op.kind === 'add') return { name: op.who, age: op.age, aliases: [op.alias], ...(op.friend === op.who ? {} : { friends: [{ name: op.friend }] }) };
  if (op.kind === 'retract') return [':db/retract', ref, 'aliases', op.alias];
  return [':db.fn/retractEntity', ref];
}

// Our result with ':' dropped from keys and arrays sorted, like DataScript's JS output.
function normalize(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(normalize).sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q)));
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k.replace(/^:/, ''), normalize(v)]));
  return x;
}

describe('differential against DataScript', () => {
  it('transacts and pulls to the same entities', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), (ops) => {
        let db: Database = transact(emptyDb(), ourSchema).dbAfter;
        let theirDb = ds.empty_db(dsSchema);
        for (const op of ops as Op[]) {
          const exists = db.entid([kw(':name'), op.who]) !== undefined;
          if (op.kind !== 'add' && !exists) continue;
          db = transact(db, [ours(op)]).dbAfter;
          theirDb = ds.db_with(theirDb, [theirs(op)]);
        }
        for (const who of NAMES) {
          const mine = pull(db, [':name', ':age', ':aliases', { ':friends': [':name'] }, { ':_friends': [':name'] }], [kw(':name'), who]);
          let their: Record<string, unknown> | null = null;
          try {
            their = ds.pull(theirDb, '["name" "age" "aliases" {"friends" ["name"]} {"_friends" ["name"]}]', ['name', who]);
          } catch {
            their = null; // DataScript throws on a lookup ref that resolves to nothing.
          }
          expect(normalize(mine)).toEqual(normalize(their));
        }
      }),
      { numRuns: 60 },
    );
  });
});
