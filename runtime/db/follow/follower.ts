// A query-group node's view of a database: it never writes. It reads the log after its basis (every
// pollMs, and at once when a caller waits for a t it has not seen), applies each entry to its value
// and answers reads from that value. Transactions go to the primary through `forward`; the follower
// then waits until its own log reading reaches the transaction, so the caller reads its own writes.
// When storage cannot be reached it keeps serving the value it has and keeps trying.
// Given a segment cache and a storage whose root is a segment index, it starts from that index
// lazily, so a new node pulls only the segments its reads and the log tail touch.
import { alert, errorData, event } from '../../cast/index.js';
import { recoverDatabase, type Connection } from '../connection.js';
import { applyTxData } from '../rebuild.js';
import { openSegmentDb } from '../segments/open-segment-db.js';
import type { SegmentCache } from '../segments/segment-cache.js';
import { isIndexRoot } from '../segments/segment-codec.js';
import { withSegments } from '../segments/with-segments.js';
import { decodeTx } from '../storage/codec.js';
import { StorageCorruptError } from '../storage/errors.js';
import type { DatabaseStorage, RootPointer, Storage } from '../storage/storage.js';
import type { Database, EntityId, FunctionRegistry, LogEntry, TxData, TxReport } from '../types.js';
import { SyncTimeoutError } from './errors.js';

export interface ForwardRequest {
  readonly db: string;
  readonly txData: TxData;
}

/** What the primary answers a forwarded transaction with. */
export interface ForwardedTx {
  /** The t the transaction was logged at. */
  readonly t: number;
  readonly tempids: Readonly<Record<string, EntityId>>;
}

/** Sends a transaction to the primary and resolves once it is durable there. */
export type Forwarder = (request: ForwardRequest) => Promise<ForwardedTx>;

export interface FollowOptions {
  readonly storage: Storage;
  readonly db: string;
  readonly functions?: FunctionRegistry;
  /** How transactions reach the primary; without it, transact fails. */
  readonly forward?: Forwarder;
  /** How often the log is read when nobody is waiting, in ms. Default 100. */
  readonly pollMs?: number;
  /** How long transact and syncTo wait for the log to reach a t by default, in ms. Default 10,000. */
  readonly waitMs?: number;
  /**
   * The cache of this database's segments (`new SegmentCache(store)` of `storage.open(db)`). When the
   * root is a segment index, values are read lazily through it: read them inside `withSegments`.
   * Without it, or on a snapshot root, the database is loaded whole.
   */
  readonly segments?: SegmentCache;
  /**
   * A value of this database this node has loaded already (a primary-group node's writer's): the
   * follower starts from it and reads the log after it, instead of loading a copy of its own.
   */
  readonly start?: Database;
}

/**
 * A Connection that never writes, so app code runs unchanged on either group. db() is the latest value
 * this node has read and never waits on storage; transact forwards to the primary, then waits until
 * this node has read the transaction, so the report's dbAfter (and db() from then on) includes it;
 * sync reads everything storage holds now (every transaction acknowledged before the call); listen
 * sees every transaction this node reads, tempids empty; checkpoint is refused (the primary writes
 * them); close stops reading and fails pending syncTo calls, leaving the storage open. Opened over
 * segments, its values are lazy: reads reaching a segment no local cache holds need `withSegments`.
 */
export interface Follower extends Connection {
  /** Resolves with a value whose basis is at least t; SyncTimeoutError after timeoutMs. */
  syncTo(t: number, timeoutMs?: number): Promise<Database>;
  /**
   * Takes the report of a transaction this node's own writer logged, whose dbBefore is at this
   * follower's basis, as if read from the log: the follower then shares the writer's value instead of
   * replaying the transaction into a copy. False (and nothing changes) for any other report.
   */
  adopt(report: TxReport): boolean;
}

const DEFAULT_POLL_MS = 100;
const DEFAULT_WAIT_MS = 10_000;

interface Waiter {
  readonly t: number;
  readonly resolve: (db: Database) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

function positiveMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new TypeError(`follow: ${name} must be a positive number of milliseconds, got ${String(value)}`);
  return value;
}

