import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayGuard } from '../../runtime/protocol/replay-guard.js';
import { canonicalHeader, signatureMatches, signedHeaders } from '../../runtime/protocol/signing.js';
import { readAuthHeaders, requestVerifier } from '../../runtime/protocol/verify.js';
import { HEADERS, invokePath, parseTarget } from '../../runtime/protocol/wire.js';

const SECRET = 'test-secret';
const noNewline = (constraints: { minLength?: number } = {}) => fc.string(constraints).filter((text) => !text.includes('\n'));
/** The signature part of signed headers' auth value (`<timestamp> <nonce> <signature>`). */
const signatureOf = (headers: Record<string, string>): string => headers[HEADERS.auth]!.split(' ')[2]!;

describe('signing', () => {
  it('signs version, timestamp, nonce and target, then the body bytes: HMAC-SHA256 in hex', () => {
    expect(canonicalHeader({ timestamp: 1700000000000, nonce: 'n-1', target: 'lambda/web' })).toBe('ions-v1\n1700000000000\nn-1\nlambda/web\n');
    const expected = createHmac('sha256', SECRET).update('ions-v1\n1700000000000\nn-1\nlambda/web\n{}').digest('hex');
    expect(signedHeaders(SECRET, 'lambda/web', '{}', 1700000000000, 'n-1')).toEqual({ [HEADERS.auth]: `1700000000000 n-1 ${expected}` });
  });

  it('refuses to sign or accept a newline in the nonce or target, which could shift bytes into the body', () => {
    expect(() => signedHeaders(SECRET, 'lambda/a\nb', '{}')).toThrow('a signed nonce or target cannot contain a newline');
    const signature = signatureOf(signedHeaders(SECRET, 'lambda/a', 'b\n{}', 1, 'n'));
    expect(signatureMatches(SECRET, { timestamp: 1, nonce: 'n', target: 'lambda/a\nb', body: '{}' }, signature)).toBe(false);
  });

  it('accepts exactly the signed request and refuses any change to it', () => {
    fc.assert(
      fc.property(
        fc.record({ timestamp: fc.nat(), nonce: noNewline({ minLength: 1 }).filter((nonce) => !nonce.includes(' ')), target: noNewline(), body: fc.string() }),
        fc.constantFrom('timestamp', 'nonce', 'target', 'body', 'key'),
        (parts, tampered) => {
          const signature = signatureOf(signedHeaders(SECRET, parts.target, parts.body, parts.timestamp, parts.nonce));
          expect(signatureMatches(SECRET, parts, signature)).toBe(true);
          const changed = {
            ...parts,
            timestamp: tampered === 'timestamp' ? parts.timestamp + 1 : parts.timestamp,
            nonce: tampered === 'nonce' ? parts.nonce + 'x' : parts.nonce,
            target: tampered === 'target' ? parts.target + 'x' : parts.target,
            body: tampered === 'body' ? parts.body + 'x' : parts.body,
          };
          const key = tampered === 'key' ? SECRET + 'x' : SECRET;
          expect(signatureMatches(key, changed, signature)).toBe(false);
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
    expect(signatureOf(a)).not.toBe(signatureOf(b));
  });

  it('refuses to sign a nonce with a space, which would make the auth header ambiguous', () => {
    expect(() => signedHeaders(SECRET, 'lambda/web', '{}', 5, 'a b')).toThrow('a signed nonce cannot contain a space');
  });
});

describe('auth headers', () => {
  const now = 1_000_000;
  const headers = (timestamp: string) => ({ [HEADERS.auth]: `${timestamp} n ab` });

  it('accepts a timestamp inside the window, on either side', () => {
    expect(readAuthHeaders(headers(String(now - 60_000)), 60_000, now).ok).toBe(true);
    expect(readAuthHeaders(headers(String(now + 60_000)), 60_000, now).ok).toBe(true);
  });

  it('refuses a timestamp outside the window, a non-number and a missing header, saying which', () => {
    expect(readAuthHeaders(headers(String(now - 60_001)), 60_000, now)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/outside the 60000 ms window/) });
    expect(readAuthHeaders(headers('soon'), 60_000, now)).toMatchObject({ ok: false, reason: expect.stringMatching(/timestamp is not epoch milliseconds/) });
    expect(readAuthHeaders({}, 60_000, now)).toMatchObject({ ok: false, reason: 'missing x-ions-auth header' });
  });

  it('refuses an auth header without exactly a timestamp, a nonce and a signature', () => {
    for (const value of ['', '1', '1 n', '1 n ', ' n ab', '1  ab', '1 n ab extra', '1 n  ab']) {
      expect({ value, refusal: readAuthHeaders({ [HEADERS.auth]: value }, 60_000, now) }).toMatchObject({
        value,
        refusal: { ok: false, status: 401, reason: expect.stringMatching(value === '' ? /missing/ : /is not "<timestamp> <nonce> <signature>"/) },
      });
    }
  });

  it('refuses a repeated auth header, which Node hands over joined with ", "', () => {
    expect(readAuthHeaders({ [HEADERS.auth]: `${now} n ab, ${now} m cd` }, 60_000, now)).toMatchObject({
      ok: false,
      status: 401,
      reason: expect.stringMatching(/is not "<timestamp> <nonce> <signature>"/),
    });
    expect(readAuthHeaders({ [HEADERS.auth]: [`${now} n ab`, `${now} m cd`] }, 60_000, now)).toMatchObject({ ok: false, reason: 'missing x-ions-auth header' });
  });
});

describe('replay guard', () => {
  // Signatures are hex MACs; the guard reads their first 64 bits.
  const sig = (n: number | string): string => createHmac('sha256', 'k').update(String(n)).digest('hex');

  it('refuses a signature seen inside the window, to its last millisecond, and forgets it once the window has passed', () => {
    const guard = replayGuard(1000, 10);
    expect(guard.check(sig('s'), 0, 0)).toBe('fresh');
    expect(guard.check(sig('s'), 0, 999)).toBe('replay');
    // A request signed at 0 is still inside a 1000 ms window at 1000 (|now - timestamp| <= window).
    expect(guard.check(sig('s'), 0, 1000)).toBe('replay');
    expect(guard.check(sig('s'), 0, 1001)).toBe('fresh');
  });

  it('stays within its bound: full when every remembered signature is live, room again as they expire', () => {
    const guard = replayGuard(1000, 3);
    for (const s of ['a', 'b', 'c']) expect(guard.check(sig(s), 0, 0)).toBe('fresh');
    expect(guard.check(sig('d'), 0, 10)).toBe('full');
    expect(guard.size).toBe(3);
    expect(guard.check(sig('d'), 0, 1000)).toBe('full');
    expect(guard.check(sig('d'), 0, 1001)).toBe('fresh');
    expect(guard.size).toBe(1);
  });

  it('keeps answering like a set of live signatures over many windows, whatever it compacts or rebuilds', () => {
    const guard = replayGuard(10, 50);
    for (let i = 0; i < 5000; i++) {
      const now = i;
      expect(guard.check(sig(i), now, now)).toBe('fresh');
      expect(guard.check(sig(i), now, now)).toBe('replay');
      if (i >= 11) expect(guard.check(sig(i - 11), now - 11, now)).toBe('fresh');
    }
    expect(guard.size).toBeLessThanOrEqual(24);
  });

  interface Arrival {
    id: number;
    skew: number;
    step: number;
  }

  /**
   * Feeds `arrivals` to a guard and to a model (a map of live signatures to their expiries), checking
   * every verdict, and at the end that everything still live is still remembered.
   */
  function expectLikeModel(arrivals: Arrival[], windowMs: number, maxEntries: number, signatureOf: (id: number) => string): void {
    const guard = replayGuard(windowMs, maxEntries);
    const live = new Map<string, number>();
    const accepted = new Set<string>();
    let now = 1000;
    for (const { id, skew, step } of arrivals) {
      now += step;
      const signature = signatureOf(id);
      const timestamp = now + skew;
      for (const [seen, expiry] of live) if (expiry < now) live.delete(seen);
      const expected = live.has(signature) ? 'replay' : live.size >= maxEntries ? 'full' : 'fresh';
      // An entry that expired behind a live one may still count as a replay until a full guard
      // sweeps it; a real request with that signature is refused by the clock window before.
      const verdict = guard.check(signature, timestamp, now);
      if (expected === 'fresh' && verdict === 'replay' && accepted.has(signature)) continue;
      expect(verdict).toBe(expected);
      if (verdict === 'fresh') {
        live.set(signature, timestamp + windowMs);
        accepted.add(signature);
      }
    }
    for (const [signature, expiry] of live) if (expiry >= now) expect(guard.check(signature, now, now)).toBe('replay');
  }

  it('answers as a model of live signatures would, for any order of arrivals, clocks and repeats', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.nat(40), skew: fc.integer({ min: -30, max: 30 }), step: fc.nat(15) }), { maxLength: 400 }),
        fc.integer({ min: 5, max: 50 }),
        fc.integer({ min: 1, max: 30 }),
        (arrivals, windowMs, maxEntries) => expectLikeModel(arrivals, windowMs, maxEntries, sig),
      ),
    );
  });

  it('answers like the model when signatures crowd a few slots, runs wrapping past the end of the table', () => {
    // The table probes from the low 32 bits; these signatures share a handful of home slots at both
    // ends of the first table, so expiring one shifts long probe runs back across the wrap.
    const homes = [1021, 1022, 1023, 0, 1, 5];
    const crowded = (id: number): string =>
      ((id * 2654435761) >>> 0).toString(16).padStart(8, '0') + (homes[id % homes.length]! + 1024 * (id + 1)).toString(16).padStart(8, '0') + '0'.repeat(48);
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.nat(120), skew: fc.integer({ min: -30, max: 30 }), step: fc.nat(6) }), { maxLength: 600 }),
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 1, max: 200 }),
        (arrivals, windowMs, maxEntries) => expectLikeModel(arrivals, windowMs, maxEntries, crowded),
      ),
      { numRuns: 300 },
    );
  });

  it('remembers every live signature as it grows past its first table and ring', () => {
    const guard = replayGuard(60_000, 10_000);
    for (let i = 0; i < 6000; i++) expect(guard.check(sig(i), 0, 0)).toBe('fresh');
    for (let i = 0; i < 6000; i++) expect(guard.check(sig(i), 0, 1)).toBe('replay');
    expect(guard.size).toBe(6000);
    for (let i = 6000; i < 12_000; i++) expect(guard.check(sig(i), 0, 2)).toBe(i < 10_000 ? 'fresh' : 'full');
    expect(guard.check(sig(12_000), 1, 60_001)).toBe('fresh'); // everything signed at 0 has expired
    expect(guard.size).toBe(1);
  });

  it('finds expired entries stuck behind a live one when full', () => {
    const guard = replayGuard(1000, 2);
    expect(guard.check(sig('late'), 5000, 4500)).toBe('fresh'); // signed ahead of the node's clock
    expect(guard.check(sig('early'), 4000, 4500)).toBe('fresh');
    expect(guard.check(sig('next'), 5100, 5100)).toBe('fresh'); // "early" expired at 5000, behind "late"
  });

  it('refuses to remember what is not a hex signature, saying why', () => {
    const guard = replayGuard(1000, 10);
    expect(() => guard.check('abc', 0, 0)).toThrow('a signature needs at least 16 hex digits, got 3 characters');
    expect(() => guard.check('0123456789abcdeg' + 'f'.repeat(48), 0, 0)).toThrow('signature character 15 is not a hex digit');
  });
});

