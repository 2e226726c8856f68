// CodeDeploy's lifecycle hooks on a node (`ions hook <phase>`, from the bundle's scripts):
// - fetch (BeforeInstall): fetch and verify the revision into the node's cache and revisions directory;
// - swap (ApplicationStart): hot-swap the running node to it (or start the node on the first deploy,
//   or restart it when the revision comes with another runtime than the one it runs), and point
//   `<home>/current` (and `<home>/runtime`) at it so a restarted node comes back on it;
// - validate (ValidateService): wait until the node's health route reports it, before traffic returns;
//   then prune old revisions and chunks (prune-revisions.ts).
// A failing hook fails the node's deployment; CodeDeploy then stops and rolls back, and a node whose
// swap failed still serves its previous revision. A failing prune does not fail the hook: the revision
// is serving and healthy, and rolling it back over disk housekeeping would be worse; it casts an alert
// instead, and the next deploy's prune tries again.
import type { S3Client } from '@aws-sdk/client-s3';
import { constants } from 'node:fs';
import { open, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HookPhase, HookSpec } from '../push/codedeploy-bundle.js';
import type { SigningKey } from '../protocol/signing.js';
import { HEALTH_PATH } from '../protocol/wire.js';
import { alert, errorData, event } from '../cast/index.js';
import { fetchRevision } from './fetch-revision.js';
import { pruneRuntimes } from './prune-runtimes.js';
import { awaitHealthy, requestSwap } from './node-admin.js';
import { DEFAULT_KEEP_REVISIONS, pruneRevisions } from './prune-revisions.js';

export interface NodeHost {
  /** `/opt/ions` on EC2: cache/, revisions/, current, fetched.json. */
  home: string;
  /** The local node's base URL: `http://127.0.0.1:8182`. */
  nodeUrl: string;
  s3: S3Client;
  secret(): Promise<SigningKey>;
  /** Starts the node service when no node runs yet (the first deploy to a fresh instance). */
  startNode(): Promise<void>;
  /**
   * The runtime the hooks run from (installed by the bundle's scripts), the link naming the one the
   * node service runs, and how to restart the service onto it. Absent where the node runs the hooks'
   * own code (tests, a host without runtimes).
   */
  runtime?: { dir: string; link: string; restart(): Promise<void> };
  healthTimeoutMs?: number;
  /** Revisions kept on disk besides the one served (and the one installed): default DEFAULT_KEEP_REVISIONS. */
  keepRevisions?: number;
  /** Time the validate hook spends deleting directories before it leaves the rest to the next deploy. */
  pruneBudgetMs?: number;
}

interface Fetched {
  revision: string;
  dir: string;
}

export async function runHook(phase: HookPhase, spec: HookSpec, host: NodeHost): Promise<string> {
  const fetchedFile = join(host.home, 'fetched.json');
  switch (phase) {
    case 'fetch': {
      const fetched = await fetchRevision({
        s3: host.s3,
        bucket: spec.bucket,
        manifestKey: spec.manifestKey,
        cacheDir: join(host.home, 'cache'),
        revisionsDir: join(host.home, 'revisions'),
      });
      await writeFile(fetchedFile, JSON.stringify({ revision: fetched.revision, dir: fetched.dir } satisfies Fetched));
      return `fetched ${fetched.revision}: ${fetched.fetched.chunks} chunk(s), ${fetched.fetched.bytes} bytes downloaded; ${fetched.cached.chunks} from the cache`;
    }
    case 'swap': {
      const fetched = await readFetched(fetchedFile);
      if (fetched.revision !== spec.revision) throw new Error(`the fetch hook fetched ${fetched.revision}, not ${spec.revision}; run it again`);
      const running = await isRunning(host.nodeUrl);
      const { runtime } = host;
      const previousRuntime = runtime === undefined ? undefined : await linkTarget(runtime.link);
      // A process cannot take up another runtime's code, so a revision pushed with another runtime is
      // started afresh; CodeDeploy keeps traffic off this node until its validate hook passes.
      const newRuntime = runtime !== undefined && previousRuntime !== runtime.dir;
      if (running && !newRuntime) await requestSwap(host.nodeUrl, await host.secret(), fetched.dir);
      await pointLink(join(host.home, 'current'), fetched.dir);
      if (runtime !== undefined) await pointLink(runtime.link, runtime.dir);
      let done = `swapped to ${spec.revision}`;
      if (!running) {
        await host.startNode();
        done = `started the node on ${spec.revision}`;
      } else if (newRuntime) {
        await runtime!.restart();
        done = `restarted the node on ${spec.revision} and runtime ${basename(runtime!.dir)}`;
      }
      return runtime === undefined ? done : `${done}; ${await pruneOldRuntimes(spec.revision, runtime.dir, previousRuntime)}`;
    }
    case 'validate':
      await awaitHealthy(host.nodeUrl, spec.revision, host.healthTimeoutMs === undefined ? {} : { timeoutMs: host.healthTimeoutMs });
      return `${spec.revision} is serving; ${await prune(host, spec.revision, fetchedFile)}`;
  }
}

