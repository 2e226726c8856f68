// Log entries too large for a DynamoDB item live in S3, one object per upload, named
// <t>-<sha256>-<nonce>: the t the entry was uploaded for (16 digits, so a listing runs in t order), the
// SHA-256 of its bytes (checked on every read) and a random nonce. The nonce means no two uploads share an
// object, even of equal bytes for the same t by racing writers, so deleting one upload's object never
// takes away what another append committed. The t means only one place can ever name the object: the
// log entry at that t (its log item, or the head's pending list while it is the newest append).
//
// An upload is dead when its append was refused or never made. Its writer deletes it on a refusal; a
// writer that died first, or whose delete failed, leaves it behind, and the sweep removes it. Whether an
// object is dead is read off the log once its append is over, and never changes after: committed entries
// are immutable, so the entry at t names the object for good or not at all.
// - On a refusal the append is over for good: its condition (lastT at the expected t, the writer's
//   lease epoch) was false when it was refused, and neither lastT nor the epoch ever goes back, so no
//   retry of the same UpdateItem can still land. It may have landed before (the SDK retried after a lost
//   response): the writer then finds its append's id in the log and reports the append done, deleting
//   nothing; and whatever the ids say, it deletes only objects no log entry names.
// - The sweep cannot know whether an append is over: an upload precedes its UpdateItem by milliseconds to
//   seconds (SDK retries included), so an object older than LOG_OBJECT_GRACE_MS belongs to an append that
//   is over, far beyond any gap even with S3's and the node's clocks apart; younger ones are never swept.
import { randomBytes } from 'node:crypto';
import { blobKey } from '../storage/blob-key.js';
import { StorageCorruptError } from '../storage/errors.js';

/** Log-entry objects younger than this are never swept. */
export const LOG_OBJECT_GRACE_MS = 60 * 60 * 1000;

const T_DIGITS = 16;
const NAME = /^([0-9]{16})-([0-9a-f]{64})-[0-9a-f]{16}$/;

/** A new name for an object holding the bytes of the entry at `t`. */
export const newLogObjectName = (t: number, bytes: Uint8Array): string => `${String(t).padStart(T_DIGITS, '0')}-${blobKey(bytes)}-${randomBytes(8).toString('hex')}`;

/** The t and SHA-256 a log-object name encodes; undefined when it is no such name. */
export function logObjectParts(name: string): { readonly t: number; readonly sha: string } | undefined {
  const match = NAME.exec(name);
  return match === null ? undefined : { t: Number(match[1]), sha: match[2]! };
}

/** The SHA-256 of the object `name` that the entry at `t` names, checking that the name was made for that t. */
export function logObjectSha(name: string, t: number, where: string): string {
  const parts = logObjectParts(name);
  if (parts === undefined) throw new StorageCorruptError(`log object name ${JSON.stringify(name)} is not <t>-<sha256>-<16 hex digits>`, where);
  if (parts.t !== t) throw new StorageCorruptError(`log entry t=${t} names log object ${name}, which was uploaded for t ${parts.t}`, where);
  return parts.sha;
}
