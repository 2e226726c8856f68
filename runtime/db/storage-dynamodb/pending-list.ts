// Pending lists too large for the head item live in S3, each in an object of its own, named by the head
// alone. A name is the list's SHA-256 (checked on every read) and a random nonce: two appends never share
// an object, even with equal entries, so deleting one can never take away what another head names.
//
// Once a head is replaced its object is dead: the replacing writer copied the entries to log items before
// its conditional update, then deletes the object. A writer that dies in between leaves it behind, which
// the sweep removes: every object under pending/ that the current head does not name and that is older
// than PENDING_LIST_GRACE_MS. The age is what makes this safe: the one object not named by the head that
// is still needed is that of an append between its PUT and its UpdateItem, a gap of milliseconds to
// seconds (SDK retries included), far below an hour even with S3's and the node's clocks apart.
import { randomBytes } from 'node:crypto';
import { blobKey } from '../storage/blob-key.js';
import { StorageCorruptError } from '../storage/errors.js';

/** Pending-list objects younger than this are never swept. */
export const PENDING_LIST_GRACE_MS = 60 * 60 * 1000;

const NAME = /^([0-9a-f]{64})-[0-9a-f]{16}$/;

/** A new name for an object holding `bytes`. */
export const newPendingListName = (bytes: Uint8Array): string => `${blobKey(bytes)}-${randomBytes(8).toString('hex')}`;

/** The SHA-256 of the bytes the object `name` holds. */
export function pendingListSha(name: string, where: string): string {
  const match = NAME.exec(name);
  if (match === null) throw new StorageCorruptError(`pending list name ${JSON.stringify(name)} is not <sha256>-<16 hex digits>`, where);
  return match[1]!;
}
