// The compute node: a plain HTTP server that hosts one app revision at a time. It answers signed
// invokes from proxies, serves HTTP-direct requests, reports health, and hot-swaps revisions: the new
// revision is loaded completely before any request reaches it, and requests already running finish on
// the revision they started on.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeNodeContext, setNodeContext } from '../app/context.js';
import { setCastContext } from '../cast/index.js';
import type { Forwarder } from '../db/follow/follower.js';
import type { UpkeepSchedule } from '../db/segments/upkeep.js';
import type { FunctionRegistry } from '../db/types.js';
import { memoryStorage } from '../db/storage/memory-storage.js';
import type { Storage } from '../db/storage/storage.js';
import { DEFAULT_CLOCK_WINDOW_MS, requestVerifier } from '../protocol/verify.js';
import { ADMIN_PATH } from '../protocol/admin.js';
import { DB_TRANSACT_PATH } from '../protocol/db-transact.js';
import { HEALTH_PATH, INVOKE_PATH, NODE_PATH_PREFIX } from '../protocol/wire.js';
import { loadRevision } from '../revision/index.js';
import { handleAdmin } from './admin.js';
import { groupRole, roleKind, type GroupRole, type LeaseTiming } from './group-role.js';
import { reachableUrl } from './lease-owner.js';
import { handleDbTransact } from './db-transact.js';
import { handleHttpDirect } from './http-direct.js';
import { handleInvoke, type InvokeSettings } from './invoke.js';
import { failedToAnswer, refuseUnread, sendJson } from './respond.js';
import { inFlight, reportInFlight } from './in-flight.js';
import { serving, type Serving } from './serving.js';

export interface StartNodeOptions {
  /** A built revision to serve from the start; without one the node answers 503 until the first swap. */
  revisionDir?: string;
  port: number;
  host?: string;
  /** The HMAC key proxies sign with. */
  secret: string | Uint8Array;
  /** The datom store's storage; defaults to one in-memory storage per process. */
  storage?: Storage;
  /**
   * How this node runs transactions forwarded by query-group nodes (POST /_ions/db/transact). By
   * default a primary-group node runs them through its group role (the lease holder writes, a standby
   * passes them on to it) and other nodes refuse them.
   */
  transact?: Forwarder;
  /** Running on a developer's machine (`ions dev`, tests): one node, plain connections, no lease. */
  local?: boolean;
  /** Compute group name; defaults to the config's first group, else `primary`. */
  group?: string;
  /** Query-group nodes: the primary group's base URL (its load balancer), where transactions go. */
  primaryEndpoint?: string;
  /**
   * Primary-group nodes: the URL other nodes reach this one at, carried in its leases so standbys pass
   * transactions straight to the writer. Defaults to the node's own URL unless it listens on 0.0.0.0.
   */
  advertiseUrl?: string;
  /** Primary-group nodes: the databases' writer lease timing (tests shorten it). */
  lease?: LeaseTiming;
  /**
   * Primary-group nodes on scale-out storage: checkpoints as index segments, whose garbage the lease
   * holder collects on this schedule (`{}` for the defaults: hourly). Unset: snapshot checkpoints.
   */
  segments?: UpkeepSchedule;
  /** Query-group nodes with `segments`: the directory of the local disk tier of the segment cache. */
  segmentCacheDir?: string;
  clockWindowMs?: number;
  /** Largest request body accepted, invoke or HTTP-direct. */
  maxBodyBytes?: number;
  /** Requests each lambda ion may keep waiting for a slot. */
  lambdaPending?: number;
  /** How long close() waits for in-flight requests before cutting connections. */
  drainTimeoutMs?: number;
  /** Reports the InFlight metric this often (deployed nodes: `ions node`); no report when unset. */
  inFlightPeriodMs?: number;
}

export interface NodeHealth {
  revision: string | null;
  ready: boolean;
  app: string | null;
  group: string | null;
}

