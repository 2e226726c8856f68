// Values of a database share their log and instant run; branching (db.with, a recomputed batch)
// must neither change another value's entries nor copy the whole run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyDb, kw, transact } from '../../../runtime/db/index.js';
import { SharedRun } from '../../../runtime/db/index/shared-run.js';

const list = <T>(run: SharedRun<T>): (T | undefined)[] => Array.from({ length: run.length }, (_, i) => run.at(i));

describe('a shared run', () => {
  it('gives every value exactly what was appended to it, however values branch', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer()), { maxLength: 3000 }), fc.nat(5), (steps, offset) => {
        const values = [SharedRun.empty<number>(offset)];
        const models: number[][] = [[]];
        for (const [pick, item] of steps) {
          // Mostly the latest value, as a connection does; sometimes an older one, as db.with does.
          const at = pick % 4 === 0 ? pick % values.length : values.length - 1;
          values.push(values[at]!.plus(item));
          models.push([...models[at]!, item]);
        }
        values.forEach((run, i) => {
          expect(run.length).toBe(offset + models[i]!.length);
          expect(list(run)).toEqual([...new Array<undefined>(offset), ...models[i]!]);
          expect(run.at(run.length)).toBeUndefined();
          expect(run.slice(0, run.length)).toEqual(models[i]);
        });
      }),
      { numRuns: 40 },
    );
  });

  it('shares every full chunk with the value it branched from, copying only the partly filled one', () => {
    let run = SharedRun.empty<number>();
    for (let i = 0; i < 1500; i++) run = run.plus(i);
    const latest = run.plus(1500);
    const branch = run.plus(-1);
    const chunks = (r: SharedRun<number>): number[][] => (r as unknown as { chunks: number[][] }).chunks;
    expect(chunks(branch).slice(0, 2)).toEqual(chunks(latest).slice(0, 2));
    chunks(branch).slice(0, 2).forEach((chunk, i) => expect(chunk).toBe(chunks(latest)[i]));
    expect(chunks(branch)[2]).not.toBe(chunks(latest)[2]);
    expect([latest.at(1500), branch.at(1500), run.at(1500)]).toEqual([1500, -1, undefined]);
  });

  it('slices only what it holds', () => {
    const run = SharedRun.of(['a', 'b', 'c']);
    expect(run.slice(1, 9)).toEqual(['b', 'c']);
    expect(SharedRun.empty<string>(4).plus('x').slice(0, 5)).toEqual(['x']);
  });
});

describe('database values branching from an older value', () => {
  it('keep their own logs, and a transaction after a speculative one stays as cheap as before', () => {
    let db = transact(emptyDb(), [{ ':db/ident': kw(':n'), ':db/valueType': kw(':db.type/long'), ':db/cardinality': kw(':db.cardinality/one') }]).dbAfter;
    for (let i = 0; i < 2000; i++) db = transact(db, [[':db/add', 'x', ':n', i]]).dbAfter;
    const base = db;
    const speculative = base.with([[':db/add', 'x', ':n', -1]]).dbAfter;
    const real = transact(base, [[':db/add', 'x', ':n', -2]]).dbAfter;
    const again = base.with([[':db/add', 'x', ':n', -3]]).dbAfter;
    const lastOf = (d: typeof db) => [...d.txRange({ start: d.basisT })][0]!.data.at(-1)!.v;
    expect([lastOf(speculative), lastOf(real), lastOf(again)]).toEqual([-1, -2, -3]);
    expect([...base.txRange()].length).toBe(base.basisT);
    expect([...real.txRange()].slice(0, base.basisT)).toEqual([...base.txRange()]);
  });
});
