// HMAC-SHA256 (RFC 2104) for the per-request path. `createHmac` pays on every call for OpenSSL to look
// the digest up again and key three contexts, which costs more than hashing a whole invoke body. Here
// the key's two padded blocks are derived once per key, and each MAC is two one-shot hashes over a
// reused buffer: H((K ^ opad) || H((K ^ ipad) || message)), the same bytes `createHmac` would give.
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac, type KeyObject } from 'node:crypto';

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
/** Messages up to this size go through the reused buffer; larger ones stream through createHmac. */
const SCRATCH_BYTES = 64 * 1024;

type OneShotHash = {
  (algorithm: string, data: Uint8Array, outputEncoding: 'buffer'): Buffer;
  (algorithm: string, data: Uint8Array, outputEncoding: 'hex' | 'buffer'): Buffer | string;
};
// crypto.hash arrived in Node 20.12; older Node 20 releases take the createHmac path.
const oneShotHash = (nodeCrypto as { hash?: unknown }).hash as OneShotHash | undefined;

interface Pads {
  inner: Buffer;
  outer: Buffer;
}

const padsByKey = new WeakMap<KeyObject, Pads>();

function padsOf(key: KeyObject): Pads {
  let pads = padsByKey.get(key);
  if (pads === undefined) {
    const raw = key.export();
    const block = Buffer.alloc(BLOCK_BYTES);
    (raw.length > BLOCK_BYTES ? createHash('sha256').update(raw).digest() : raw).copy(block);
    const inner = Buffer.alloc(BLOCK_BYTES);
    const outer = Buffer.alloc(BLOCK_BYTES);
    for (let i = 0; i < BLOCK_BYTES; i++) {
      inner[i] = block[i]! ^ 0x36;
      outer[i] = block[i]! ^ 0x5c;
    }
    pads = { inner, outer };
    padsByKey.set(key, pads);
  }
  return pads;
}

// The inner pad then the message; the outer pad then the inner digest. Each call fills and hashes
// them synchronously, so one pair serves the whole thread.
const innerInput = Buffer.alloc(SCRATCH_BYTES);
const outerInput = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);

/** HMAC-SHA256 of `head` (UTF-8) followed by `body` (UTF-8 when a string) under a secret key. */
export function hmacSha256(key: KeyObject, head: string, body: string | Uint8Array): Buffer;
export function hmacSha256(key: KeyObject, head: string, body: string | Uint8Array, encoding: 'hex'): string;
export function hmacSha256(key: KeyObject, head: string, body: string | Uint8Array, encoding?: 'hex'): Buffer | string {
  // A string's UTF-8 form is at most three bytes per UTF-16 unit, so this bound never truncates.
  const bound = BLOCK_BYTES + 3 * head.length + (typeof body === 'string' ? 3 * body.length : body.length);
  if (oneShotHash === undefined || bound > SCRATCH_BYTES) {
    const hmac = createHmac('sha256', key).update(head).update(body);
    return encoding === undefined ? hmac.digest() : hmac.digest(encoding);
  }
  const pads = padsOf(key);
  pads.inner.copy(innerInput, 0);
  let length = BLOCK_BYTES + innerInput.write(head, BLOCK_BYTES, 'utf8');
  if (typeof body === 'string') length += innerInput.write(body, length, 'utf8');
  else {
    innerInput.set(body, length);
    length += body.length;
  }
  pads.outer.copy(outerInput, 0);
  outerInput.set(oneShotHash('sha256', innerInput.subarray(0, length), 'buffer'), BLOCK_BYTES);
  return oneShotHash('sha256', outerInput, encoding ?? 'buffer');
}
