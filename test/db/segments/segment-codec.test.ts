import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoredDatom } from '../../../runtime/db/datom.js';
import { kw } from '../../../runtime/db/edn-names.js';
import { encodeSnapshot } from '../../../runtime/db/storage/codec.js';
import { StorageCorruptError } from '../../../runtime/db/storage/errors.js';
import {
  decodeIndexRoot,
  decodeSegment,
  encodeIndexRoot,
  encodeSegment,
  isIndexRoot,
  type IndexRoot,
} from '../../../runtime/db/segments/segment-codec.js';
import type { Datom } from '../../../runtime/db/types.js';

const datom: fc.Arbitrary<Datom> = fc
  .record({
    e: fc.maxSafeNat(),
    a: fc.nat(1000),
    v: fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.date().map((d) => d as unknown as string), fc.constant(kw(':a/b') as unknown as string)),
    tx: fc.maxSafeNat(),
    added: fc.boolean(),
  })
  .map(({ e, a, v, tx, added }) => new StoredDatom(e, a, v, tx, added));

const plain = (ds: readonly Datom[]): unknown[] => ds.map((d) => ({ ...d }));

describe('segment codec', () => {
  it('round-trips any run of datoms, tx going up and down', () => {
    fc.assert(
      fc.property(fc.array(datom, { maxLength: 40 }), (datoms) => {
        expect(plain(decodeSegment(encodeSegment(datoms), 'test'))).toEqual(plain(datoms));
      }),
    );
  });

  it('encodes equal segments to equal bytes, so equal content gets one key', () => {
    const ds = [new StoredDatom(1000, 10, 'x', 536870913, true), new StoredDatom(1001, 10, 7, 536870912, true)];
    expect(encodeSegment(ds)).toEqual(encodeSegment(ds.map((d) => new StoredDatom(d.e, d.a, d.v, d.tx, d.added))));
  });

  it('round-trips an index root', () => {
    fc.assert(
      fc.property(fc.array(datom, { maxLength: 5 }), fc.array(datom, { minLength: 8, maxLength: 8 }), fc.boolean(), (schema, lasts, hasPrevious) => {
        const refs = (i: number) => [{ key: 'ab'.repeat(32), last: lasts[i]!, count: i + 1 }];
        const root: IndexRoot = {
          basisT: 42,
          maxEid: 1234,
          lastInstant: 1_700_000_000_123,
          publishedAt: 1_700_000_000_456,
          previous: hasPrevious ? 'cd'.repeat(32) : undefined,
          schema,
          live: { eavt: refs(0), aevt: refs(1), avet: [], vaet: refs(3) },
          history: { eavt: refs(4), aevt: [], avet: refs(6), vaet: refs(7) },
        };
        const bytes = encodeIndexRoot(root);
        expect(isIndexRoot(bytes)).toBe(true);
        const back = decodeIndexRoot(bytes, 'test');
        expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(JSON.stringify(root)));
      }),
      { numRuns: 30 },
    );
  });

  it('tells an index root from a snapshot checkpoint and refuses the wrong record', async () => {
    const snapshot = await encodeSnapshot(0, []);
    expect(isIndexRoot(snapshot)).toBe(false);
    expect(() => decodeIndexRoot(snapshot, 'blob X')).toThrow(StorageCorruptError);
    expect(() => decodeIndexRoot(snapshot, 'blob X')).toThrow(/expected an index root.*blob X/);
    expect(() => decodeSegment(encodeSegment([]).subarray(0, 1), 'blob Y')).toThrow(/blob Y/);
    const extra = new Uint8Array([...encodeSegment([]), 0]);
    expect(() => decodeSegment(extra, 'blob Z')).toThrow(/bytes left/);
  });
});