describe('verifier', () => {
  it('accepts a signed request once, then calls it a replay', () => {
    const verifier = requestVerifier(SECRET, 60_000);
    const body = Buffer.from('{"event":1}');
    const auth = { timestamp: 100, nonce: 'n1', signature: signatureOf(signedHeaders(SECRET, 'lambda/x', body, 100, 'n1')) };
    expect(verifier.verify(auth, 'lambda/x', body, 100)).toEqual({ ok: true });
    expect(verifier.verify(auth, 'lambda/x', body, 101)).toMatchObject({ ok: false, status: 401, reason: 'replayed request' });
    expect(verifier.verify(auth, 'lambda/y', body, 101)).toMatchObject({ ok: false, status: 401, reason: 'bad signature' });
  });

  it('checks the clock window again when the body is in: a slow body cannot carry a replay past the memory', () => {
    const verifier = requestVerifier(SECRET, 60_000);
    const body = Buffer.from('{"event":1}');
    const auth = { timestamp: 100, nonce: 'n1', signature: signatureOf(signedHeaders(SECRET, 'lambda/x', body, 100, 'n1')) };
    expect(verifier.verify(auth, 'lambda/x', body, 100)).toEqual({ ok: true });
    // Its headers came inside the window; by the time its body is in, the window (and the memory) has passed.
    expect(verifier.verify(auth, 'lambda/x', body, 100 + 60_001)).toMatchObject({ ok: false, status: 401, reason: 'x-ions-auth timestamp is outside the 60000 ms window' });
    expect(verifier.verify(auth, 'lambda/x', body, 100 + 60_000)).toMatchObject({ ok: false, status: 401, reason: 'replayed request' });
  });

  it('asks the caller to retry (429) when its replay memory is full of live requests', () => {
    const verifier = requestVerifier(SECRET, 60_000, 1);
    const signed = (nonce: string) => ({ timestamp: 100, nonce, signature: signatureOf(signedHeaders(SECRET, 't', '', 100, nonce)) });
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
