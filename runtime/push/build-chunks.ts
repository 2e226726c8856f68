// A revision as content-addressed chunks: the app's own build (entry modules, shared chunks, source
// maps, ions.json), one file per chunk, one chunk per dependency package, and the node runtime it runs
// on. App code and dependencies never share a chunk, so a change to the app leaves every dependency
// chunk's hash as it was, and the runtime's stays the same until serverless-ions changes.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { IonsConfig } from '../config/ions-config.js';
import { buildRevision } from '../revision/index.js';
import { dependencyClosure } from './dependency-closure.js';
import { packDirectory, packFingerprint } from './package-pack.js';
import { nodeRuntime } from './node-runtime.js';
import { nodeMajor, PUSH_FORMAT, runtimeVersion, type PushManifest } from './push-manifest.js';

export interface Chunk {
  sha256: string;
  bytes: Buffer;
  kind: 'app' | 'dependency' | 'runtime';
  /** For progress and errors: a file path or name@version. */
  label: string;
}

export interface ChunkedRevision {
  manifest: PushManifest;
  /** Distinct chunks by hash: identical files are stored once. */
  chunks: Map<string, Chunk>;
}

export interface BuildChunksOptions {
  serviceDir: string;
  config: IonsConfig;
  revision: string;
  commit?: string;
  /** Packs of installed packages kept between pushes (default: the user's cache directory). */
  packCacheDir?: string;
}

/** `$XDG_CACHE_HOME/serverless-ions/packs`, else `~/.cache/serverless-ions/packs`: outside any git tree. */
export const defaultPackCacheDir = (): string => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'serverless-ions', 'packs');

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export async function buildChunks({ serviceDir, config, revision, commit, packCacheDir = defaultPackCacheDir() }: BuildChunksOptions): Promise<ChunkedRevision> {
  const outDir = await mkdtemp(join(tmpdir(), 'ions-push-'));
  try {
    const built = await buildRevision({ serviceDir, config, outDir, name: revision, dependencies: 'external' });
    const chunks = new Map<string, Chunk>();
    const add = (bytes: Buffer, kind: Chunk['kind'], label: string) => {
      const hash = sha256(bytes);
      if (!chunks.has(hash)) chunks.set(hash, { sha256: hash, bytes, kind, label });
      return { sha256: hash, size: bytes.length };
    };
    const files: PushManifest['files'] = [];
    for (const file of (await listFiles(outDir)).sort()) {
      const path = relative(outDir, file).split(sep).join('/');
      files.push({ path, ...add(await readFile(file), 'app', path) });
    }
    const packages: PushManifest['packages'] = [];
    for (const pkg of await dependencyClosure(built.externalImports)) {
      const label = `${pkg.name}@${pkg.version}`;
      packages.push({ name: pkg.name, version: pkg.version, path: pkg.path, ...add(await cachedPack(pkg.dir, packCacheDir), 'dependency', label) });
    }
    const manifest: PushManifest = {
      format: PUSH_FORMAT,
      app: config.app,
      revision,
      ...(commit ? { commit } : {}),
      runtimeVersion: runtimeVersion(),
      nodeVersion: nodeMajor(),
      runtime: add((await nodeRuntime()).bytes, 'runtime', `serverless-ions@${runtimeVersion()} node runtime`),
      files,
      packages,
    };
    return { manifest, chunks };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** A package's pack, made once per installed state of the package: pushes after the first only stat its files. */
async function cachedPack(dir: string, cacheDir: string): Promise<Buffer> {
  const path = join(cacheDir, `${await packFingerprint(dir)}.pack`);
  if (existsSync(path)) return readFile(path);
  const pack = await packDirectory(dir);
  await mkdir(cacheDir, { recursive: true });
  const temporary = `${path}.${process.pid}-${Date.now()}`;
  await writeFile(temporary, pack);
  await rename(temporary, path);
  return pack;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
