import { createHash } from 'node:crypto';
import type { BlobKey } from './storage.js';

/** The content address every backend files a blob under. */
export function blobKey(bytes: Uint8Array): BlobKey {
  return createHash('sha256').update(bytes).digest('hex');
}

const KEY = /^[0-9a-f]{64}$/;

export function checkBlobKey(key: BlobKey): BlobKey {
  if (typeof key !== 'string' || !KEY.test(key)) throw new TypeError(`bad blob key ${JSON.stringify(key)}: expected 64 hex digits`);
  return key;
}