export interface RunningNode {
  url: string;
  /** The revision serving new requests, if any. */
  readonly revision: string | undefined;
  /** Loads `revisionDir` and routes new requests to it; rejects (and keeps the old one) if it fails to load. */
  swap(revisionDir: string): Promise<void>;
  /** Stops accepting, lets in-flight requests finish, then closes every connection. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
const DEFAULT_LAMBDA_PENDING = 100;
const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
const IDLE_SWEEP_MS = 50;

// Nodes in one process share the app context (it is per process), so they share its storage too, and
// only the last node to close closes the context's connections.
let processStorage: Storage | undefined;
let runningNodes = 0;

export async function startNode(options: StartNodeOptions): Promise<RunningNode> {
  const host = options.host ?? '127.0.0.1';
  const storage = options.storage ?? (processStorage ??= memoryStorage());
  const verifier = requestVerifier(options.secret, options.clockWindowMs ?? DEFAULT_CLOCK_WINDOW_MS);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const limits = { lambdaPending: options.lambdaPending ?? DEFAULT_LAMBDA_PENDING };
  const invokeSettings: InvokeSettings = { verifier, maxBodyBytes, closing: false };
  let current: Serving | undefined;
  let group = options.group;
  // Fixed by the first revision installed: a node does not change groups.
  let role: GroupRole | undefined;
  let roleDecided = false;
  let advertised: string | undefined;
  // Connections outlive swaps, so transactions resolve functions through whatever revision runs now.
  const liveFunctions: FunctionRegistry = { resolve: (name) => current?.functions.resolve(name) };

  const install = async (revisionDir: string): Promise<void> => {
    const revision = await loadRevision(revisionDir);
    const next = serving(revision, limits);
    const { config } = revision;
    group = options.group ?? Object.keys(config.groups ?? {})[0] ?? 'primary';
    if (!roleDecided) {
      const kind = roleKind(config.groups, group, options.local ?? false);
      if (kind !== 'local') {
        const { primaryEndpoint, lease, segments, segmentCacheDir } = options;
        role = groupRole({
          kind,
          group,
          storage,
          functions: liveFunctions,
          secret: options.secret,
          selfUrl: () => advertised,
          ...(primaryEndpoint && { primaryEndpoint }),
          ...(lease && { lease }),
          ...(segments && { segments }),
          ...(segmentCacheDir && { segmentCacheDir }),
        });
      }
      roleDecided = true;
    }
    setNodeContext({
      app: config.app,
      group,
      revision: revision.name,
      environment: config.environment ?? {},
      parametersPath: config.parametersPath,
      storage,
      functions: next.functions,
      local: options.local ?? false,
      ...(role && { openConnection: role.open }),
    });
    setCastContext({ app: config.app, group, revision: revision.name });
    current = next;
  };

  if (options.revisionDir !== undefined) await install(options.revisionDir);

  let closing = false;
  // Requests being answered (health checks aside), counted only when they are reported.
  const load = options.inFlightPeriodMs === undefined ? undefined : inFlight();
  const server = createServer({ keepAlive: true }, (req, res) => {
    // Each request keeps the revision it arrived with, whatever swaps happen while it runs.
    const arrivedWith = current;
    if (closing) {
      res.shouldKeepAlive = false;
      res.on('finish', () => setImmediate(() => server.closeIdleConnections()));
    }
    // Only the routes that read their body through async code answer with a promise; an invoke
    // runs on callbacks and costs no promise of ours.
    try {
      const pending = route(req, res, arrivedWith);
      if (pending !== undefined) pending.catch((error: unknown) => failedToAnswer(req, res, error));
    } catch (error) {
      failedToAnswer(req, res, error);
    }
  });
  // Longer than the load balancers' and proxies' idle timeouts, so the node is never the side that
  // closes a connection a client is about to reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const route = (req: IncomingMessage, res: ServerResponse, arrivedWith: Serving | undefined): Promise<void> | undefined => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const pathname = query === -1 ? url : url.slice(0, query);
    if (pathname === HEALTH_PATH) {
      const health: NodeHealth = {
        revision: arrivedWith?.revision.name ?? null,
        ready: arrivedWith !== undefined && !closing,
        app: arrivedWith?.revision.config.app ?? null,
        group: arrivedWith ? (group ?? null) : null,
      };
      req.resume();
      sendJson(res, health.ready ? 200 : 503, health);
      return undefined;
    }
    if (load !== undefined) {
      load.enter();
      res.once('close', load.leave);
    }
    if (!pathname.startsWith(NODE_PATH_PREFIX)) return handleHttpDirect(req, res, arrivedWith, maxBodyBytes);
    if (pathname.startsWith(INVOKE_PATH)) {
      handleInvoke(req, res, pathname, arrivedWith, invokeSettings);
      return undefined;
    }
    if (pathname === DB_TRANSACT_PATH) return handleDbTransact(req, res, { verifier, maxBodyBytes, transact: options.transact ?? role?.transact });
    if (pathname.startsWith(ADMIN_PATH)) return handleAdmin(req, res, pathname, { verifier, swap: node.swap, revision: () => node.revision });
    refuseUnread(req, res, 404, `the node has no route ${pathname}: paths under ${NODE_PATH_PREFIX} are the node's own`);
    return undefined;
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new Error(`cannot start ions node: port ${options.port} on ${host} is already in use`));
      else reject(new Error(`cannot start ions node on ${host}:${options.port}: ${error.message}`, { cause: error }));
    });
    server.listen(options.port, host, () => resolve());
  });
  runningNodes++;
  const stopReport =
    load === undefined || options.inFlightPeriodMs === undefined
      ? undefined
      : reportInFlight({
          gauge: load,
          periodMs: options.inFlightPeriodMs,
          identity: () => (current === undefined || group === undefined ? undefined : { app: current.revision.config.app, group }),
        });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  advertised = options.advertiseUrl ?? reachableUrl(url);

  // Swaps run one after another, so the last swap asked for is the one that ends up serving.
  let swaps: Promise<void> = Promise.resolve();
  let closed: Promise<void> | undefined;

  const node: RunningNode = {
    url,
    get revision() {
      return current?.revision.name;
    },
    swap(revisionDir) {
      const swapped = swaps.then(() => install(revisionDir));
      swaps = swapped.catch(() => undefined);
      return swapped;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        invokeSettings.closing = true;
        stopReport?.();
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // A connection whose request was in flight goes idle once answered; the server only ends
        // once every connection has, so idle ones are closed as they appear rather than at the cut.
        const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
        const cut = setTimeout(() => server.closeAllConnections(), options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
        await drained;
        clearInterval(sweep);
        clearTimeout(cut);
        await role?.close();
        if (--runningNodes === 0) await closeNodeContext();
      })();
      return closed;
    },
  };
  return node;
}