// ValidateService has 120 s (codedeploy-bundle.ts) and the wait for health may take 60 of them; a
// CodeDeploy timeout would fail a deployment that is serving, so deleting stops well before.
const PRUNE_BUDGET_MS = 30_000;

/**
 * The fetch hook's record. The swap hook reads it as root from the node user's directory, so it opens
 * no link (a link could name any file on the instance) and quotes none of it in an error.
 */
async function readFetched(file: string): Promise<Fetched> {
  let text: string;
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  try {
    const fetched = JSON.parse(text) as Partial<Fetched>;
    if (typeof fetched.revision === 'string' && typeof fetched.dir === 'string') return fetched as Fetched;
  } catch {
    // Reported below, without the text.
  }
  throw new Error(`${file} is not the record the fetch hook writes; run the fetch hook again`);
}

/** Prunes the runtimes directory and says what happened; a failure is cast as an alert, never thrown. */
async function pruneOldRuntimes(revision: string, runtimeDir: string, previous: string | undefined): Promise<string> {
  try {
    const { removed, failures } = await pruneRuntimes(dirname(runtimeDir), previous === undefined ? [runtimeDir] : [runtimeDir, previous]);
    if (failures.length > 0) alert({ msg: 'deploy.prune/runtimes-partly-failed', revision, failures });
    return `pruned ${removed.length} runtime(s)${failures.length > 0 ? `, ${failures.length} failure(s), see the alert` : ''}`;
  } catch (error) {
    alert({ msg: 'deploy.prune/runtimes-failed', revision, ex: errorData(error) });
    return `pruning runtimes failed, see the alert: ${(error as Error).message}`;
  }
}

/** Prunes the node's disk and says what happened; every failure is cast as an alert, none is thrown. */
async function prune(host: NodeHost, revision: string, fetchedFile: string): Promise<string> {
  try {
    const report = await pruneRevisions({
      currentLink: join(host.home, 'current'),
      cacheDir: join(host.home, 'cache'),
      revisionsDir: join(host.home, 'revisions'),
      protect: [(await readFetched(fetchedFile)).dir],
      keepRecent: host.keepRevisions ?? DEFAULT_KEEP_REVISIONS,
      budgetMs: host.pruneBudgetMs ?? PRUNE_BUDGET_MS,
    });
    const { removed, deferred, failures, unrecorded } = report;
    event({
      msg: 'deploy.prune/pruned',
      revision,
      kept: report.kept,
      unrecorded,
      removedRevisions: removed.revisions,
      removedPartials: removed.partials.length,
      removedChunks: removed.chunks,
      bytesFreed: removed.bytes,
      deferred: deferred.length,
    });
    if (failures.length > 0) alert({ msg: 'deploy.prune/partly-failed', revision, failures });
    return [
      `pruned ${removed.revisions.length} revision(s), ${removed.partials.length} partial(s), ${removed.chunks} chunk(s): ${removed.bytes} bytes freed`,
      ...(deferred.length > 0 ? [`${deferred.length} left for the next deploy`] : []),
      ...(unrecorded.length > 0 ? [`every chunk kept for ${unrecorded.length} revision(s) without a recorded manifest`] : []),
      ...(failures.length > 0 ? [`${failures.length} failure(s), see the alert`] : []),
    ].join('; ');
  } catch (error) {
    alert({ msg: 'deploy.prune/failed', revision, ex: errorData(error) });
    return `pruning failed, see the alert: ${(error as Error).message}`;
  }
}

/** Replaces a link in one rename, so that it always names a whole revision or runtime. */
async function pointLink(link: string, target: string): Promise<void> {
  const next = `${link}.next`;
  await rm(next, { force: true });
  await symlink(target, next);
  await rename(next, link);
}

/** Where a link points; undefined when there is no link yet. */
async function linkTarget(link: string): Promise<string | undefined> {
  try {
    return await readlink(link);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function isRunning(nodeUrl: string): Promise<boolean> {
  try {
    await fetch(new URL(HEALTH_PATH, nodeUrl), { signal: AbortSignal.timeout(5_000) });
    return true;
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return false;
    throw new Error(`cannot tell whether the node at ${nodeUrl} runs: ${(error as Error).message}`, { cause: error });
  }
}
