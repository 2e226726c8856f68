// A log entry as the DynamoDB storage keeps it: its bytes inline, or, when too large for an item,
// the content key of an S3 object holding them. The newest append lives in the head item as a list of
// these; when that list is itself too large for an item it goes to S3 in the binary form below.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { StorageCorruptError } from '../storage/errors.js';

export type StoredEntry = { readonly t: number; readonly data: Uint8Array } | { readonly t: number; readonly object: string };

/** The attributes holding an entry's bytes, in a log item or in an element of the head's pending list. */
export function entryPayload(entry: StoredEntry): Record<string, AttributeValue> {
  return 'data' in entry ? { d: { B: entry.data } } : { s: { S: entry.object } };
}

/** The entry of a log item (t in sk) or of a pending-list element (t in t). */
export function entryFromAttributes(item: Record<string, AttributeValue>, where: string): StoredEntry {
  const t = Number(item.t?.N ?? item.sk?.N);
  if (!Number.isSafeInteger(t) || t < 1) throw new StorageCorruptError('log entry has no valid t', where);
  if (item.d?.B !== undefined) return { t, data: item.d.B };
  if (item.s?.S !== undefined) return { t, object: item.s.S };
  throw new StorageCorruptError(`log entry t=${t} has neither bytes (d) nor an S3 key (s)`, where);
}

/** Bytes an entry adds to a DynamoDB item, near enough to keep items under their size limit. */
export const entrySize = (entry: StoredEntry): number => 16 + ('data' in entry ? entry.data.length : entry.object.length);

// Binary form: u32 count, then per entry: f64 t, u8 kind (0 bytes, 1 S3 key), u32 length, the bytes or the key.
export function encodeEntries(entries: readonly StoredEntry[]): Uint8Array {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const entry of entries) {
    const body = 'data' in entry ? Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength) : Buffer.from(entry.object, 'utf8');
    const header = Buffer.alloc(13);
    header.writeDoubleBE(entry.t, 0);
    header.writeUInt8('data' in entry ? 0 : 1, 8);
    header.writeUInt32BE(body.length, 9);
    parts.push(header, body);
  }
  return Buffer.concat(parts);
}

export function decodeEntries(bytes: Uint8Array, where: string): StoredEntry[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (offset: number, why: string): never => {
    throw new StorageCorruptError(`append record is malformed: ${why}`, `${where} byte ${offset}`);
  };
  if (buffer.length < 4) fail(0, 'shorter than its count');
  const count = buffer.readUInt32BE(0);
  const entries: StoredEntry[] = [];
  let offset = 4;
  for (let i = 0; i < count; i++) {
    if (offset + 13 > buffer.length) fail(offset, `entry ${i} header runs past the end`);
    const t = buffer.readDoubleBE(offset);
    const kind = buffer.readUInt8(offset + 8);
    const length = buffer.readUInt32BE(offset + 9);
    const start = offset + 13;
    if (start + length > buffer.length) fail(offset, `entry ${i} body runs past the end`);
    if (!Number.isSafeInteger(t) || t < 1 || kind > 1) fail(offset, `entry ${i} has t ${t} and kind ${kind}`);
    const body = buffer.subarray(start, start + length);
    entries.push(kind === 0 ? { t, data: body } : { t, object: body.toString('utf8') });
    offset = start + length;
  }
  if (offset !== buffer.length) fail(offset, 'bytes after the last entry');
  return entries;
}
