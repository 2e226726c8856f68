// Storage in the process's memory, for tests and throwaway databases. It keeps the same contract as
// the durable backends (compare-and-set, immutable blobs, copies in and out) so code tested on it
// behaves the same on them.
import { blobKey, checkBlobKey } from './blob-key.js';
import { StorageConflictError, StorageCorruptError } from './errors.js';
import { checkAppend, checkDatabaseName, sameRoot, type BlobKey, type DatabaseStorage, type LogRecord, type RootPointer, type Storage } from './storage.js';

class MemoryDatabase implements DatabaseStorage {
  private readonly log: LogRecord[] = [];
  private readonly blobs = new Map<BlobKey, Uint8Array>();
  private root: RootPointer | undefined;

  constructor(readonly name: string) {}

  async lastT(): Promise<number> {
    return this.log.at(-1)?.t ?? 0;
  }

  async append(expectedLastT: number, entries: readonly LogRecord[]): Promise<void> {
    checkAppend(this.name, expectedLastT, entries);
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
    if (!this.blobs.has(key)) this.blobs.set(key, bytes.slice());
    return key;
  }

  async getBlob(key: BlobKey): Promise<Uint8Array> {
    const bytes = this.blobs.get(checkBlobKey(key));
    if (bytes === undefined) throw new StorageCorruptError(`blob ${key} of ${this.name} is missing`, `memory blob ${key}`);
    return bytes.slice();
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
