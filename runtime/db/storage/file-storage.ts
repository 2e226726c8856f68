// The embedded default storage: one directory per database under `dir`, holding
//   log/      the transaction log segments (file-log.ts)
//   blobs/    immutable blobs named by their SHA-256
//   root.json the root pointer, replaced atomically
//   lease.json the writer lease, replaced atomically
//   LOCK      the pid of the process that has it open
import { mkdir, readFile, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { blobKey, checkBlobKey } from './blob-key.js';
import { LeaseLostError, StorageConflictError, StorageCorruptError } from './errors.js';
import { FileLog, type SyncInfo } from './file-log.js';
import { acquireLock } from './file-lock.js';
import { removeTempFiles, writeFileDurably } from './fs-durable.js';
import {
  checkDatabaseName,
  checkLeaseChange,
  sameLease,
  sameRoot,
  type AppendFence,
  type BlobKey,
  type DatabaseStorage,
  type Lease,
  type LogRecord,
  type RootPointer,
  type Storage,
  type StoredBlob,
} from './storage.js';

export interface FileStorageOptions {
  /** Size at which a log segment is closed and a new one begun; default 32 MiB. */
  readonly segmentBytes?: number;
  /** Called once per log fdatasync, with how many entries it made durable (group commit shows here). */
  readonly onSync?: (info: SyncInfo) => void;
}

const DEFAULT_SEGMENT_BYTES = 32 * 1024 * 1024;

class FileDatabase implements DatabaseStorage {
  private rootQueue: Promise<unknown> = Promise.resolve();
  private leaseQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly log: FileLog,
    private root: RootPointer | undefined,
    private lease: Lease | undefined,
    private readonly unlock: () => Promise<void>,
  ) {}

  static async open(name: string, dir: string, options: FileStorageOptions): Promise<FileDatabase> {
    await mkdir(join(dir, 'blobs'), { recursive: true });
    const unlock = await acquireLock(join(dir, 'LOCK'), name);
    try {
      await removeTempFiles(dir);
      await removeTempFiles(join(dir, 'blobs'));
      const log = await FileLog.open(name, join(dir, 'log'), {
        segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
        ...(options.onSync === undefined ? {} : { onSync: options.onSync }),
      });
      const root = await readRoot(join(dir, 'root.json'), name);
      return new FileDatabase(name, dir, log, root, await readLease(join(dir, 'lease.json'), name), unlock);
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  async lastT(): Promise<number> {
    return this.log.lastT();
  }

  // The lease is checked in the log's own turn, so an append and a takeover are ordered one way or the other.
  append(expectedLastT: number, entries: readonly LogRecord[], fence?: AppendFence): Promise<void> {
    if (fence === undefined) return this.log.append(expectedLastT, entries);
    return this.log.append(expectedLastT, entries, () => {
      if (this.lease?.epoch !== fence.epoch) throw new LeaseLostError(this.name, fence.epoch, this.lease);
    });
  }

  readLog(afterT: number, untilT?: number): AsyncIterable<LogRecord> {
    return this.log.read(afterT, untilT);
  }

  async putBlob(bytes: Uint8Array): Promise<BlobKey> {
    const key = blobKey(bytes);
    const path = join(this.dir, 'blobs', key);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.size !== bytes.length) await writeFileDurably(path, bytes);
    else {
      const now = new Date();
      await utimes(path, now, now);
    }
    return key;
  }

  async *listBlobs(): AsyncIterable<StoredBlob> {
    const dir = join(this.dir, 'blobs');
    for (const name of await readdir(dir)) {
      if (name.startsWith('.')) continue;
      const info = await stat(join(dir, name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (info !== undefined) yield { key: name, storedAt: info.mtimeMs };
    }
  }

  async deleteBlob(key: BlobKey): Promise<void> {
    await rm(join(this.dir, 'blobs', checkBlobKey(key)), { force: true });
  }

  async getBlob(key: BlobKey): Promise<Uint8Array> {
    const path = join(this.dir, 'blobs', checkBlobKey(key));
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StorageCorruptError(`blob ${key} of ${this.name} is missing`, path);
      throw error;
    }
    if (blobKey(bytes) !== key) throw new StorageCorruptError(`blob of ${this.name} does not match its SHA-256`, path);
    return bytes;
  }

  async getRoot(): Promise<RootPointer | undefined> {
    return this.root;
  }

  casRoot(expected: RootPointer | undefined, next: RootPointer): Promise<void> {
    const run = this.rootQueue.then(async () => {
      if (!sameRoot(this.root, expected)) {
        throw new StorageConflictError(`root of ${this.name} is ${JSON.stringify(this.root)}, not the expected ${JSON.stringify(expected)}`);
      }
      const root = { t: next.t, blob: checkBlobKey(next.blob) };
      await writeFileDurably(join(this.dir, 'root.json'), Buffer.from(JSON.stringify(root)));
      this.root = root;
    });
    this.rootQueue = run.catch(() => undefined);
    return run;
  }

  async getLease(): Promise<Lease | undefined> {
    return this.lease;
  }

  casLease(expected: Lease | undefined, next: Lease): Promise<void> {
    const run = this.leaseQueue.then(async () => {
      const lease = checkLeaseChange(this.name, expected, next);
      if (!sameLease(this.lease, expected)) {
        throw new StorageConflictError(`lease of ${this.name} is ${JSON.stringify(this.lease)}, not the expected ${JSON.stringify(expected)}`);
      }
      await writeFileDurably(join(this.dir, 'lease.json'), Buffer.from(JSON.stringify(lease)));
      this.lease = lease;
    });
    this.leaseQueue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.rootQueue;
    await this.leaseQueue;
    await this.log.close();
    await this.unlock();
  }
}

/** A small JSON file's text, undefined when it was never written. */
async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readRoot(path: string, db: string): Promise<RootPointer | undefined> {
  const text = await readOptionalFile(path);
  if (text === undefined) return undefined;
  try {
    const root = JSON.parse(text) as RootPointer;
    if (Number.isSafeInteger(root.t) && typeof root.blob === 'string') return { t: root.t, blob: checkBlobKey(root.blob) };
  } catch {
    // reported below with the file named
  }
  throw new StorageCorruptError(`root pointer of ${db} is not {"t": integer, "blob": sha256}`, path);
}

async function readLease(path: string, db: string): Promise<Lease | undefined> {
  const text = await readOptionalFile(path);
  if (text === undefined) return undefined;
  try {
    return checkLeaseChange(db, undefined, JSON.parse(text) as Lease);
  } catch (error) {
    throw new StorageCorruptError(`lease of ${db} is not {"owner": string, "epoch": integer, "expiresAt": integer} (${(error as Error).message})`, path);
  }
}

// Opening a directory twice in one process must give one FileDatabase, or two log writers would each
// check compare-and-set against their own idea of the tail. It closes when its last opener closes.
const openDatabases = new Map<string, { opening: Promise<FileDatabase>; openers: number }>();

/** Databases stored under `dir`, one subdirectory each. */
export function fileStorage(dir: string, options: FileStorageOptions = {}): Storage {
  const mine = new Set<string>();
  return {
    async open(db) {
      const path = resolve(dir, checkDatabaseName(db));
      let shared = openDatabases.get(path);
      if (shared === undefined) {
        const opening = FileDatabase.open(db, path, options);
        shared = { opening, openers: 0 };
        openDatabases.set(path, shared);
        opening.catch(() => openDatabases.delete(path));
      }
      if (!mine.has(path)) {
        mine.add(path);
        shared.openers += 1;
      }
      return shared.opening;
    },
    async close() {
      for (const path of mine) {
        mine.delete(path);
        const shared = openDatabases.get(path);
        if (shared === undefined || --shared.openers > 0) continue;
        openDatabases.delete(path);
        await (await shared.opening).close();
      }
    },
  };
}
