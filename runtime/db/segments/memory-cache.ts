// The first tier of the segment cache: decoded segments in the process's memory, least recently used
// evicted first once their estimated size passes the budget. Segments never change, so an entry is
// only ever evicted, never invalidated.
import type { Datom } from '../types.js';

/** A rough heap cost per decoded datom (the object, its slot in the array); values add their encoded size. */
const BYTES_PER_DATOM = 64;

/** What a decoded segment is estimated to take in memory. */
export function segmentWeight(datoms: readonly Datom[], encodedBytes: number): number {
  return datoms.length * BYTES_PER_DATOM + encodedBytes;
}

export class MemoryCache {
  // A Map iterates in insertion order: re-inserting on each hit keeps the least recent first.
  private readonly entries = new Map<string, { datoms: Datom[]; bytes: number }>();
  private used = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new TypeError(`memory cache size must be a non-negative integer of bytes, got ${maxBytes}`);
  }

  get(key: string): Datom[] | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.datoms;
  }

  /** Keeps the segment unless it alone is bigger than the whole budget. */
  set(key: string, datoms: Datom[], bytes: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.used -= old.bytes;
    }
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { datoms, bytes });
    this.used += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.used -= entry.bytes;
    }
  }

  get usedBytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }
}
