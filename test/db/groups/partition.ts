// A network partition between a node and its storage, at the storage seam: while cut, every call of
// every database opened through the wrapper fails as an unreachable backend's would.
import { StorageUnavailableError } from '../../../runtime/db/storage/index.js';
import type { DatabaseStorage, LogRecord, Storage } from '../../../runtime/db/storage/storage.js';

export interface Partitioned {
  readonly storage: Storage;
  cut(): void | Promise<void>;
  heal(): void | Promise<void>;
  /** Releases what the partition holds besides the storage (a proxy); the storage is closed apart. */
  stop?(): Promise<void>;
}

export function partitioned(inner: Storage): Partitioned {
  let cut = false;
  const reach = (db: string, what: string): void => {
    if (cut) throw new StorageUnavailableError(`storage of ${db} is unreachable (${what}): connection refused`);
  };
  const wrap = (store: DatabaseStorage): DatabaseStorage => ({
    name: store.name,
    lastT: async () => (reach(store.name, 'lastT'), store.lastT()),
    append: async (expectedLastT, entries, fence) => (reach(store.name, 'append'), store.append(expectedLastT, entries, fence)),
    async *readLog(afterT, untilT): AsyncIterable<LogRecord> {
      reach(store.name, 'readLog');
      yield* store.readLog(afterT, untilT);
    },
    putBlob: async (bytes) => (reach(store.name, 'putBlob'), store.putBlob(bytes)),
    getBlob: async (key) => (reach(store.name, 'getBlob'), store.getBlob(key)),
    getRoot: async () => (reach(store.name, 'getRoot'), store.getRoot()),
    casRoot: async (expected, next) => (reach(store.name, 'casRoot'), store.casRoot(expected, next)),
    getLease: async () => (reach(store.name, 'getLease'), store.getLease()),
    casLease: async (expected, next) => (reach(store.name, 'casLease'), store.casLease(expected, next)),
    close: () => store.close(),
  });
  return {
    storage: { open: async (db) => wrap(await inner.open(db)), close: () => inner.close() },
    cut: () => void (cut = true),
    heal: () => void (cut = false),
  };
}
