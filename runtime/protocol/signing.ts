// HMAC-SHA256 request signing. The signed message binds the signature to the protocol version, the
// moment of signing, a nonce, the target and the exact body bytes, so a captured request can neither be
// redirected to another target nor altered nor replayed after the window (see replay-guard.ts for
// replays inside it).
import { createHmac, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { hmacSha256, type MacEncoding } from './hmac-sha256.js';
import { HEADERS } from './wire.js';

const VERSION = 'ions-v1';
/** HMAC-SHA256 in hex. */
const SIGNATURE_HEX_LENGTH = 64;

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
export function canonicalHeader(parts: Omit<SignedParts, 'body'>): string {
  return headerLines(parts).join('\n') + '\n';
}

function headerLines({ timestamp, nonce, target }: Omit<SignedParts, 'body'>): string[] {
  if (nonce.includes('\n') || target.includes('\n')) throw new Error('a signed nonce or target cannot contain a newline');
  return [VERSION, decimal(timestamp), nonce, target];
}

function mac(secret: SigningKey, parts: SignedParts, encoding: MacEncoding): string {
  if (secret instanceof KeyObject) return hmacSha256(secret, headerLines(parts), parts.body, encoding);
  return createHmac('sha256', secret).update(canonicalHeader(parts)).update(parts.body).digest(encoding);
}

// Epoch milliseconds are past the small integers, so turning one into text takes a float formatting;
// requests signed within the same millisecond share the text.
let lastNumber = NaN;
let lastText = '';

/** `String(n)`, remembered for the last `n`. */
function decimal(n: number): string {
  if (n !== lastNumber) {
    lastNumber = n;
    lastText = String(n);
  }
  return lastText;
}

export function sign(secret: SigningKey, parts: SignedParts): string {
  return mac(secret, parts, 'hex');
}

// A nonce only has to differ between requests that would otherwise sign alike; it needs no secrecy, as
// the MAC over it is what cannot be forged. A random prefix per process (96 bits, a fixed 16
// characters) and a counter make it unique for a fraction of what a random UUID per request costs.
let noncePrefix: string | undefined;
let nonceCount = 0;

export function nextNonce(): string {
  noncePrefix ??= randomBytes(12).toString('base64url');
  return noncePrefix + (nonceCount++).toString(36);
}

/** The auth header's value (see HEADERS.auth) for one request; a fresh nonce unless one is given. */
export function authorization(
  secret: SigningKey,
  target: string,
  body: string | Uint8Array,
  now: number = Date.now(),
  nonce: string = nextNonce(),
): string {
  if (nonce.includes(' ')) throw new Error('a signed nonce cannot contain a space');
  return `${decimal(now)} ${nonce} ${sign(secret, { timestamp: now, nonce, target, body })}`;
}

/** Headers for one signed request; a fresh nonce unless one is given. */
export function signedHeaders(secret: SigningKey, target: string, body: string | Uint8Array, now?: number, nonce?: string): Record<string, string> {
  return { [HEADERS.auth]: authorization(secret, target, body, now, nonce) };
}

/**
 * Constant-time comparison of a presented signature with the expected one, as lower-case hex: every
 * character is compared whatever the earlier ones gave, so the time says nothing about how much of a
 * forgery was right. Comparing the text spares turning both into bytes first.
 */
export function signatureMatches(secret: SigningKey, parts: SignedParts, presented: string): boolean {
  if (parts.nonce.includes('\n') || parts.target.includes('\n')) return false;
  // A signature of the wrong length is refused before any MAC is computed; its length is no secret.
  if (presented.length !== SIGNATURE_HEX_LENGTH) return false;
  const expected = mac(secret, parts, 'hex');
  let difference = 0;
  for (let i = 0; i < SIGNATURE_HEX_LENGTH; i++) difference |= presented.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}
