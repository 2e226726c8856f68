import fc from 'fast-check';
import { expect, it } from 'vitest';
import { crc32c } from '../../../runtime/db/storage/crc32c.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

// Bit by bit, straight from the definition: the table-driven version must agree with it.
function reference(bytes: Uint8Array): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

it('matches the published CRC-32C check values', () => {
  expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
  expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
  expect(crc32c(new Uint8Array(0))).toBe(0);
});

it('agrees with the bitwise definition on any bytes and any range', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 70 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = bytes.length === 0 ? 0 : a % bytes.length;
      const end = start + (b % (bytes.length - start + 1));
      expect(crc32c(bytes, start, end)).toBe(reference(bytes.subarray(start, end)));
    }),
  );
});
