import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kw, sym } from '../../../runtime/db/edn-names.js';
import { Decimal, Uuid } from '../../../runtime/db/scalar-types.js';
import { decodeSnapshot, decodeTx, encodeSnapshot, encodeTx } from '../../../runtime/db/storage/codec.js';
import { StorageCorruptError } from '../../../runtime/db/storage/errors.js';
import type { Datom, Value } from '../../../runtime/db/types.js';

const scalar: fc.Arbitrary<Value> = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(-0, NaN, Infinity, -Infinity, 2 ** 53, 0.1),
  fc.bigInt(),
  fc.boolean(),
  fc.date({ noInvalidDate: false }),
  fc.tuple(fc.option(fc.stringMatching(/^[a-z][a-z0-9.-]{0,8}$/), { nil: undefined }), fc.stringMatching(/^[a-z?*+!][a-z0-9?*+!-]{0,10}$/)).map(([ns, name]) =>
    kw(ns === undefined ? name : `${ns}/${name}`),
  ),
  fc.uuid().map((text) => new Uuid(text)),
  fc.tuple(fc.bigInt(), fc.integer({ min: 0, max: 40 })).map(([unscaled, scale]) => {
    const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
    const cut = digits.length - scale;
    return new Decimal(`${unscaled < 0n ? '-' : ''}${digits.slice(0, cut)}${scale > 0 ? `.${digits.slice(cut)}` : ''}`);
  }),
  fc.webUrl().map((text) => new URL(text)),
  fc.uint8Array(),
);
// Symbols and null tuple elements are not in the Value type, but the db stores them (symbol attributes,
// tuples with a missing element), so the codec must carry them.
const symbol = fc.stringMatching(/^[a-z?][a-z0-9?*+!-]{0,10}$/).map((name) => sym(name) as unknown as Value);
const nothing = fc.constant(null as unknown as Value);
const value: fc.Arbitrary<Value> = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 1, arbitrary: symbol },
  { weight: 1, arbitrary: fc.array(fc.oneof(scalar, nothing), { maxLength: 4 }) },
);

const entityId = fc.oneof(fc.nat(1000), fc.maxSafeNat());
const datom: fc.Arbitrary<Datom> = fc.record({ e: entityId, a: fc.nat(500), v: value, tx: entityId, added: fc.boolean() });

// Object.is tells -0 from 0 and matches NaN; toEqual would blur the long/double line.
function expectSameValue(actual: Value, expected: Value): void {
  if (typeof expected === 'number') {
    expect(typeof actual).toBe('number');
    expect(Object.is(actual, expected)).toBe(true);
  } else if (expected instanceof Date) {
    expect(actual).toBeInstanceOf(Date);
    expect(Object.is((actual as Date).getTime(), expected.getTime())).toBe(true);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual)).toBe(true);
    expect((actual as Value[]).length).toBe(expected.length);
    (expected as Value[]).forEach((element, i) => expectSameValue((actual as Value[])[i]!, element));
  } else if (expected instanceof URL) {
    expect((actual as URL).href).toBe(expected.href);
  } else {
    if (typeof expected === 'object' && expected !== null && !(expected instanceof Uint8Array)) expect(actual?.constructor).toBe(expected.constructor);
    expect(actual).toEqual(expected);
    // Keywords and symbols are interned: decoding must hand back the very same object.
    if (expected === null || expected.constructor === kw('a').constructor || expected.constructor === sym('a').constructor) expect(actual).toBe(expected);
  }
}

function expectSameDatoms(actual: readonly Datom[], expected: readonly Datom[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((d, i) => {
    const a = actual[i]!;
    expect([a.e, a.a, a.tx, a.added]).toEqual([d.e, d.a, d.tx, d.added]);
    expectSameValue(a.v, d.v);
  });
}

describe('codec', () => {
  it('round-trips a transaction of any datoms exactly', () => {
    fc.assert(
      fc.property(fc.array(datom, { maxLength: 20 }), (datoms) => {
        expectSameDatoms(decodeTx(encodeTx(datoms), 'test'), datoms);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips a snapshot with its basis t', async () => {
    await fc.assert(
      fc.asyncProperty(fc.maxSafeNat(), fc.array(datom, { maxLength: 30 }), async (basisT, datoms) => {
        const snapshot = decodeSnapshot(await encodeSnapshot(basisT, datoms), 'test');
        expect(snapshot.basisT).toBe(basisT);
        expectSameDatoms(snapshot.datoms, datoms);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps a long a long and a double a double', () => {
    const values: Value[] = [1, 1.5, -0, 2 ** 53, -(2 ** 53) + 1, 10n, 0n];
    const decoded = decodeTx(encodeTx(values.map((v) => ({ e: 1, a: 2, v, tx: 3, added: true }))), 'test').map((d) => d.v);
    expect(decoded.map((v) => typeof v)).toEqual(['number', 'number', 'number', 'number', 'number', 'bigint', 'bigint']);
    expect(Object.is(decoded[2], -0)).toBe(true);
  });

  it('is compact for a typical entity', () => {
    const bytes = encodeTx([
      { e: 1000, a: 10, v: 'Ivan', tx: 5000, added: true },
      { e: 1000, a: 11, v: 42, tx: 5000, added: true },
      { e: 5000, a: 50, v: new Date(0), tx: 5000, added: true },
    ]);
    expect(bytes.length).toBeLessThanOrEqual(40);
  });

  it('rejects a truncated record, a snapshot read as a transaction, and an unknown version, naming the place', async () => {
    const tx = encodeTx([{ e: 1, a: 2, v: 'hello', tx: 3, added: true }]);
    expect(() => decodeTx(tx.subarray(0, tx.length - 2), 'log entry t=7')).toThrow(/ends early.*log entry t=7, byte/);
    const snapshot = await encodeSnapshot(1, []);
    expect(() => decodeTx(snapshot, 'blob x')).toThrow(StorageCorruptError);
    expect(() => decodeTx(Uint8Array.of(9, 0x54), 'log entry t=8')).toThrow(/unknown format version 9/);
  });

  it('refuses to encode something that is not a datom value', () => {
    expect(() => encodeTx([{ e: 1, a: 2, v: { x: 1 } as unknown as Value, tx: 3, added: true }])).toThrow(/not a datom value type/);
  });
});
