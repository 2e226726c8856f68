// One database as a primary-group node holds it. Every node of the primary group runs for the lease;
// the one holding it writes through its fenced connection, the others are standbys. A standby serves
// reads from a follower of the log and sends transactions to the lease holder, whose URL its lease
// owner name carries (a standby that cannot reach one waits to take the lease over itself). So app
// code and forwarded transactions work on any node of the group, and a load balancer in front of the
// group may pick any of them.
import { adoptValue, type Connection } from '../db/connection.js';
import { follow, type Follower, type ForwardedTx, type ForwardRequest } from '../db/follow/follower.js';
import { localForwarder } from '../db/follow/local-forwarder.js';
import { ForwardError, remoteForwarder } from '../db/follow/remote-forwarder.js';
import { NotPrimaryError } from '../db/lease/errors.js';
import { startPrimary, type Primary } from '../db/lease/primary.js';
import { startSegmentUpkeep, type SegmentUpkeep, type UpkeepSchedule } from '../db/segments/upkeep.js';
import { LeaseLostError } from '../db/storage/errors.js';
import type { DatabaseStorage, RootPointer, Storage } from '../db/storage/storage.js';
import type { Database, FunctionRegistry, TxData, TxReport } from '../db/types.js';
import { signingKey, type SigningKey } from '../protocol/signing.js';
import { leaseOwner, ownerUrl } from './lease-owner.js';
import { pause, RETRY_PAUSE_MS } from './retrying-forwarder.js';

export interface MemberOptions {
  storage: Storage;
  db: string;
  functions: FunctionRegistry;
  secret: SigningKey;
  /** Where other nodes reach this one, written into its leases; undefined when it has no such URL. */
  selfUrl: string | undefined;
  leaseMs?: number;
  renewEveryMs?: number;
  /** How long a transaction may wait for a writer it can reach (a takeover), in ms. */
  waitMs: number;
  /**
   * Checkpoints as index segments, whose garbage this node collects while it holds the lease; unset,
   * snapshot checkpoints and nothing to collect.
   */
  segments?: UpkeepSchedule;
}

/** The database's Connection on this node, and the writer path forwarded transactions take. */
export interface PrimaryMember {
  connection: Connection;
  write(request: ForwardRequest): Promise<ForwardedTx>;
}

/** Waits this long at most for the lease per look, so a holder that appears meanwhile is seen. */
const LEASE_LOOK_MS = 500;

export async function primaryMember(options: MemberOptions): Promise<PrimaryMember> {
  const { storage, db, functions, secret, selfUrl, waitMs, segments } = options;
  const primary = await startPrimary({
    storage,
    db,
    functions,
    owner: leaseOwner(selfUrl),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.renewEveryMs === undefined ? {} : { renewEveryMs: options.renewEveryMs }),
    ...(segments === undefined ? {} : { checkpoint: { format: 'segments' as const } }),
  });
  let upkeep: SegmentUpkeep | undefined;
  try {
    const store = await storage.open(db);
    const write = writer(primary, store, secret, selfUrl, waitMs);
    // Every member schedules collections, only the lease holder runs them: one collector per database.
    if (segments !== undefined) upkeep = startSegmentUpkeep({ ...segments, store, active: () => primary.lease() !== undefined });
    // One copy of the database per node: the follower starts from the writer's value and takes the
    // writer's own transactions as they are made; while standing by, the writer takes the follower's.
    const own = primary.connection;
    const follower = await follow({ storage, db, functions, forward: write, waitMs, start: own.db() });
    const feeds = [own.listen((report) => follower.adopt(report)), follower.listen((report) => adoptValue(own, report.dbAfter))];
    const stopFeeds = (): void => feeds.forEach((stop) => stop());
    return { connection: new MemberConnection(primary, follower, upkeep, stopFeeds), write };
  } catch (error) {
    await upkeep?.stop();
    await primary.close();
    throw error;
  }
}

/**
 * Runs a transaction on whichever node writes now: here while this node holds the lease, else at the
 * URL the holder's lease carries. Only refusals that wrote nothing are tried again, until waitMs.
 */
function writer(primary: Primary, store: DatabaseStorage, secret: SigningKey, selfUrl: string | undefined, waitMs: number) {
  const local = localForwarder(primary.connection);
  const key = signingKey(secret);
  return async (request: ForwardRequest): Promise<ForwardedTx> => {
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      const left = deadline - Date.now();
      if (attempt > 0 && left <= 0) throw new NotPrimaryError(request.db, primary.owner, await store.getLease(), waitMs);
      if (primary.lease() !== undefined) {
        try {
          return await local(request);
        } catch (error) {
          if (!(error instanceof NotPrimaryError || error instanceof LeaseLostError)) throw error;
          continue;
        }
      }
      const holder = await store.getLease();
      const url = holder !== undefined && holder.owner !== primary.owner && Date.now() < holder.expiresAt ? ownerUrl(holder.owner) : undefined;
      if (url !== undefined && url !== selfUrl) {
        try {
          return await remoteForwarder({ url, secret: key, timeoutMs: Math.max(left, 1) })(request);
        } catch (error) {
          if (!(error instanceof ForwardError && error.retryable)) throw error;
          await pause(Math.min(RETRY_PAUSE_MS, Math.max(left, 0)));
          continue;
        }
      }
      // Nobody reachable holds the lease: it is free, expired, or held by a node without a URL.
      await primary.whenPrimary(Math.max(1, Math.min(left, LEASE_LOOK_MS))).catch((error: unknown) => {
        if (!(error instanceof NotPrimaryError)) throw error;
      });
    }
  };
}

/**
 * Reads come from whichever of the writer's value and the follower's is newer: on the lease holder
 * its own connection's, on a standby the follower's (the two share their values, see primaryMember). Listeners and txRange go through the follower,
 * which sees every transaction whoever wrote it (its reports carry no tempids).
 */
class MemberConnection implements Connection {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly primary: Primary,
    private readonly follower: Follower,
    private readonly upkeep: SegmentUpkeep | undefined,
    private readonly stopFeeds: () => void,
  ) {}

  get name(): string {
    return this.follower.name;
  }

  db(): Database {
    const written = this.primary.connection.db();
    const followed = this.follower.db();
    return followed.basisT > written.basisT ? followed : written;
  }

  async transact(txData: TxData): Promise<TxReport> {
    if (this.primary.lease() !== undefined) {
      try {
        return await this.primary.connection.transact(txData);
      } catch (error) {
        // Nothing was written: the lease moved on, so the transaction goes to its new holder.
        if (!(error instanceof NotPrimaryError || error instanceof LeaseLostError)) throw error;
      }
    }
    return this.follower.transact(txData);
  }

  listen(listener: (report: TxReport) => void): () => void {
    return this.follower.listen(listener);
  }

  unlisten(listener: (report: TxReport) => void): void {
    this.follower.unlisten(listener);
  }

  async sync(): Promise<Database> {
    if (this.primary.lease() !== undefined) await this.primary.connection.sync();
    else await this.follower.sync();
    return this.db();
  }

  txRange(start?: number, end?: number) {
    return this.follower.txRange(start, end);
  }

  checkpoint(): Promise<RootPointer> {
    if (this.primary.lease() === undefined) return Promise.reject(new NotPrimaryError(this.name, this.primary.owner, undefined));
    return this.primary.connection.checkpoint();
  }

  /** Stops upkeep and following, lets queued transactions finish and hands the lease back. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.upkeep?.stop();
      this.stopFeeds();
      await this.follower.close();
      await this.primary.close();
    })();
    return this.closing;
  }
}
