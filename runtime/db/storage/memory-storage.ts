// Storage in the process's memory, for tests and throwaway databases. It keeps the same contract as
// the durable backends (compare-and-set, immutable blobs, copies in and out) so code tested on it
// behaves the same on them.
import { blobKey, checkBlobKey } from './blob-key.js';
import { LeaseLostError, StorageConflictError, StorageCorruptError } from './errors.js';
import {
  checkAppend,
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

class MemoryDatabase implements DatabaseStorage {
  private readonly log: LogRecord[] = [];
  private readonly blobs = new Map<BlobKey, { bytes: Uint8Array; storedAt: number }>();
  private root: RootPointer | undefined;
  private lease: Lease | undefined;

  constructor(readonly name: string) {}

  async lastT(): Promise<number> {
    return this.log.at(-1)?.t ?? 0;
  }

  async append(expectedLastT: number, entries: readonly LogRecord[], fence?: AppendFence): Promise<void> {
    checkAppend(this.name, expectedLastT, entries);
    if (fence !== undefined && this.lease?.epoch !== fence.epoch) throw new LeaseLostError(this.name, fence.epoch, this.lease);
    const lastT = this.log.at(-1)?.t ?? 0;
    if (lastT !== expectedLastT) {
      throw new StorageConflictError(`log of ${this.name} ends at t ${lastT}, not at the expected ${expectedLastT}`);
    }
    for (const entry of entries) this.log.push({ t: entry.t, data: entry.data.slice() });
  }

  async *readLog(afterT: number, untilT = Infinity): AsyncIterable<LogRecord> {
    for (const entry of this.log) {
      if (entry.t > untilT) return;
      if (entry.t > afterT) yield { t: entry.t, data: entry.data.slice() };
    }
  }

  async putBlob(bytes: Uint8Array): Promise<BlobKey> {
    const key = blobKey(bytes);
    const existing = this.blobs.get(key);
    this.blobs.set(key, { bytes: existing?.bytes ?? bytes.slice(), storedAt: Date.now() });
    return key;
  }

  async getBlob(key: BlobKey): Promise<Uint8Array> {
    const blob = this.blobs.get(checkBlobKey(key));
    if (blob === undefined) throw new StorageCorruptError(`blob ${key} of ${this.name} is missing`, `memory blob ${key}`);
    return blob.bytes.slice();
  }

  async *listBlobs(): AsyncIterable<StoredBlob> {
    for (const [key, { storedAt }] of [...this.blobs]) yield { key, storedAt };
  }

  async deleteBlob(key: BlobKey): Promise<void> {
    this.blobs.delete(checkBlobKey(key));
  }

  async getRoot(): Promise<RootPointer | undefined> {
    return this.root;
  }

  async casRoot(expected: RootPointer | undefined, next: RootPointer): Promise<void> {
    if (!sameRoot(this.root, expected)) {
      throw new StorageConflictError(`root of ${this.name} is ${JSON.stringify(this.root)}, not the expected ${JSON.stringify(expected)}`);
    }
    this.root = { t: next.t, blob: checkBlobKey(next.blob) };
  }

  async getLease(): Promise<Lease | undefined> {
    return this.lease;
  }

  async casLease(expected: Lease | undefined, next: Lease): Promise<void> {
    const lease = checkLeaseChange(this.name, expected, next);
    if (!sameLease(this.lease, expected)) {
      throw new StorageConflictError(`lease of ${this.name} is ${JSON.stringify(this.lease)}, not the expected ${JSON.stringify(expected)}`);
    }
    this.lease = lease;
  }

  async close(): Promise<void> {}
}

/** A fresh, empty storage; databases live as long as it does. */
export function memoryStorage(): Storage {
  const databases = new Map<string, MemoryDatabase>();
  return {
    async open(db) {
      const name = checkDatabaseName(db);
      let found = databases.get(name);
      if (found === undefined) {
        found = new MemoryDatabase(name);
        databases.set(name, found);
      }
      return found;
    },
    async close() {},
  };
}
