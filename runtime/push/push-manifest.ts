// What a pushed revision is, as stored in the code bucket: every file of the app's build and every
// dependency package, each by content hash, plus the versions it was built for. The node reads it to
// fetch what it lacks and checks every byte against it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PUSH_FORMAT = 1;

export interface ChunkRef {
  sha256: string;
  size: number;
}

export interface AppFile extends ChunkRef {
  /** Relative to the revision directory: `src/web-XYZ.mjs`, `chunks/...`, `ions.json`. */
  path: string;
}

export interface PackageChunk extends ChunkRef {
  name: string;
  version: string;
  /** `node_modules/<name>` (or nested) inside the revision directory. */
  path: string;
}

export interface PushManifest {
  format: typeof PUSH_FORMAT;
  app: string;
  revision: string;
  commit?: string;
  /** serverless-ions version of the pushing side: the version of `runtime`, which the node runs it on. */
  runtimeVersion: string;
  /** Node.js major version the revision was built for (`20`). */
  nodeVersion: string;
  /** The node runtime chunk (node-runtime.ts) of the pushing side, which the deploy hooks install and run. */
  runtime: ChunkRef;
  files: AppFile[];
  packages: PackageChunk[];
}

// Chunks are shared by every app and revision in the bucket: the same bytes are stored once.
export const chunkKey = (sha256: string): string => `ions/chunks/${sha256}`;
export const manifestKey = (app: string, revision: string): string => `ions/${app}/revisions/${revision}/manifest.json`;
/** The CodeDeploy bundle: appspec.yml, the hook scripts and where the manifest is. */
export const bundleKey = (app: string, revision: string): string => `ions/${app}/revisions/${revision}/codedeploy.zip`;

const SHA256 = /^[0-9a-f]{64}$/;

/** Reads a manifest fetched from `where`, refusing anything a node could not trust or use. */
export function parsePushManifest(text: string, where: string): PushManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const m = value as Partial<PushManifest> | null;
  if (!m || m.format !== PUSH_FORMAT) throw new Error(`${where}: not a revision manifest of format ${PUSH_FORMAT}`);
  for (const field of ['app', 'revision', 'runtimeVersion', 'nodeVersion'] as const) {
    if (typeof m[field] !== 'string' || !m[field]) throw new Error(`${where}: "${field}" must be a non-empty string`);
  }
  if (!SHA256.test(m.runtime?.sha256 ?? '') || !Number.isSafeInteger(m.runtime?.size)) throw new Error(`${where}: "runtime" needs a sha256 (64 hex digits) and a size`);
  if (!Array.isArray(m.files) || !Array.isArray(m.packages)) throw new Error(`${where}: "files" and "packages" must be lists`);
  for (const [i, chunk] of [...m.files, ...m.packages].entries()) {
    if (typeof chunk?.path !== 'string' || !SHA256.test(chunk.sha256) || !Number.isSafeInteger(chunk.size)) {
      throw new Error(`${where}: chunk #${i} needs a path, a sha256 (64 hex digits) and a size`);
    }
    if (chunk.path.startsWith('/') || chunk.path.split('/').includes('..')) throw new Error(`${where}: chunk path ${chunk.path} leaves the revision directory`);
  }
  return m as PushManifest;
}

let version: string | undefined;

/** This package's version, found from this file in sources, dist and bundles alike. */
export function runtimeVersion(): string {
  if (version) return version;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'serverless-ions' && pkg.version) return (version = pkg.version);
    }
    if (dirname(dir) === dir) throw new Error('cannot find the serverless-ions package.json above ' + fileURLToPath(import.meta.url));
  }
}

export const nodeMajor = (): string => process.versions.node.split('.')[0]!;
