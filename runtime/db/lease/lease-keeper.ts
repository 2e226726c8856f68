// Holds the writer lease of one database for one node: takes it when it is free or has expired,
// renews it in the background, and hands out the fence (the lease epoch) every append must carry.
// Clocks decide only when a node may try to take over; whether an append lands is decided by the
// storage comparing epochs, so a node that was paused past its lease can never append.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { alert, errorData, event } from '../../cast/index.js';
import { StorageConflictError } from '../storage/errors.js';
import type { AppendFence, DatabaseStorage, Lease } from '../storage/storage.js';
import { NotPrimaryError } from './errors.js';

export interface LeaseOptions {
  /** This node's name in the lease; default host:pid:random, unique per process incarnation. */
  readonly owner?: string;
  /** How long a lease lasts without renewal, in ms: a dead primary is replaced after about this long. Default 10,000. */
  readonly leaseMs?: number;
  /** How often the lease is renewed (or, on a standby, tried), in ms. Default a third of leaseMs. */
  readonly renewEveryMs?: number;
  /** The clock leases are stamped and judged by; default Date.now. */
  readonly now?: () => number;
}

const DEFAULT_LEASE_MS = 10_000;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new TypeError(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  return value;
}

export class LeaseKeeper {
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly renewEveryMs: number;
  private readonly now: () => number;
  private held: Lease | undefined;
  /** The lease another node held when this one last looked, for telling callers where the primary is. */
  private seen: Lease | undefined;
  /** Lease calls run one at a time, so a renewal never races this node's own takeover. */
  private turn: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<(lease: Lease) => void>();

  constructor(
    private readonly store: DatabaseStorage,
    options: LeaseOptions = {},
  ) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.leaseMs = Math.round(positive('leaseMs', options.leaseMs, DEFAULT_LEASE_MS));
    this.renewEveryMs = positive('renewEveryMs', options.renewEveryMs, this.leaseMs / 3);
    this.now = options.now ?? Date.now;
  }

  /** The lease this node holds, as far as it knows; undefined while it is a standby. */
  current(): Lease | undefined {
    return this.held;
  }

  /** Tries to take the lease now, then keeps renewing it (or, while another node holds it, trying). */
  start(): void {
    if (this.timer !== undefined) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.renewEveryMs);
    this.timer.unref();
  }

  private tick(): void {
    this.serial(() => (this.held === undefined ? this.tryAcquire() : this.renew())).catch((error: unknown) => {
      alert({ msg: 'db.lease/renew-failed', db: this.store.name, owner: this.owner, ex: errorData(error) });
    });
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.turn.then(step);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * The fence for an append: the epoch of a lease this node holds. A lease past its time is renewed
   * first (that succeeds only if nobody took it over); without one, this node tries to take it.
   * NotPrimaryError when another node holds it.
   */
  fence(): Promise<AppendFence> {
    return this.serial(async () => {
      if (this.held !== undefined && this.now() >= this.held.expiresAt) await this.renew();
      if (this.held === undefined) await this.tryAcquire();
      if (this.held === undefined) throw new NotPrimaryError(this.store.name, this.owner, this.seen);
      return { epoch: this.held.epoch };
    });
  }

  /** Told by the writer that storage refused an append of `epoch`: that lease is gone. */
  lost(epoch: number): void {
    if (this.held?.epoch === epoch) this.drop('append refused');
  }

  private drop(why: string): void {
    event({ msg: 'db.lease/lost', db: this.store.name, owner: this.owner, epoch: this.held?.epoch, why });
    this.held = undefined;
  }

  private async renew(): Promise<void> {
    const held = this.held!;
    try {
      const next = { ...held, expiresAt: this.now() + this.leaseMs };
      await this.store.casLease(held, next);
      this.held = next;
    } catch (error) {
      if (!(error instanceof StorageConflictError)) throw error;
      // A renewal whose answer was lost (storage unreachable mid-call) may have landed: a lease still
      // in this node's name is its own, since every takeover writes the taker's name.
      const found = await this.store.getLease();
      if (found?.owner === this.owner && found.epoch === held.epoch) this.held = found;
      else this.drop('renewal found the lease taken over');
    }
  }

  private async tryAcquire(): Promise<void> {
    const found = await this.store.getLease();
    if (found !== undefined && found.owner !== this.owner && this.now() < found.expiresAt) {
      this.seen = found;
      return;
    }
    // A lease in this node's own name (an acquisition whose answer was lost) is taken back at its epoch.
    const epoch = found?.owner === this.owner ? found.epoch : (found?.epoch ?? 0) + 1;
    const next = { owner: this.owner, epoch, expiresAt: this.now() + this.leaseMs };
    try {
      await this.store.casLease(found, next);
    } catch (error) {
      if (error instanceof StorageConflictError) return;
      throw error;
    }
    this.held = next;
    event({ msg: 'db.lease/acquired', db: this.store.name, owner: this.owner, epoch: next.epoch, after: found?.owner });
    for (const waiter of this.waiters) waiter(next);
  }

  /** Resolves with the lease once this node holds it; rejects after timeoutMs naming the holder. */
  whenHeld(timeoutMs: number): Promise<Lease> {
    if (this.held !== undefined) return Promise.resolve(this.held);
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        this.waiters.delete(done);
        reject(new NotPrimaryError(this.store.name, this.owner, this.seen, timeoutMs));
      }, timeoutMs);
      const done = (lease: Lease): void => {
        clearTimeout(timeout);
        this.waiters.delete(done);
        resolve(lease);
      };
      this.waiters.add(done);
    });
  }

  /** Stops renewing and hands the lease back (expired now), so a standby takes over without waiting. */
  release(): Promise<void> {
    clearInterval(this.timer);
    return this.serial(async () => {
      const held = this.held;
      if (held === undefined) return;
      this.held = undefined;
      await this.store.casLease(held, { ...held, expiresAt: Math.min(held.expiresAt, this.now()) }).catch((error: unknown) => {
        if (!(error instanceof StorageConflictError)) throw error;
      });
    });
  }
}
