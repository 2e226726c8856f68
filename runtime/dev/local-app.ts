// A service running locally: its revision built into `.ions/`, a node hosting it on loopback with
// the embedded storage under `.ions/data`, and a fresh HMAC key. `ions dev` and `ions invoke` share it.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IonsConfig } from '../config/ions-config.js';
import { fileStorage } from '../db/storage/file-storage.js';
import { memoryStorage } from '../db/storage/memory-storage.js';
import type { Storage } from '../db/storage/storage.js';
import { startNode, type RunningNode } from '../node/index.js';
import { LOCAL_PARAMS_FILE, readLocalParamsFile, setLocalParams } from '../params/index.js';
import { buildRevision } from '../revision/index.js';
import { writeLocalSecret } from './local-secret.js';
import { loadService, type Service } from './service.js';

/** Revisions kept on disk: the one serving and a couple before it. */
const KEPT_REVISIONS = 3;

export interface LocalAppOptions {
  serviceDir: string;
  /** 0 (the default) picks a free port. */
  nodePort?: number;
}

export interface LocalApp {
  readonly service: Service;
  readonly ionsDir: string;
  readonly nodeUrl: string;
  readonly secretFile: string;
  /** Name of the revision being served. */
  readonly revision: string;
  /** Re-reads serverless.yml, builds a new revision and swaps to it; on failure the old one keeps serving. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  let service = await loadService(options.serviceDir);
  const ionsDir = join(service.dir, '.ions');
  const revisionsDir = join(ionsDir, 'revisions');
  await mkdir(revisionsDir, { recursive: true });
  const secretFile = join(ionsDir, 'secret');
  const secret = await writeLocalSecret(secretFile);
  setLocalParams(await readLocalParamsFile(join(service.dir, LOCAL_PARAMS_FILE)));

  let counter = 0;
  const build = async (s: Service): Promise<{ name: string; dir: string }> => {
    const name = revisionName(s.config, ++counter);
    const dir = join(revisionsDir, name);
    await buildRevision({ serviceDir: s.dir, config: s.config, outDir: dir, name });
    return { name, dir };
  };

  let current = await build(service);
  await pruneRevisions(revisionsDir, current.name);
  const storage = storageFor(service.config, join(ionsDir, 'data'));
  let node: RunningNode;
  try {
    node = await startNode({ revisionDir: current.dir, port: options.nodePort ?? 0, host: '127.0.0.1', secret, storage, local: true });
  } catch (err) {
    await storage.close();
    throw err;
  }

  return {
    get service() {
      return service;
    },
    ionsDir,
    nodeUrl: node.url,
    secretFile,
    get revision() {
      return current.name;
    },
    async reload() {
      const next = await loadService(service.dir);
      const params = await readLocalParamsFile(join(next.dir, LOCAL_PARAMS_FILE));
      const built = await build(next);
      await node.swap(built.dir);
      setLocalParams(params);
      service = next;
      current = built;
      await pruneRevisions(revisionsDir, current.name);
    },
    async close() {
      await node.close();
      await storage.close();
      setLocalParams(undefined);
    },
  };
}

function storageFor(config: IonsConfig, dataDir: string): Storage {
  // Only memory is honoured as asked: deployed backends (postgres, dynamodb) are stood in for by the
  // embedded file storage locally.
  return config.storage?.type === 'memory' ? memoryStorage() : fileStorage(dataDir);
}

function revisionName(config: IonsConfig, counter: number): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${config.app}-dev-${stamp}-${String(counter).padStart(5, '0')}`;
}

async function pruneRevisions(revisionsDir: string, keep: string): Promise<void> {
  const names = (await readdir(revisionsDir)).filter((n) => n !== keep);
  // The time and counter suffix sorts names by build order; the newest stay.
  names.sort((a, b) => buildOrder(a).localeCompare(buildOrder(b)));
  const stale = names.slice(0, Math.max(0, names.length - (KEPT_REVISIONS - 1)));
  await Promise.all(stale.map((n) => rm(join(revisionsDir, n), { recursive: true, force: true })));
}

function buildOrder(name: string): string {
  return /\d{8}T\d{6}-\d+$/.exec(name)?.[0] ?? '';
}
