// HMAC-SHA256 (RFC 2104) for the per-request path. `createHmac` pays on every call for OpenSSL to look
// the digest up again and key three contexts, which costs more than hashing a whole invoke body. Here
// the key's two padded blocks are derived once per key, and each MAC is two one-shot hashes over a
// reused buffer: H((K ^ opad) || H((K ^ ipad) || message)), the same bytes `createHmac` would give.
//
// Each MAC runs twice per request (the proxy signs, the node verifies), on a path where every step
// from JavaScript into C++ costs a good fraction of a microsecond. So the only such steps left are the
// two hashes and, for a string body, its UTF-8 encoding: the pads stay in the buffers while the key
// does not change, and short ASCII and the inner digest are copied byte by byte in JavaScript.
import { Buffer } from 'node:buffer';
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac, type KeyObject } from 'node:crypto';

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
/** Messages up to this size go through the reused buffer; larger ones stream through createHmac. */
const SCRATCH_BYTES = 64 * 1024;
/** Text up to this length is copied in JavaScript when it is ASCII; a longer one is encoded by Node. */
const SHORT_TEXT = 128;
const NEWLINE = 0x0a;

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'hex' | 'binary') => string;
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
// them synchronously, so one pair serves the whole thread, and their pads are those of `padded`.
const innerInput = Buffer.alloc(SCRATCH_BYTES);
const outerInput = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);
let padded: KeyObject | undefined;

/** Writes `text` as UTF-8 at `offset`; answers the offset after it. */
function writeText(text: string, offset: number): number {
  if (text.length <= SHORT_TEXT) {
    let i = 0;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) break;
      innerInput[offset + i] = code;
      i++;
    }
    if (i === text.length) return offset + i;
  }
  return offset + innerInput.write(text, offset, 'utf8');
}

/** How a MAC comes back: hex, as a signature header carries it, or binary (latin1: one char per byte). */
export type MacEncoding = 'hex' | 'binary';

/**
 * HMAC-SHA256 of `lines`, each followed by a newline, then `body` (text as UTF-8) under a secret key, as
 * a string: `crypto.hash` allocates a Buffer for a 'buffer' result at a cost of about a microsecond,
 * several times what hashing the 96-byte outer message costs. Taking the lines apart spares building
 * the text they make.
 */
export function hmacSha256(key: KeyObject, lines: readonly string[], body: string | Uint8Array, encoding: MacEncoding): string {
  // A string's UTF-8 form is at most three bytes per UTF-16 unit, so this bound never truncates.
  let bound = BLOCK_BYTES + (typeof body === 'string' ? 3 * body.length : body.length);
  for (const line of lines) bound += 3 * line.length + 1;
  if (oneShotHash === undefined || bound > SCRATCH_BYTES) {
    const hmac = createHmac('sha256', key);
    for (const line of lines) hmac.update(line).update('\n');
    return hmac.update(body).digest(encoding);
  }
  if (key !== padded) {
    const pads = padsOf(key);
    innerInput.set(pads.inner, 0);
    outerInput.set(pads.outer, 0);
    padded = key;
  }
  let length = BLOCK_BYTES;
  for (const line of lines) {
    length = writeText(line, length);
    innerInput[length++] = NEWLINE;
  }
  if (typeof body === 'string') length = writeText(body, length);
  else {
    innerInput.set(body, length);
    length += body.length;
  }
  const innerDigest = oneShotHash('sha256', innerInput.subarray(0, length), 'binary');
  for (let i = 0; i < DIGEST_BYTES; i++) outerInput[BLOCK_BYTES + i] = innerDigest.charCodeAt(i);
  return oneShotHash('sha256', outerInput, encoding);
}
