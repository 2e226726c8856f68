// A node of the primary group: the one writer of a database while it holds the lease. Its connection
// is the ordinary group-committing connection over a view of the storage whose every append carries
// the lease epoch, so after a takeover the storage refuses whatever the old primary still tries.
// A node that starts while another holds the lease is a standby: it takes over once that lease
// expires or is released, and catches up on the log before its first append lands.
import { connect, type CheckpointPolicy, type Connection } from '../connection.js';
import { LeaseLostError } from '../storage/errors.js';
import type { BlobKey, DatabaseStorage, Lease, LogRecord, RootPointer, Storage } from '../storage/storage.js';
import type { FunctionRegistry } from '../types.js';
import { LeaseKeeper, type LeaseOptions } from './lease-keeper.js';

export interface PrimaryOptions extends LeaseOptions {
  readonly storage: Storage;
  readonly db: string;
  readonly functions?: FunctionRegistry;
  readonly checkpoint?: CheckpointPolicy | false;
}

export interface Primary {
  /** This node's name in the lease. */
  readonly owner: string;
  /** Transactions go here; on a standby they fail with NotPrimaryError, which names the holder. */
  readonly connection: Connection;
  /** The lease this node holds now, undefined while it is a standby. */
  lease(): Lease | undefined;
  /** Resolves once this node is the primary and has read the log to its end; NotPrimaryError after timeoutMs. */
  whenPrimary(timeoutMs: number): Promise<Lease>;
  /** Lets queued transactions finish, then releases the lease so a standby takes over at once. */
  close(): Promise<void>;
}

// Blob listing and deletion (garbage collection) are left out: collection runs on the storage itself.
/** The database's storage as the primary's connection sees it: appends fenced by the lease. */
class FencedDatabase implements DatabaseStorage {
  constructor(
    private readonly store: DatabaseStorage,
    private readonly keeper: LeaseKeeper,
  ) {}

  get name(): string {
    return this.store.name;
  }

  async append(expectedLastT: number, entries: readonly LogRecord[]): Promise<void> {
    const fence = await this.keeper.fence();
    try {
      await this.store.append(expectedLastT, entries, fence);
    } catch (error) {
      if (error instanceof LeaseLostError) this.keeper.lost(fence.epoch);
      throw error;
    }
  }

  lastT(): Promise<number> {
    return this.store.lastT();
  }

  readLog(afterT: number, untilT?: number): AsyncIterable<LogRecord> {
    return this.store.readLog(afterT, untilT);
  }

  putBlob(bytes: Uint8Array): Promise<BlobKey> {
    return this.store.putBlob(bytes);
  }

  getBlob(key: BlobKey): Promise<Uint8Array> {
    return this.store.getBlob(key);
  }

  getRoot(): Promise<RootPointer | undefined> {
    return this.store.getRoot();
  }

  casRoot(expected: RootPointer | undefined, next: RootPointer): Promise<void> {
    return this.store.casRoot(expected, next);
  }

  getLease(): Promise<Lease | undefined> {
    return this.store.getLease();
  }

  casLease(expected: Lease | undefined, next: Lease): Promise<void> {
    return this.store.casLease(expected, next);
  }

  // The underlying storage belongs to whoever opened it; closing this view leaves it open.
  async close(): Promise<void> {}
}

/** Starts a primary-group node for `db`: the writer if it gets the lease, else a standby. */
export async function startPrimary(options: PrimaryOptions): Promise<Primary> {
  const store = await options.storage.open(options.db);
  const keeper = new LeaseKeeper(store, options);
  const fenced = new FencedDatabase(store, keeper);
  // A storage of its own per node, so two nodes in one process get two connections, as on two hosts.
  const view: Storage = { open: async () => fenced, close: async () => {} };
  const connection = await connect({
    storage: view,
    db: options.db,
    ...(options.functions === undefined ? {} : { functions: options.functions }),
    ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
  });
  keeper.start();
  return {
    owner: keeper.owner,
    connection,
    lease: () => keeper.current(),
    async whenPrimary(timeoutMs) {
      const lease = await keeper.whenHeld(timeoutMs);
      await connection.sync();
      return lease;
    },
    async close() {
      await connection.close();
      await keeper.release();
    },
  };
}
