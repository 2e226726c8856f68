// The second tier of the segment cache: segment blobs on the node's local disk, one file per key,
// least recently used removed once the directory passes its byte budget. Reads are synchronous so a
// database read can use a segment found here without going async; files are checked against their
// SHA-256 on every read, and a damaged one is dropped and fetched again rather than trusted.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alert } from '../../cast/index.js';
import { blobKey } from '../storage/blob-key.js';

const KEY_FILE = /^[0-9a-f]{64}$/;

export class DiskCache {
  // Insertion order is recency order, as in the memory tier.
  private readonly files = new Map<string, number>();
  private used = 0;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** The cache in `dir` (created if missing), keeping the segment files an earlier run left there. */
  static async open(dir: string, maxBytes: number): Promise<DiskCache> {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new TypeError(`disk cache size must be a non-negative integer of bytes, got ${maxBytes}`);
    await mkdir(dir, { recursive: true });
    const cache = new DiskCache(dir, maxBytes);
    const found: Array<{ key: string; size: number; at: number }> = [];
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (!KEY_FILE.test(name)) {
        if (name.endsWith('.tmp')) await rm(path, { force: true });
        continue;
      }
      const info = await stat(path);
      found.push({ key: name, size: info.size, at: info.mtimeMs });
    }
    found.sort((x, y) => x.at - y.at);
    for (const { key, size } of found) cache.track(key, size);
    await cache.evict();
    return cache;
  }

  /** The segment's bytes if this disk holds them intact. */
  readSync(key: string): Uint8Array | undefined {
    const size = this.files.get(key);
    if (size === undefined) return undefined;
    const path = join(this.dir, key);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.forget(key);
      return undefined;
    }
    if (blobKey(bytes) !== key) {
      alert({ msg: 'db.segments/disk-cache-damaged', file: path });
      this.forget(key);
      rmSync(path, { force: true });
      return undefined;
    }
    this.files.delete(key);
    this.files.set(key, size);
    return bytes;
  }

  /** Writes the segment through a temporary file, so a crash never leaves a half-written one under its key. */
  async write(key: string, bytes: Uint8Array): Promise<void> {
    if (this.files.has(key) || bytes.length > this.maxBytes) return;
    const temp = join(this.dir, `${key}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(temp, bytes);
    await rename(temp, join(this.dir, key));
    this.track(key, bytes.length);
    await this.evict();
  }

  get usedBytes(): number {
    return this.used;
  }

  private track(key: string, size: number): void {
    this.forget(key);
    this.files.set(key, size);
    this.used += size;
  }

  private forget(key: string): void {
    const size = this.files.get(key);
    if (size === undefined) return;
    this.files.delete(key);
    this.used -= size;
  }

  private async evict(): Promise<void> {
    while (this.used > this.maxBytes) {
      const oldest = this.files.keys().next().value as string;
      this.forget(oldest);
      await rm(join(this.dir, oldest), { force: true });
    }
  }
}
