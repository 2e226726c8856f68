// How a node opens its databases, by the role of its compute group:
// - primary group: every node runs for each database's writer lease (primary-member.ts) and takes
//   the transactions query-group nodes forward;
// - query group: a follower of the log that forwards transactions to the primary group's endpoint
//   (its load balancer), retrying while the lease changes hands; on scale-out storage it starts from
//   the segment index lazily, reading segments through memory, then the node's disk, then storage;
// - local (`ions dev`, one node on the developer's machine): no role, the app context's plain
//   connection, as before groups existed. A lease there buys nothing, since no second writer exists,
//   and would make a restart after a crash wait out the dead process's lease before the first transaction.
import type { Connection } from '../db/connection.js';
import { follow, type Forwarder } from '../db/follow/follower.js';
import { remoteForwarder } from '../db/follow/remote-forwarder.js';
import { DiskCache } from '../db/segments/disk-cache.js';
import { MemoryCache } from '../db/segments/memory-cache.js';
import { SegmentCache } from '../db/segments/segment-cache.js';
import { startSegmentUpkeep, type UpkeepSchedule } from '../db/segments/upkeep.js';
import type { Storage } from '../db/storage/storage.js';
import type { FunctionRegistry } from '../db/types.js';
import type { SigningKey } from '../protocol/signing.js';
import { primaryMember, type PrimaryMember } from './primary-member.js';
import { retryingForwarder } from './retrying-forwarder.js';

export type GroupRoleKind = 'local' | 'primary' | 'query';

export interface LeaseTiming {
  /** How long a lease lasts unrenewed: a dead primary is replaced after about this long. */
  leaseMs?: number;
  renewEveryMs?: number;
}

export interface GroupRoleOptions {
  kind: Exclude<GroupRoleKind, 'local'>;
  group: string;
  storage: Storage;
  /** The allow-listed functions of whatever revision runs when a transaction calls one. */
  functions: FunctionRegistry;
  secret: SigningKey;
  /** Primary group: where other nodes reach this one, read when a database is first opened. */
  selfUrl: () => string | undefined;
  /** Query group: the primary group's base URL. */
  primaryEndpoint?: string;
  lease?: LeaseTiming;
  /** How long a transaction may wait for a writer it can reach, in ms. */
  waitMs?: number;
  /**
   * Scale-out storage. Primary group: checkpoints as index segments and their garbage collection.
   * Query group: followers read segment indexes lazily and report cache metrics on this schedule.
   */
  segments?: UpkeepSchedule;
  /** Query group on scale-out storage: the local disk tier of the segment cache (else memory only). */
  segmentCacheDir?: string;
}

export interface GroupRole {
  readonly kind: Exclude<GroupRoleKind, 'local'>;
  /** The connection app code gets from getConnection(db). */
  open(db: string): Promise<Connection>;
  /** Primary group only: runs the transactions other nodes forward (POST /_ions/db/transact). */
  readonly transact: Forwarder | undefined;
  /** Closes what the role opened: followers stop, leases are handed back. */
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 15_000;
const MEMORY_CACHE_BYTES = 256 * 1024 * 1024;
const DISK_CACHE_BYTES = 8 * 1024 * 1024 * 1024;

export function groupRole(options: GroupRoleOptions): GroupRole {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  if (options.kind === 'query') return queryRole(options, waitMs);
  return primaryRole(options, waitMs);
}

/** The role the config gives group `group`; `local` nodes are always a lone writer. */
export function roleKind(groups: Record<string, { queryGroup?: boolean }> | undefined, group: string, local: boolean): GroupRoleKind {
  if (local) return 'local';
  return groups?.[group]?.queryGroup === true ? 'query' : 'primary';
}

/** Opens each database once, keeps what it opened for close(); `stop` runs after its connection closes. */
function opened<T extends { connection: Connection; stop?: () => Promise<void> }>(open: (db: string) => Promise<T>) {
  const byName = new Map<string, Promise<T>>();
  return {
    get(db: string): Promise<T> {
      let found = byName.get(db);
      if (found === undefined) {
        found = open(db);
        byName.set(db, found);
        const opening = found;
        opening.catch(() => {
          if (byName.get(db) === opening) byName.delete(db);
        });
      }
      return found;
    },
    async closeAll(): Promise<void> {
      const all = [...byName.values()];
      byName.clear();
      const results = await Promise.allSettled(
        all.map(async (opening) => {
          const member = await opening;
          try {
            await member.connection.close();
          } finally {
            await member.stop?.();
          }
        }),
      );
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
  };
}

function queryRole({ group, storage, functions, secret, primaryEndpoint, segments, segmentCacheDir }: GroupRoleOptions, waitMs: number): GroupRole {
  if (primaryEndpoint === undefined) {
    throw new Error(`this node is in query group ${group} (ions.groups.${group}.queryGroup) but has no primary endpoint to forward transactions to: set IONS_PRIMARY_ENDPOINT`);
  }
  const forward = retryingForwarder(remoteForwarder({ url: primaryEndpoint, secret }), waitMs);
  const caches = segmentCaches(storage, segmentCacheDir);
  const followers = opened(async (db) => {
    if (segments === undefined) return { connection: await follow({ storage, db, functions, forward, waitMs }) };
    const cache = await caches(db);
    // Followers collect no garbage (the lease holder does); they report how their caches do.
    const upkeep = startSegmentUpkeep({ ...segments, store: cache.store, cache, collect: false });
    try {
      return { connection: await follow({ storage, db, functions, forward, waitMs, segments: cache }), stop: () => upkeep.stop() };
    } catch (error) {
      await upkeep.stop();
      throw error;
    }
  });
  return {
    kind: 'query',
    open: async (db) => (await followers.get(db)).connection,
    transact: undefined,
    close: () => followers.closeAll(),
  };
}

function primaryRole({ storage, functions, secret, selfUrl, lease, segments }: GroupRoleOptions, waitMs: number): GroupRole {
  const members = opened<PrimaryMember>((db) => primaryMember({ storage, db, functions, secret, selfUrl: selfUrl(), waitMs, ...lease, ...(segments && { segments }) }));
  return {
    kind: 'primary',
    open: async (db) => (await members.get(db)).connection,
    transact: async (request) => (await members.get(request.db)).write(request),
    close: () => members.closeAll(),
  };
}

/** A segment cache per database, all sharing one memory tier and one disk directory (keys are content hashes). */
function segmentCaches(storage: Storage, dir: string | undefined): (db: string) => Promise<SegmentCache> {
  const memory = new MemoryCache(MEMORY_CACHE_BYTES);
  let disk: Promise<DiskCache> | undefined;
  return async (db) => {
    if (disk === undefined && dir !== undefined) {
      const opening = DiskCache.open(dir, DISK_CACHE_BYTES);
      // A failed open is reported to the database that tried it; the next one tries again.
      opening.catch(() => {
        if (disk === opening) disk = undefined;
      });
      disk = opening;
    }
    const store = await storage.open(db);
    const shared = await disk;
    return new SegmentCache(store, { memory, ...(shared && { disk: shared }) });
  };
}
