// HMAC-SHA256 request signing. The signed message binds the signature to the protocol version, the
// moment of signing, a nonce, the target and the exact body bytes, so a captured request can neither be
// redirected to another target nor altered nor replayed after the window (see replay-guard.ts for
// replays inside it).
import { createHmac, createSecretKey, KeyObject, randomUUID, timingSafeEqual } from 'node:crypto';
import { hmacSha256 } from './hmac-sha256.js';
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
  const header = canonicalHeader(parts);
  if (secret instanceof KeyObject) return hmacSha256(secret, header, parts.body);
  return createHmac('sha256', secret).update(header).update(parts.body).digest();
}

export function sign(secret: SigningKey, parts: SignedParts): string {
  if (secret instanceof KeyObject) return hmacSha256(secret, canonicalHeader(parts), parts.body, 'hex');
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

// The presented signature decoded; filled and compared synchronously, so one buffer serves the thread.
const presentedBytes = Buffer.alloc(32);

/** Constant-time comparison of a presented hex signature with the expected one. */
export function signatureMatches(secret: SigningKey, parts: SignedParts, presented: string): boolean {
  if (parts.nonce.includes('\n') || parts.target.includes('\n')) return false;
  // A malformed signature (wrong length, not hex) is refused before any MAC is computed; checking its
  // form leaks nothing about the key.
  if (presented.length !== 2 * presentedBytes.length || presentedBytes.write(presented, 'hex') !== presentedBytes.length) return false;
  return timingSafeEqual(presentedBytes, mac(secret, parts));
}
