// A connection is the one writer of a database in this process. Transactions queue up; the writer
// takes everything queued, computes each purely against the latest value (a failing one is rejected
// and leaves nothing behind), appends the whole batch to the log with one compare-and-set, and only
// once that append is durable publishes the new value and resolves each report in order. While an
// append waits on the disk, new transactions gather into the next batch: that is group commit.
import { alert, errorData, event } from '../cast/index.js';
import { applyTxData, dbFromDatoms, emptyDb, logDatoms } from './rebuild.js';
import { decodeSnapshot, decodeTx, encodeSnapshot, encodeTx } from './storage/codec.js';
import { StorageConflictError, StorageCorruptError } from './storage/errors.js';
import { decodePointedRoot, loadIndexedDb } from './segments/open-segment-db.js';
import { isIndexRoot } from './segments/segment-codec.js';
import { writeIndex } from './segments/write-index.js';
import type { DatabaseStorage, RootPointer, Storage } from './storage/storage.js';
import { transact as transactPure } from './transact/transact.js';
import type { Database, FunctionRegistry, LogEntry, TxData, TxReport } from './types.js';

export interface CheckpointPolicy {
  /** Write a checkpoint once this many transactions are past the last one. Default 10,000. */
  readonly everyTransactions?: number;
  /** Or once this many log bytes are past it. Default 16 MiB. */
  readonly everyBytes?: number;
  /**
   * 'snapshot' (default) writes every datom into one blob; 'segments' merges the log into the
   * immutable index segments readers fetch piecemeal (runtime/db/segments), rewriting only what changed.
   */
  readonly format?: 'snapshot' | 'segments';
}

export interface ConnectOptions {
  readonly storage: Storage;
  readonly db: string;
  /** The allow-listed functions transactions and queries may call by name. */
  readonly functions?: FunctionRegistry;
  /** When to write index checkpoints; false for never (restart then replays the whole log). */
  readonly checkpoint?: CheckpointPolicy | false;
}

export interface Connection {
  readonly name: string;
  /** The latest database value; every transaction it includes is durable. */
  db(): Database;
  /** Resolves once the transaction is durable and published; rejects, changing nothing, if it fails. */
  transact(txData: TxData): Promise<TxReport>;
  /** Calls `listener` with every report from now on, in t order; returns a function that stops it. */
  listen(listener: (report: TxReport) => void): () => void;
  unlisten(listener: (report: TxReport) => void): void;
  /** Waits for queued transactions, reads what other writers appended to storage, returns the db. */
  sync(): Promise<Database>;
  /** The logged transactions with start <= t < end, read from storage. */
  txRange(start?: number, end?: number): AsyncIterable<LogEntry>;
  /** Writes a checkpoint of the current value now and resolves with the new root. */
  checkpoint(): Promise<RootPointer>;
  /** Lets queued transactions finish, then refuses new ones. The storage stays open. */
  close(): Promise<void>;
}

const DEFAULT_EVERY_TRANSACTIONS = 10_000;
const DEFAULT_EVERY_BYTES = 16 * 1024 * 1024;
/** Bounds a batch so one slow fsync cannot make a single append unboundedly large. */
const MAX_BATCH = 1024;
/** Retries of a batch whose append lost a compare-and-set to another writer. */
const CONFLICT_RETRIES = 3;

interface Pending {
  readonly txData: TxData;
  readonly resolve: (report: TxReport) => void;
  readonly reject: (error: unknown) => void;
}

class DbConnection implements Connection {
  private readonly queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private readonly listeners = new Set<(report: TxReport) => void>();
  private closed = false;
  private sinceCheckpoint = { transactions: 0, bytes: 0 };
  private checkpointing: Promise<RootPointer> | undefined;

  constructor(
    private readonly store: DatabaseStorage,
    private current: Database,
    private root: RootPointer | undefined,
    private readonly policy: Required<CheckpointPolicy> | false,
    private readonly forget: () => void,
  ) {}

  get name(): string {
    return this.store.name;
  }

  db(): Database {
    return this.current;
  }

