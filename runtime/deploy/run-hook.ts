// CodeDeploy's lifecycle hooks on a node (`ions hook <phase>`, from the bundle's scripts):
// - fetch (BeforeInstall): fetch and verify the revision into the node's cache and revisions directory;
// - swap (ApplicationStart): hot-swap the running node to it (or start the node on the first deploy),
//   and point `<home>/current` at it so a restarted node comes back on it;
// - validate (ValidateService): wait until the node's health route reports it, before traffic returns.
// A failing hook fails the node's deployment; CodeDeploy then stops and rolls back, and a node whose
// swap failed still serves its previous revision.
import type { S3Client } from '@aws-sdk/client-s3';
import { readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HookPhase, HookSpec } from '../push/codedeploy-bundle.js';
import type { SigningKey } from '../protocol/signing.js';
import { HEALTH_PATH } from '../protocol/wire.js';
import { fetchRevision } from './fetch-revision.js';
import { awaitHealthy, requestSwap } from './node-admin.js';

export interface NodeHost {
  /** `/opt/ions` on EC2: cache/, revisions/, current, fetched.json. */
  home: string;
  /** The local node's base URL: `http://127.0.0.1:8182`. */
  nodeUrl: string;
  s3: S3Client;
  secret(): Promise<SigningKey>;
  /** Starts the node service when no node runs yet (the first deploy to a fresh instance). */
  startNode(): Promise<void>;
  healthTimeoutMs?: number;
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
      const fetched = JSON.parse(await readFile(fetchedFile, 'utf8')) as Fetched;
      if (fetched.revision !== spec.revision) throw new Error(`the fetch hook fetched ${fetched.revision}, not ${spec.revision}; run it again`);
      const running = await isRunning(host.nodeUrl);
      if (running) await requestSwap(host.nodeUrl, await host.secret(), fetched.dir);
      await pointCurrent(host.home, fetched.dir);
      if (!running) await host.startNode();
      return running ? `swapped to ${spec.revision}` : `started the node on ${spec.revision}`;
    }
    case 'validate':
      await awaitHealthy(host.nodeUrl, spec.revision, host.healthTimeoutMs === undefined ? {} : { timeoutMs: host.healthTimeoutMs });
      return `${spec.revision} is serving`;
  }
}

/** Replaces the `current` link in one rename, so it always names a whole revision. */
async function pointCurrent(home: string, dir: string): Promise<void> {
  const next = join(home, 'current.next');
  await rm(next, { force: true });
  await symlink(dir, next);
  await rename(next, join(home, 'current'));
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