class DbFollower implements Follower {
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(report: TxReport) => void>();
  /** Reports kept for transactions in flight through this node: transact takes its own from here. */
  private readonly kept = new Map<number, TxReport>();
  /** Basis t of each transaction in flight; reports after the lowest are kept. */
  private readonly pins = new Set<{ readonly t: number }>();
  private reading: Promise<void> | undefined;
  private readAgain: Promise<void> | undefined;
  private failing: unknown;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: DatabaseStorage,
    private current: Database,
    private readonly options: FollowOptions,
    private readonly pollMs: number,
    private readonly waitMs: number,
  ) {}

  get name(): string {
    return this.store.name;
  }

  db(): Database {
    return this.current;
  }

  start(): void {
    this.timer = setTimeout(() => {
      this.readLog()
        .catch(() => undefined)
        .finally(() => {
          if (!this.closed) this.start();
        });
    }, this.pollMs);
    this.timer.unref();
  }

  /** One read of the log at a time; a call during a read gets the read after it, which sees later appends. */
  private readLog(): Promise<void> {
    if (this.reading === undefined) {
      this.reading = this.readNew().finally(() => {
        this.reading = undefined;
      });
      return this.reading;
    }
    this.readAgain ??= this.reading
      .catch(() => undefined)
      .then(() => {
        this.readAgain = undefined;
        return this.readLog();
      });
    return this.readAgain;
  }

  private async readNew(): Promise<void> {
    try {
      for await (const entry of this.store.readLog(this.current.basisT)) {
        if (this.closed) return;
        // Adopted while this read was under way.
        if (entry.t <= this.current.basisT) continue;
        const where = `log of ${this.name}, entry t=${entry.t}`;
        const dbBefore = this.current;
        if (entry.t !== dbBefore.basisT + 1) throw new StorageCorruptError(`the log skips from t ${dbBefore.basisT} to t ${entry.t}`, where);
        const txData = decodeTx(entry.data, where);
        // A lazy value fetches the segments the transaction touches; a loaded one never misses.
        this.current = await withSegments(() => applyTxData(dbBefore, txData));
        this.applied({ dbBefore, dbAfter: this.current, txData, tempids: {} });
      }
    } catch (error) {
      if (this.failing === undefined) alert({ msg: 'db.follower/read-failed', db: this.name, t: this.current.basisT, ex: errorData(error) });
      this.failing = error;
      throw error;
    }
    if (this.failing !== undefined) event({ msg: 'db.follower/read-recovered', db: this.name, t: this.current.basisT });
    this.failing = undefined;
  }

  adopt(report: TxReport): boolean {
    if (this.closed || report.dbBefore.basisT !== this.current.basisT || report.dbAfter.basisT !== this.current.basisT + 1) return false;
    this.current = report.dbAfter;
    this.applied({ ...report, tempids: {} });
    return true;
  }

  private applied(report: TxReport): void {
    const t = report.dbAfter.basisT;
    if (this.pins.size > 0) this.kept.set(t, report);
    for (const waiter of this.waiters) {
      if (waiter.t > t) continue;
      this.waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(this.current);
    }
    for (const listener of this.listeners) {
      try {
        listener(report);
      } catch (error) {
        alert({ msg: 'db.follower/listener-failed', db: this.name, t, ex: errorData(error) });
      }
    }
  }

  syncTo(t: number, timeoutMs = this.waitMs): Promise<Database> {
    if (!Number.isSafeInteger(t) || t < 0) return Promise.reject(new TypeError(`syncTo: t must be a non-negative integer, got ${String(t)}`));
    if (this.current.basisT >= t) return Promise.resolve(this.current);
    if (this.closed) return Promise.reject(new Error(`follower of ${this.name} is closed`));
    const waiting = new Promise<Database>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new SyncTimeoutError(this.name, this.current.basisT, t, timeoutMs, this.failing));
      }, timeoutMs);
      const waiter: Waiter = { t, resolve, reject, timer };
      this.waiters.add(waiter);
    });
    // A failed read is already reported and recorded for the timeout's message; the poll retries it.
    this.readLog().catch(() => undefined);
    return waiting;
  }

  async sync(): Promise<Database> {
    await this.readLog();
    return this.current;
  }

  async transact(txData: TxData): Promise<TxReport> {
    const forward = this.options.forward;
    if (forward === undefined) throw new TypeError(`follower of ${this.name} cannot transact: follow({ forward }) was not given a way to reach the primary`);
    if (this.closed) throw new Error(`follower of ${this.name} is closed`);
    const pin = { t: this.current.basisT };
    this.pins.add(pin);
    try {
      const { t, tempids } = await forward({ db: this.name, txData });
      if (!Number.isSafeInteger(t) || t <= pin.t) throw new TypeError(`the primary answered a transaction of ${this.name} with t ${String(t)}, which must be an integer above ${pin.t}`);
      await this.syncTo(t);
      return { ...this.kept.get(t)!, tempids };
    } finally {
      this.pins.delete(pin);
      this.prune();
    }
  }

  private prune(): void {
    let lowest = Infinity;
    for (const pin of this.pins) lowest = Math.min(lowest, pin.t);
    for (const t of this.kept.keys()) if (t <= lowest) this.kept.delete(t);
  }

  listen(listener: (report: TxReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.unlisten(listener);
  }

  unlisten(listener: (report: TxReport) => void): void {
    this.listeners.delete(listener);
  }

  async *txRange(start = 1, end = Infinity): AsyncIterable<LogEntry> {
    for await (const entry of this.store.readLog(start - 1, end - 1)) {
      yield { t: entry.t, data: decodeTx(entry.data, `log of ${this.name}, entry t=${entry.t}`) };
    }
  }

  async checkpoint(): Promise<RootPointer> {
    throw new TypeError(`follower of ${this.name} does not write checkpoints: the primary of ${this.name} does`);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`follower of ${this.name} closed while waiting for t ${waiter.t}`));
    }
    this.waiters.clear();
    await this.reading?.catch(() => undefined);
  }
}

/** Opens a read-only follower of `db`: recovers it from storage, then keeps reading the log. */
export async function follow(options: FollowOptions): Promise<Follower> {
  if (typeof options?.storage?.open !== 'function') throw new TypeError('follow needs { storage, db }: storage must be a Storage');
  if (options.forward !== undefined && typeof options.forward !== 'function') throw new TypeError('follow: forward must be a function');
  const pollMs = positiveMs('pollMs', options.pollMs, DEFAULT_POLL_MS);
  const waitMs = positiveMs('waitMs', options.waitMs, DEFAULT_WAIT_MS);
  const store = await options.storage.open(options.db);
  const cache = options.segments;
  if (cache !== undefined && cache.store.name !== store.name) throw new TypeError(`follow: the segment cache is of database ${cache.store.name}, not ${store.name}`);
  const db =
    options.start !== undefined
      ? options.start
      : cache !== undefined && (await rootIsIndex(store))
        ? await openSegmentDb(cache, { functions: options.functions })
        : (await recoverDatabase(store, options.functions)).db;
  const follower = new DbFollower(store, db, options, pollMs, waitMs);
  follower.start();
  return follower;
}

async function rootIsIndex(store: DatabaseStorage): Promise<boolean> {
  const pointer = await store.getRoot();
  return pointer !== undefined && isIndexRoot(await store.getBlob(pointer.blob));
}
