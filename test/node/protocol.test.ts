import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayGuard } from '../../runtime/protocol/replay-guard.js';
import { canonicalHeader, signatureMatches, signedHeaders } from '../../runtime/protocol/signing.js';
import { readAuthHeaders, requestVerifier } from '../../runtime/protocol/verify.js';
import { HEADERS, invokePath, parseTarget } from '../../runtime/protocol/wire.js';

const SECRET = 'test-secret';
const noNewline = (constraints: { minLength?: number } = {}) => fc.string(constraints).filter((text) => !text.includes('\n'));

describe('signing', () => {
  it('signs version, timestamp, nonce and target, then the body bytes: HMAC-SHA256 in hex', () => {
    expect(canonicalHeader({ timestamp: 1700000000000, nonce: 'n-1', target: 'lambda/web' })).toBe('ions-v1\n1700000000000\nn-1\nlambda/web\n');
    const expected = createHmac('sha256', SECRET).update('ions-v1\n1700000000000\nn-1\nlambda/web\n{}').digest('hex');
    expect(signedHeaders(SECRET, 'lambda/web', '{}', 1700000000000, 'n-1')[HEADERS.signature]).toBe(expected);
  });

  it('refuses to sign or accept a newline in the nonce or target, which could shift bytes into the body', () => {
    expect(() => signedHeaders(SECRET, 'lambda/a\nb', '{}')).toThrow('a signed nonce or target cannot contain a newline');
    const signature = signedHeaders(SECRET, 'lambda/a', 'b\n{}', 1, 'n')[HEADERS.signature]!;
    expect(signatureMatches(SECRET, { timestamp: 1, nonce: 'n', target: 'lambda/a\nb', body: '{}' }, signature)).toBe(false);
  });

  it('accepts exactly the signed request and refuses any change to it', () => {
    fc.assert(
      fc.property(
        fc.record({ timestamp: fc.nat(), nonce: noNewline({ minLength: 1 }), target: noNewline(), body: fc.string() }),
        fc.constantFrom('timestamp', 'nonce', 'target', 'body', 'key'),
        (parts, tampered) => {
          const headers = signedHeaders(SECRET, parts.target, parts.body, parts.timestamp, parts.nonce);
          expect(signatureMatches(SECRET, parts, headers[HEADERS.signature]!)).toBe(true);
          const changed = {
            ...parts,
            timestamp: tampered === 'timestamp' ? parts.timestamp + 1 : parts.timestamp,
            nonce: tampered === 'nonce' ? parts.nonce + 'x' : parts.nonce,
            target: tampered === 'target' ? parts.target + 'x' : parts.target,
            body: tampered === 'body' ? parts.body + 'x' : parts.body,
          };
          const key = tampered === 'key' ? SECRET + 'x' : SECRET;
          expect(signatureMatches(key, changed, headers[HEADERS.signature]!)).toBe(false);
        },
      ),
    );
  });

  it('refuses a malformed signature of any length without throwing', () => {
    const parts = { timestamp: 1, nonce: 'n', target: 't', body: '' };
    expect(signatureMatches(SECRET, parts, '')).toBe(false);
    expect(signatureMatches(SECRET, parts, 'zz')).toBe(false);
    expect(signatureMatches(SECRET, parts, 'ab'.repeat(40))).toBe(false);
  });

  it('gives two identical requests different signatures through their nonces', () => {
    const a = signedHeaders(SECRET, 'lambda/web', '{}', 5);
    const b = signedHeaders(SECRET, 'lambda/web', '{}', 5);
    expect(a[HEADERS.signature]).not.toBe(b[HEADERS.signature]);
  });
});

describe('auth headers', () => {
  const now = 1_000_000;
  const headers = (timestamp: string) => ({ [HEADERS.timestamp]: timestamp, [HEADERS.nonce]: 'n', [HEADERS.signature]: 'ab' });

  it('accepts a timestamp inside the window, on either side', () => {
    expect(readAuthHeaders(headers(String(now - 60_000)), 60_000, now).ok).toBe(true);
    expect(readAuthHeaders(headers(String(now + 60_000)), 60_000, now).ok).toBe(true);
  });

  it('refuses a timestamp outside the window, a non-number and missing headers, saying which', () => {
    expect(readAuthHeaders(headers(String(now - 60_001)), 60_000, now)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/outside the 60000 ms window/) });
    expect(readAuthHeaders(headers('soon'), 60_000, now)).toMatchObject({ ok: false, reason: expect.stringMatching(/not epoch milliseconds/) });
    expect(readAuthHeaders({}, 60_000, now)).toMatchObject({ ok: false, reason: expect.stringMatching(/missing x-ions-timestamp/) });
  });

  it('reads the raw header list as the parsed object, names in any case, and refuses a repeated signing header', () => {
    const raw = ['Host', 'node', 'X-Ions-Timestamp', String(now), 'x-ions-nonce', 'n', 'x-ions-SIGNATURE', 'ab'];
    expect(readAuthHeaders(raw, 60_000, now)).toEqual({ ok: true, auth: { timestamp: now, nonce: 'n', signature: 'ab' } });
    expect(readAuthHeaders([...raw, 'x-ions-nonce', 'm'], 60_000, now)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/missing/) });
    expect(readAuthHeaders(raw.slice(0, 6), 60_000, now)).toMatchObject({ ok: false, reason: expect.stringMatching(/missing/) });
  });
});