  transact(txData: TxData): Promise<TxReport> {
    if (this.closed) return Promise.reject(new Error(`connection to ${this.name} is closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ txData, resolve, reject });
      // Started a microtask later, so transactions submitted in one synchronous burst share a batch.
      this.writing ??= Promise.resolve().then(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, MAX_BATCH));
    } finally {
      // Cleared in the same step that saw the queue empty, so a transaction queued right after
      // starts a new drain instead of waiting on one that has finished.
      this.writing = undefined;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const accepted: Array<{ pending: Pending; report: TxReport; data: Uint8Array }> = [];
      let db = this.current;
      for (const pending of batch) {
        try {
          const report = transactPure(db, pending.txData);
          accepted.push({ pending, report, data: encodeTx(report.txData) });
          db = report.dbAfter;
        } catch (error) {
          pending.reject(error);
        }
      }
      if (accepted.length === 0) return;
      try {
        await this.store.append(
          this.current.basisT,
          accepted.map(({ report, data }) => ({ t: report.dbAfter.basisT, data })),
        );
      } catch (error) {
        const retry = error instanceof StorageConflictError && attempt < CONFLICT_RETRIES;
        // Another writer appended first: take in what it wrote, then compute the batch again.
        const failure = retry ? await this.catchUp().then(() => undefined, (catchUpError: unknown) => catchUpError) : error;
        if (failure === undefined) {
          batch = accepted.map(({ pending }) => pending);
          continue;
        }
        for (const { pending } of accepted) pending.reject(failure);
        return;
      }
      this.current = db;
      for (const { pending, report, data } of accepted) {
        this.sinceCheckpoint.transactions += 1;
        this.sinceCheckpoint.bytes += data.length;
        pending.resolve(report);
        this.publish(report);
      }
      this.maybeCheckpoint();
      return;
    }
  }

  private publish(report: TxReport): void {
    for (const listener of this.listeners) {
      try {
        listener(report);
      } catch (error) {
        alert({ msg: 'db.connection/listener-failed', db: this.name, t: report.dbAfter.basisT, ex: errorData(error) });
      }
    }
  }

  adopt(db: Database): boolean {
    if (this.closed || this.writing !== undefined || db.basisT <= this.current.basisT) return false;
    this.current = db;
    return true;
  }

  // Only moves the value forward from where it started: a batch published meanwhile is not undone.
  private async catchUp(): Promise<void> {
    const from = this.current;
    const db = await replayLog(this.store, from);
    if (this.current === from) this.current = db;
  }

  listen(listener: (report: TxReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.unlisten(listener);
  }

  unlisten(listener: (report: TxReport) => void): void {
    this.listeners.delete(listener);
  }

  async sync(): Promise<Database> {
    await this.writing;
    await this.catchUp();
    return this.current;
  }

  async *txRange(start = 1, end = Infinity): AsyncIterable<LogEntry> {
    for await (const entry of this.store.readLog(start - 1, end - 1)) {
      yield { t: entry.t, data: decodeTx(entry.data, `log of ${this.name}, entry t=${entry.t}`) };
    }
  }

  private maybeCheckpoint(): void {
    if (this.policy === false || this.checkpointing !== undefined) return;
    const { transactions, bytes } = this.sinceCheckpoint;
    if (transactions < this.policy.everyTransactions && bytes < this.policy.everyBytes) return;
    this.checkpoint().catch((error: unknown) => {
      alert({ msg: 'db.connection/checkpoint-failed', db: this.name, ex: errorData(error) });
    });
  }

  // Checkpoints run one at a time; one asked for while another is running follows it, and is skipped
  // when that one already covers the current value.
  checkpoint(): Promise<RootPointer> {
    const run = (this.checkpointing ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => (this.root !== undefined && this.root.t === this.current.basisT ? this.root : this.writeCheckpoint()));
    this.checkpointing = run;
    const clear = (): void => {
      if (this.checkpointing === run) this.checkpointing = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  // Runs beside the writer: the value it snapshots is immutable, so transactions go on meanwhile.
  private async writeCheckpoint(): Promise<RootPointer> {
    const db = this.current;
    const counted = { ...this.sinceCheckpoint };
    const started = Date.now();
    let next: RootPointer;
    let bytes: Uint8Array | undefined;
    if (this.policy !== false && this.policy.format === 'segments') next = (await writeIndex(this.store, db, this.root)).pointer;
    else {
      bytes = await encodeSnapshot(db.basisT, logDatoms(db));
      next = { t: db.basisT, blob: await this.store.putBlob(bytes) };
    }
    await this.store.casRoot(this.root, next);
    this.root = next;
    this.sinceCheckpoint = {
      transactions: this.sinceCheckpoint.transactions - counted.transactions,
      bytes: this.sinceCheckpoint.bytes - counted.bytes,
    };
    event({ msg: 'db.connection/checkpoint-written', db: this.name, t: next.t, bytes: bytes?.length, ms: Date.now() - started });
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.forget();
    await this.writing;
    await this.checkpointing?.catch(() => undefined);
  }
}

/**
 * Moves an idle connection on to `db`, a newer value of its database that this node made from the
 * log (a primary-group standby's follower's), so the node keeps one copy of the database instead of
 * a stale second one; a takeover then replays only what came after it. False, changing nothing, when
 * the connection is writing, closed, or already as new.
 */
export function adoptValue(connection: Connection, db: Database): boolean {
  if (!(connection instanceof DbConnection)) throw new TypeError('adoptValue needs a connection made by connect()');
  return connection.adopt(db);
}

const connections = new WeakMap<DatabaseStorage, Promise<Connection>>();

/**
 * The connection to database `db` in `storage`, recovered from its latest checkpoint plus the log
 * after it. Connecting twice to the same database of a storage gives the same connection.
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  if (typeof options?.storage?.open !== 'function') {
    throw new TypeError('connect needs { storage, db }: storage must be a Storage such as memoryStorage() or fileStorage(dir)');
  }
  checkPolicy(options.checkpoint);
  return options.storage.open(options.db).then((store) => {
    let connecting = connections.get(store);
    if (connecting === undefined) {
      connecting = open(store, options);
      connections.set(store, connecting);
      connecting.catch(() => connections.delete(store));
    }
    return connecting;
  });
}

async function open(store: DatabaseStorage, options: ConnectOptions): Promise<Connection> {
  const { db, root } = await recoverDatabase(store, options.functions);
  const policy =
    options.checkpoint === false
      ? false
      : {
          everyTransactions: options.checkpoint?.everyTransactions ?? DEFAULT_EVERY_TRANSACTIONS,
          everyBytes: options.checkpoint?.everyBytes ?? DEFAULT_EVERY_BYTES,
          format: options.checkpoint?.format ?? 'snapshot',
        };
  return new DbConnection(store, db, root, policy, () => connections.delete(store));
}

/** The database as storage holds it now: its latest checkpoint plus the log after it. */
export async function recoverDatabase(
  store: DatabaseStorage,
  functions: FunctionRegistry | undefined,
): Promise<{ db: Database; root: RootPointer | undefined }> {
  const root = await store.getRoot();
  const lastT = await store.lastT();
  let db: Database;
  if (root === undefined) {
    db = emptyDb({ functions });
  } else {
    if (root.t > lastT) {
      throw new StorageCorruptError(`checkpoint of ${store.name} is at t ${root.t}, past the end of its log (t ${lastT})`, `root pointer ${root.blob}`);
    }
    const where = `checkpoint blob ${root.blob} of ${store.name}`;
    const bytes = await store.getBlob(root.blob);
    if (isIndexRoot(bytes)) db = await loadIndexedDb(store, decodePointedRoot(store, root, bytes), functions);
    else {
      const snapshot = decodeSnapshot(bytes, where);
      if (snapshot.basisT !== root.t) throw new StorageCorruptError(`checkpoint holds t ${snapshot.basisT}, but the root pointer says t ${root.t}`, where);
      db = dbFromDatoms(snapshot.datoms, { basisT: snapshot.basisT, functions });
    }
  }
  return { db: await replayLog(store, db), root };
}

function checkPolicy(policy: CheckpointPolicy | false | undefined): void {
  if (policy === undefined || policy === false) return;
  for (const key of ['everyTransactions', 'everyBytes'] as const) {
    const value = policy[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
      throw new TypeError(`checkpoint.${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (policy.format !== undefined && policy.format !== 'snapshot' && policy.format !== 'segments') {
    throw new TypeError(`checkpoint.format must be 'snapshot' or 'segments', got ${String(policy.format)}`);
  }
}

/** `db` with every transaction the log holds after its basis applied, in order. */
async function replayLog(store: DatabaseStorage, from: Database): Promise<Database> {
  let db = from;
  for await (const entry of store.readLog(db.basisT)) {
    const where = `log of ${store.name}, entry t=${entry.t}`;
    if (entry.t !== db.basisT + 1) throw new StorageCorruptError(`the log skips from t ${db.basisT} to t ${entry.t}`, where);
    db = applyTxData(db, decodeTx(entry.data, where));
  }
  return db;
}
