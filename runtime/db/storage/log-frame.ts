// The frame of one log record on disk:
//   [0,4)   CRC-32C of bytes [4, 20 + length)
//   [4,8)   payload length, u32 little-endian
//   [8,16)  t, u64 little-endian
//   [16,24) the log's last t when the batch holding this record was appended, u64 little-endian
//   [24,..) payload
// The checksum covers the header too, so a damaged header is caught like damaged data. The batch
// field tells recovery whether intact records after a damaged one were written in the same batch (a
// write torn by a crash) or in a later one (then the damaged batch had been acknowledged).
import { crc32c } from './crc32c.js';
import type { LogRecord } from './storage.js';

const HEADER_BYTES = 24;
const MAX_PAYLOAD = 0x7fff_ffff;

const readU64 = (bytes: Buffer, at: number): number => bytes.readUInt32LE(at) + bytes.readUInt32LE(at + 4) * 0x1_0000_0000;
const readT = (bytes: Buffer, offset: number): number => readU64(bytes, offset + 8);

function writeU64(bytes: Buffer, at: number, value: number): void {
  bytes.writeUInt32LE(value % 0x1_0000_0000, at);
  bytes.writeUInt32LE(Math.floor(value / 0x1_0000_0000), at + 4);
}

/** Writes the frames of `entries`, one batch appended after `previousT`, into one buffer for a single write. */
export function encodeFrames(previousT: number, entries: readonly LogRecord[]): Buffer {
  let size = 0;
  for (const entry of entries) {
    if (entry.data.length > MAX_PAYLOAD) throw new RangeError(`log entry t=${entry.t} is ${entry.data.length} bytes; the limit is ${MAX_PAYLOAD}`);
    size += HEADER_BYTES + entry.data.length;
  }
  const buffer = Buffer.allocUnsafe(size);
  let at = 0;
  for (const entry of entries) {
    buffer.writeUInt32LE(entry.data.length, at + 4);
    writeU64(buffer, at + 8, entry.t);
    writeU64(buffer, at + 16, previousT);
    buffer.set(entry.data, at + HEADER_BYTES);
    const end = at + HEADER_BYTES + entry.data.length;
    buffer.writeUInt32LE(crc32c(buffer, at + 4, end), at);
    at = end;
  }
  return buffer;
}

/** A frame found intact at `offset`. */
export interface Frame {
  readonly offset: number;
  readonly end: number;
  readonly t: number;
  /** The log's last t when this record's batch was appended. */
  readonly batchAfterT: number;
}

export function payload(bytes: Buffer, frame: Frame): Buffer {
  return bytes.subarray(frame.offset + HEADER_BYTES, frame.end);
}

/** The frame at `offset` if it is whole, its checksum matches and its t is above `afterT`. */
function frameAt(bytes: Buffer, offset: number, afterT: number): Frame | undefined {
  if (bytes.length - offset < HEADER_BYTES) return undefined;
  const length = bytes.readUInt32LE(offset + 4);
  const end = offset + HEADER_BYTES + length;
  if (length > MAX_PAYLOAD || end > bytes.length) return undefined;
  const t = readT(bytes, offset);
  if (!Number.isSafeInteger(t) || t <= afterT) return undefined;
  if (crc32c(bytes, offset + 4, end) !== bytes.readUInt32LE(offset)) return undefined;
  return { offset, end, t, batchAfterT: readU64(bytes, offset + 16) };
}

export interface SegmentScan {
  readonly frames: Frame[];
  /** Where the intact frames end: the logical end of the segment. */
  readonly validEnd: number;
  /**
   * Set when bytes after validEnd are neither frames nor the zeros of preallocated space.
   * `laterBatch` is set when an intact record of a later batch follows the damage: then the damaged
   * record was acknowledged before, and the damage is corruption, not a torn write.
   */
  readonly damage?: { readonly reason: string; readonly laterBatch?: Frame };
}

/** Reads every frame of a segment, stopping at the first that is not intact. */
export function scanSegment(bytes: Buffer, afterT: number): SegmentScan {
  const frames: Frame[] = [];
  let offset = 0;
  let lastT = afterT;
  while (offset < bytes.length) {
    const frame = frameAt(bytes, offset, lastT);
    if (frame === undefined) {
      if (allZero(bytes, offset)) break;
      const laterBatch = frameOfLaterBatch(bytes, offset, lastT);
      return { frames, validEnd: offset, damage: { reason: describeDamage(bytes, offset, lastT), ...(laterBatch === undefined ? {} : { laterBatch }) } };
    }
    frames.push(frame);
    lastT = frame.t;
    offset = frame.end;
  }
  return { frames, validEnd: offset };
}

function allZero(bytes: Buffer, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function describeDamage(bytes: Buffer, offset: number, afterT: number): string {
  if (bytes.length - offset < HEADER_BYTES) return `incomplete record header (${bytes.length - offset} bytes)`;
  const end = offset + HEADER_BYTES + bytes.readUInt32LE(offset + 4);
  if (end > bytes.length) return `record runs ${end - bytes.length} bytes past the end of the file`;
  if (crc32c(bytes, offset + 4, end) !== bytes.readUInt32LE(offset)) return 'checksum mismatch';
  return `t ${readT(bytes, offset)} does not follow t ${afterT}`;
}

// A record whose batch was appended after a t beyond the last intact one can only have been written
// once the damaged record's batch was durable: batches are written one after another, each after the
// previous one's fsync. A record of the damaged batch itself was appended after at most lastT.
function frameOfLaterBatch(bytes: Buffer, damagedAt: number, lastT: number): Frame | undefined {
  for (let offset = damagedAt + 1; offset + HEADER_BYTES <= bytes.length; offset++) {
    const frame = frameAt(bytes, offset, lastT);
    if (frame !== undefined && frame.batchAfterT > lastT) return frame;
  }
  return undefined;
}