describe('replay guard', () => {
  it('refuses a signature seen inside the window and forgets it once the window has passed', () => {
    const guard = replayGuard(1000, 10);
    expect(guard.check('s', 0, 0)).toBe('fresh');
    expect(guard.check('s', 0, 999)).toBe('replay');
    expect(guard.check('s', 0, 1000)).toBe('fresh');
  });

  it('stays within its bound: full when every remembered signature is live, room again as they expire', () => {
    const guard = replayGuard(1000, 3);
    for (const s of ['a', 'b', 'c']) expect(guard.check(s, 0, 0)).toBe('fresh');
    expect(guard.check('d', 0, 10)).toBe('full');
    expect(guard.size).toBe(3);
    expect(guard.check('d', 0, 1000)).toBe('fresh');
    expect(guard.size).toBe(1);
  });

  it('keeps answering like a map of live signatures over many windows, whatever it compacts', () => {
    const guard = replayGuard(10, 50);
    for (let i = 0; i < 5000; i++) {
      const now = i;
      expect(guard.check(`s${i}`, now, now)).toBe('fresh');
      expect(guard.check(`s${i}`, now, now)).toBe('replay');
      if (i >= 10) expect(guard.check(`s${i - 10}`, now - 10, now)).toBe('fresh');
    }
    expect(guard.size).toBeLessThanOrEqual(22);
  });

  it('finds expired entries stuck behind a live one when full', () => {
    const guard = replayGuard(1000, 2);
    expect(guard.check('late', 5000, 4500)).toBe('fresh'); // signed ahead of the node's clock
    expect(guard.check('early', 4000, 4500)).toBe('fresh');
    expect(guard.check('next', 5100, 5100)).toBe('fresh'); // "early" expired at 5000, behind "late"
  });
});

describe('verifier', () => {
  it('accepts a signed request once, then calls it a replay', () => {
    const verifier = requestVerifier(SECRET, 60_000);
    const body = Buffer.from('{"event":1}');
    const headers = signedHeaders(SECRET, 'lambda/x', body, 100, 'n1');
    const auth = { timestamp: 100, nonce: 'n1', signature: headers[HEADERS.signature]! };
    expect(verifier.verify(auth, 'lambda/x', body, 100)).toEqual({ ok: true });
    expect(verifier.verify(auth, 'lambda/x', body, 101)).toMatchObject({ ok: false, status: 401, reason: 'replayed request' });
    expect(verifier.verify(auth, 'lambda/y', body, 101)).toMatchObject({ ok: false, status: 401, reason: 'bad signature' });
  });

  it('asks the caller to retry (429) when its replay memory is full of live requests', () => {
    const verifier = requestVerifier(SECRET, 60_000, 1);
    const signed = (nonce: string) => ({ timestamp: 100, nonce, signature: signedHeaders(SECRET, 't', '', 100, nonce)[HEADERS.signature]! });
    expect(verifier.verify(signed('a'), 't', new Uint8Array(), 100)).toEqual({ ok: true });
    expect(verifier.verify(signed('b'), 't', new Uint8Array(), 100)).toMatchObject({ ok: false, status: 429 });
  });
});

describe('targets', () => {
  it('names each kind of target without collisions and survives the request path', () => {
    expect(parseTarget('lambda/web')).toEqual({ kind: 'lambda', name: 'web' });
    expect(parseTarget('http-direct')).toEqual({ kind: 'http-direct' });
    expect(parseTarget('fn/src/fns.add')).toEqual({ kind: 'fn', ref: 'src/fns.add' });
    expect(parseTarget('web')).toBeUndefined();
    expect(parseTarget('other/web')).toBeUndefined();
    expect(parseTarget('lambda/')).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (name) => {
        const path = invokePath(`fn/${name}`);
        expect(decodeURIComponent(path.slice('/_ions/invoke/'.length))).toBe(`fn/${name}`);
        expect(path).not.toMatch(/[?#\s]/);
      }),
    );
  });
});
