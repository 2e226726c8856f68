// The storage contract every backend implements (memory, file; PostgreSQL and DynamoDB+S3 later).
// It knows nothing about datoms: a database is an append-only log of opaque records keyed by t,
// a set of immutable content-addressed blobs, and one root pointer. Everything a backend must
// guarantee is a compare-and-set on the log tail and on the root; the rest is plain reads.

/** One transaction in the log. `t` strictly increases along the log; gaps are allowed. */
export interface LogRecord {
  readonly t: number;
  readonly data: Uint8Array;
}

/** Content address of a blob: lower-case hex SHA-256 of its bytes. */
export type BlobKey = string;

/** A blob as listed for garbage collection. */
export interface StoredBlob {
  readonly key: BlobKey;
  /** Milliseconds since the Unix epoch of its latest putBlob. */
  readonly storedAt: number;
}

/** Where the newest checkpoint is: the blob holding it and the t it includes. */
export interface RootPointer {
  readonly t: number;
  readonly blob: BlobKey;
}

/**
 * Who may write a database: one owner at a time, moved only by compare-and-set. A takeover raises the
 * epoch; a renewal keeps it and moves expiresAt. Safety rests on the epoch (appends are fenced by it),
 * never on clocks: expiresAt only tells others when they may try to take over.
 */
export interface Lease {
  /** Unique per writer incarnation, so a restarted process never mistakes an old lease for its own. */
  readonly owner: string;
  readonly epoch: number;
  /** Milliseconds since the Unix epoch, by the holder's clock. */
  readonly expiresAt: number;
}

/** What a leased writer passes to append: the append happens only while the lease has this epoch. */
export interface AppendFence {
  readonly epoch: number;
}

/** The storage of one database. */
export interface DatabaseStorage {
  /** The database name this storage was opened for. */
  readonly name: string;
  /** t of the last log entry, 0 for an empty log. */
  lastT(): Promise<number>;
  /**
   * Appends `entries` (t strictly increasing, the first above `expectedLastT`) if and only if the log
   * currently ends at `expectedLastT`; otherwise throws StorageConflictError and appends nothing.
   * Resolves once every entry is durable. A failure other than a conflict may leave a prefix of
   * `entries` written; a later open either keeps each entry whole or drops it.
   * With a `fence`, the append also requires, in the same atomic step, that the stored lease has the
   * fence's epoch; otherwise it throws LeaseLostError (checked before the tail) and appends nothing.
   */
  append(expectedLastT: number, entries: readonly LogRecord[], fence?: AppendFence): Promise<void>;
  /** Log entries with afterT < t <= untilT (untilT defaults to the end), in t order. */
  readLog(afterT: number, untilT?: number): AsyncIterable<LogRecord>;
  /**
   * Stores bytes under their content address; storing the same bytes twice is harmless and refreshes
   * the blob's storedAt (garbage collection spares young blobs, which a writer may be about to root).
   */
  putBlob(bytes: Uint8Array): Promise<BlobKey>;
  /** The blob's bytes; StorageCorruptError when it is missing or does not match its key. */
  getBlob(key: BlobKey): Promise<Uint8Array>;
  /** Every blob of this database, in any order; needed by segment garbage collection only. */
  listBlobs?(): AsyncIterable<StoredBlob>;
  /** Removes a blob; removing one that is not there is not an error. Needed by garbage collection only. */
  deleteBlob?(key: BlobKey): Promise<void>;
  /** The current root pointer, undefined before the first checkpoint. */
  getRoot(): Promise<RootPointer | undefined>;
  /** Replaces the root with `next` if it currently equals `expected`; StorageConflictError if not. */
  casRoot(expected: RootPointer | undefined, next: RootPointer): Promise<void>;
  /** The current writer lease, undefined before anyone took one. */
  getLease(): Promise<Lease | undefined>;
  /** Replaces the lease with `next` if it currently equals `expected`; StorageConflictError if not. */
  casLease(expected: Lease | undefined, next: Lease): Promise<void>;
  /** Releases files and handles; later calls fail. */
  close(): Promise<void>;
}

/**
 * A place that holds databases by name: `connect({ storage, db: 'name' })` opens one through it.
 * Opening the same name twice in a process yields the same DatabaseStorage, so the log's
 * compare-and-set sees every writer of the process.
 */
export interface Storage {
  open(db: string): Promise<DatabaseStorage>;
  /** Closes every database opened through this storage. */
  close(): Promise<void>;
}

const DB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Database names become file names and keys in every backend, so they are kept to a safe alphabet. */
export function checkDatabaseName(db: string): string {
  if (typeof db !== 'string' || !DB_NAME.test(db) || db.includes('..')) {
    throw new TypeError(
      `bad database name ${JSON.stringify(db)}: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return db;
}

/** Throws unless entries carry strictly increasing t above expectedLastT; shared by every backend. */
export function checkAppend(db: string, expectedLastT: number, entries: readonly LogRecord[]): void {
  let previous = expectedLastT;
  for (const [i, entry] of entries.entries()) {
    if (!Number.isSafeInteger(entry.t) || entry.t <= previous) {
      throw new RangeError(`append to ${db}: entry ${i} has t ${entry.t}, which must be an integer above ${previous}`);
    }
    previous = entry.t;
  }
}

/** Root pointers are equal when both are absent or both name the same blob at the same t. */
export function sameRoot(a: RootPointer | undefined, b: RootPointer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.t === b.t && a.blob === b.blob;
}

/** Leases are equal when both are absent or all their fields match. */
export function sameLease(a: Lease | undefined, b: Lease | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.owner === b.owner && a.epoch === b.epoch && a.expiresAt === b.expiresAt;
}

/** Throws unless `next` is a well-formed lease whose epoch does not go back; shared by every backend. */
export function checkLeaseChange(db: string, expected: Lease | undefined, next: Lease): Lease {
  const { owner, epoch, expiresAt } = next ?? ({} as Partial<Lease>);
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > 256) {
    throw new TypeError(`lease of ${db}: owner must be a string of 1-256 characters, got ${JSON.stringify(owner)}`);
  }
  if (!Number.isSafeInteger(epoch) || epoch! < 1 || epoch! < (expected?.epoch ?? 1)) {
    throw new RangeError(`lease of ${db}: epoch must be an integer >= ${expected?.epoch ?? 1}, got ${String(epoch)}`);
  }
  if (!Number.isSafeInteger(expiresAt) || expiresAt! < 0) {
    throw new RangeError(`lease of ${db}: expiresAt must be milliseconds since the Unix epoch, got ${String(expiresAt)}`);
  }
  return { owner: owner!, epoch: epoch!, expiresAt: expiresAt! };
}
