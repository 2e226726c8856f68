import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareValues, decimal, kw, uuid, valuesEqual } from '../../../runtime/db/index.js';

const value = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.bigInt(),
  fc.string(),
  fc.boolean(),
  fc.date({ noInvalidDate: true }),
  fc.constantFrom('a', 'b', 'x/y', 'x/z', 'y').map((s) => kw(s)),
  fc.uuid().map((s) => uuid(s)),
  fc.tuple(fc.bigInt({ min: -999n, max: 999n }), fc.nat(3)).map(([u, s]) => decimal(s === 0 ? `${u}` : `${u}.${'0'.repeat(s - 1)}5`)),
  fc.webUrl().map((u) => new URL(u)),
  fc.uint8Array({ maxLength: 4 }),
  fc.array(fc.oneof(fc.integer(), fc.string()), { minLength: 2, maxLength: 3 }),
);

describe('value order', () => {
  it('is antisymmetric and reflexive', () => {
    fc.assert(
      fc.property(value, value, (x, y) => {
        expect(compareValues(x, x)).toBe(0);
        expect(Math.sign(compareValues(x, y))).toBe(-Math.sign(compareValues(y, x)) || 0);
      }),
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(value, value, value, (x, y, z) => {
        if (compareValues(x, y) <= 0 && compareValues(y, z) <= 0) expect(compareValues(x, z)).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('sorts numbers numerically across number and bigint, then strings, booleans, keywords', () => {
    const sorted = ['b', 2n, true, kw(':a/b'), 1.5, 'a', kw(':b'), false, -3].sort(compareValues);
    expect(sorted).toEqual([-3, 1.5, 2n, 'a', 'b', false, true, kw(':b'), kw(':a/b')]);
  });

  it('compares structured values by content', () => {
    expect(valuesEqual(new Date(5), new Date(5))).toBe(true);
    expect(valuesEqual(uuid('00000000-0000-0000-0000-0000000000AA'), uuid('00000000-0000-0000-0000-0000000000aa'))).toBe(true);
    expect(valuesEqual(decimal('1.50'), decimal('1.5'))).toBe(true);
    expect(valuesEqual([1, 'a'], [1, 'a'])).toBe(true);
    expect(valuesEqual([1, 'a'], [1, 'b'])).toBe(false);
    expect(valuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(valuesEqual('1', 1)).toBe(false);
    expect(compareValues(new URL('http://a/'), new URL('http://b/'))).toBeLessThan(0);
  });
});
