// HMAC-SHA256 request signing. The signed message binds the signature to the protocol version, the
// moment of signing, a nonce, the target and the exact body bytes, so a captured request can neither be
// redirected to another target nor altered nor replayed after the window (see replay-guard.ts for
// replays inside it).
import { createHmac, createSecretKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { HEADERS } from './wire.js';

const VERSION = 'ions-v1';

/** The HMAC key as given, or prepared once with `signingKey` so that no request pays for it again. */
export type SigningKey = string | Uint8Array | KeyObject;

export function signingKey(secret: SigningKey): KeyObject {
  if (typeof secret === 'string') return createSecretKey(Buffer.from(secret, 'utf8'));
  if (secret instanceof Uint8Array) return createSecretKey(secret);
  return secret;
}

export interface SignedParts {
  timestamp: number;
  nonce: string;
  target: string;
  body: string | Uint8Array;
}

/**
 * The signed message is this header, then the body bytes: `ions-v1\n<timestamp>\n<nonce>\n<target>\n`.
 * The body goes straight into the HMAC, with no hash of its own, so signing costs one pass over it.
 * No field before the body may hold a newline, so no two requests share a message.
 */
export function canonicalHeader({ timestamp, nonce, target }: Omit<SignedParts, 'body'>): string {
  if (nonce.includes('\n') || target.includes('\n')) throw new Error('a signed nonce or target cannot contain a newline');
  return `${VERSION}\n${timestamp}\n${nonce}\n${target}\n`;
}

function mac(secret: SigningKey, parts: SignedParts): Buffer {
  return createHmac('sha256', secret).update(canonicalHeader(parts)).update(parts.body).digest();
}

export function sign(secret: SigningKey, parts: SignedParts): string {
  return mac(secret, parts).toString('hex');
}

/** Headers for one signed request; a fresh nonce unless one is given. */
export function signedHeaders(
  secret: SigningKey,
  target: string,
  body: string | Uint8Array,
  now: number = Date.now(),
  nonce: string = randomUUID(),
): Record<string, string> {
  return {
    [HEADERS.timestamp]: String(now),
    [HEADERS.nonce]: nonce,
    [HEADERS.signature]: sign(secret, { timestamp: now, nonce, target, body }),
  };
}

/** Constant-time comparison of a presented hex signature with the expected one. */
export function signatureMatches(secret: SigningKey, parts: SignedParts, presented: string): boolean {
  if (parts.nonce.includes('\n') || parts.target.includes('\n')) return false;
  const expected = mac(secret, parts);
  const given = Buffer.from(presented, 'hex');
  // Length differs only for a malformed signature; comparing lengths leaks nothing about the key.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
