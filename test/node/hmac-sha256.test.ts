import { createHmac, createSecretKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256 } from '../../runtime/protocol/hmac-sha256.js';
import { sign, signatureMatches, signingKey } from '../../runtime/protocol/signing.js';

// What hmacSha256 signs: each line followed by a newline, then the body.
const reference = (key: Uint8Array, lines: string[], body: string | Uint8Array): Buffer =>
  createHmac('sha256', key)
    .update(lines.map((line) => line + '\n').join(''))
    .update(body)
    .digest();
const anyText = fc.string({ unit: 'binary', maxLength: 300 });

describe('hmacSha256', () => {
  it('gives what createHmac gives, for keys shorter and longer than a block, any lines and any UTF-8 or byte body', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 150 }),
        fc.array(anyText, { maxLength: 5 }),
        fc.oneof(anyText, fc.uint8Array({ maxLength: 3000 })),
        (key, lines, body) => {
          const expected = reference(key, lines, body);
          expect(hmacSha256(createSecretKey(key), lines, body, 'binary')).toBe(expected.toString('binary'));
          expect(hmacSha256(createSecretKey(key), lines, body, 'hex')).toBe(expected.toString('hex'));
        },
      ),
    );
  });

  it('keeps each key to its own MACs when calls alternate between keys', () => {
    const keys = [Buffer.from('first'), Buffer.from('second')];
    for (let i = 0; i < 6; i++) {
      const key = keys[i % 2]!;
      expect(hmacSha256(createSecretKey(key), ['ions-v1', String(i)], '{}', 'hex')).toBe(reference(key, ['ions-v1', String(i)], '{}').toString('hex'));
    }
  });

  it('gives what createHmac gives for a body too large for its reused buffer, and is not changed by one', () => {
    const key = createSecretKey(Buffer.from('k'));
    const big = Buffer.alloc(200 * 1024, 0x61);
    expect(hmacSha256(key, ['head'], big, 'hex')).toBe(reference(Buffer.from('k'), ['head'], big).toString('hex'));
    expect(hmacSha256(key, ['head'], 'x'.repeat(30_000), 'hex')).toBe(reference(Buffer.from('k'), ['head'], 'x'.repeat(30_000)).toString('hex'));
    // A short message right after still sees only its own bytes.
    expect(hmacSha256(key, ['h'], 'b', 'hex')).toBe(reference(Buffer.from('k'), ['h'], 'b').toString('hex'));
  });

  it('keys a prepared key and the raw secret alike when signing', () => {
    const parts = { timestamp: 1, nonce: 'n', target: 'lambda/web', body: '{"é":"🚀"}' };
    expect(sign(signingKey('s3cret'), parts)).toBe(sign('s3cret', parts));
    expect(signatureMatches(signingKey('s3cret'), parts, sign('s3cret', parts))).toBe(true);
  });

  it('refuses a signature of the right length that is not hex, without computing a match', () => {
    const parts = { timestamp: 1, nonce: 'n', target: 't', body: '' };
    const good = sign('k', parts);
    expect(signatureMatches(signingKey('k'), parts, good)).toBe(true);
    expect(signatureMatches(signingKey('k'), parts, good.slice(0, 62) + 'zz')).toBe(false);
    expect(signatureMatches(signingKey('k'), parts, 'zz' + good.slice(2))).toBe(false);
    expect(signatureMatches(signingKey('k'), parts, good + '00')).toBe(false);
  });
});
