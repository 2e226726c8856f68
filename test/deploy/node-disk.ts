// A node's disk in a temp dir, and hand-made revisions in the s3rver code bucket: each a few app files
// and one dependency package, so a series of deploys can share chunks exactly as a test chooses.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fetchRevision, type FetchedRevision } from '../../runtime/deploy/fetch-revision.js';
import type { PruneOptions, PruneReport } from '../../runtime/deploy/prune-revisions.js';
import { sha256 } from '../../runtime/push/build-chunks.js';
import { packDirectory } from '../../runtime/push/package-pack.js';
import { chunkKey, manifestKey, nodeMajor, PUSH_FORMAT, runtimeVersion, type PushManifest } from '../../runtime/push/push-manifest.js';
import type { CodeBucket } from '../push/code-bucket.js';

const run = promisify(execFile);

export interface NodeDisk {
  home: string;
  cacheDir: string;
  revisionsDir: string;
  currentLink: string;
  /** Fetches a published revision as the fetch hook does, and dates it `order` minutes after a day ago. */
  install(manifestKey: string, order: number): Promise<FetchedRevision>;
  /** Sets a revision directory's mtime to `order` minutes after a day ago, as if fetched then. */
  date(dir: string, order: number): Promise<void>;
  pointCurrent(dir: string): Promise<void>;
  /** Names in the revisions directory and the cache, sorted. */
  revisions(): Promise<string[]>;
  chunks(): Promise<string[]>;
  remove(): Promise<void>;
}

export async function nodeDisk(bucket: CodeBucket): Promise<NodeDisk> {
  const home = await mkdtemp(join(tmpdir(), 'ions-node-disk-'));
  const disk: NodeDisk = {
    home,
    cacheDir: join(home, 'cache'),
    revisionsDir: join(home, 'revisions'),
    currentLink: join(home, 'current'),
    async install(key, order) {
      const fetched = await fetchRevision({ s3: bucket.s3, bucket: bucket.bucket, manifestKey: key, cacheDir: disk.cacheDir, revisionsDir: disk.revisionsDir });
      await disk.date(fetched.dir, order);
      return fetched;
    },
    async date(dir, order) {
      const at = new Date(Date.now() - 86_400_000 + order * 60_000);
      await utimes(dir, at, at);
    },
    async pointCurrent(dir) {
      await rm(disk.currentLink, { force: true });
      await symlink(dir, disk.currentLink);
    },
    revisions: async () => (await readdir(disk.revisionsDir)).sort(),
    chunks: async () => (await readdir(disk.cacheDir)).sort(),
    remove: () => rm(home, { recursive: true, force: true }),
  };
  return disk;
}

/** A dependency package as push packs it, so that fetch unpacks a real one. */
export async function packageChunk(name: string, version: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'ions-package-'));
  try {
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version }));
    await writeFile(join(dir, 'index.js'), `export default ${JSON.stringify(`${name}@${version}`)};\n`);
    return await packDirectory(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Published {
  key: string;
  manifest: PushManifest;
  /** The directory name a node lays it out under. */
  dirName: string;
}

/** Puts a revision's chunks and manifest into the bucket. */
export async function publish(
  bucket: CodeBucket,
  revision: string,
  files: Record<string, string>,
  pkg: { name: string; version: string; bytes: Buffer },
  /** The bytes of the node runtime it was pushed with (the hooks install it; the node never fetches it). */
  runtime: Buffer = Buffer.from('runtime'),
): Promise<Published> {
  const put = (Key: string, Body: Buffer | string) => bucket.s3.send(new PutObjectCommand({ Bucket: bucket.bucket, Key, Body }));
  const manifest: PushManifest = {
    format: PUSH_FORMAT,
    app: 'disk-fixture',
    revision,
    runtimeVersion: runtimeVersion(),
    nodeVersion: nodeMajor(),
    runtime: { sha256: sha256(runtime), size: runtime.length },
    files: [],
    packages: [{ name: pkg.name, version: pkg.version, path: `node_modules/${pkg.name}`, sha256: sha256(pkg.bytes), size: pkg.bytes.length }],
  };
  await put(chunkKey(sha256(pkg.bytes)), pkg.bytes);
  for (const [path, text] of Object.entries(files)) {
    const bytes = Buffer.from(text);
    manifest.files.push({ path, sha256: sha256(bytes), size: bytes.length });
    await put(chunkKey(sha256(bytes)), bytes);
  }
  const key = manifestKey(manifest.app, revision);
  const bytes = Buffer.from(JSON.stringify(manifest));
  await put(key, bytes);
  return { key, manifest, dirName: `${revision}-${sha256(bytes).slice(0, 12)}` };
}

export const hashesOf = (...manifests: PushManifest[]): string[] =>
  [...new Set(manifests.flatMap((m) => [...m.files, ...m.packages].map((chunk) => chunk.sha256)))].sort();

/** Bytes of the files under a directory, as the prune counts them. */
export async function treeBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? await treeBytes(path) : (await lstat(path)).size;
  }
  return bytes;
}

const isRoot = process.getuid?.() === 0;
/** Who prunes in pruneAsNodeUser: `nobody` when the tests run as root, whom permissions do not stop. */
const NODE_USER = { uid: 65534, gid: 65534 };

/**
 * Makes the entries of `dir` undeletable by the node's user, as a directory root created in the node's
 * tree would be; `deletable` undoes it (at the directory's path by then).
 */
export async function undeletable(home: string, dir: string): Promise<void> {
  if (isRoot) {
    await run('chown', ['-R', `${NODE_USER.uid}:${NODE_USER.gid}`, home]);
    await chmod(home, 0o755);
    await run('chown', ['0:0', dir]);
  }
  await chmod(dir, 0o555);
}

export async function deletable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
}

/** pruneRevisions in a process of its own, as an unprivileged user when the tests run as root. */
export async function pruneAsNodeUser(options: PruneOptions): Promise<PruneReport> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'prune.ts'), JSON.stringify(options)], {
    ...(isRoot && NODE_USER),
    timeout: 20_000,
  });
  return JSON.parse(stdout) as PruneReport;
}

/** A leftover of a failed install: a partial revision directory with a file in it. */
export async function leftoverPartial(revisionsDir: string, name: string): Promise<string> {
  const partial = join(revisionsDir, `${name}.partial-0b6c7f7e-6a53-4a38-9a3c-1f1fd5d0c2a1`);
  await mkdir(join(partial, 'src'), { recursive: true });
  await writeFile(join(partial, 'src', 'half.js'), 'export const half =');
  return partial;
}
