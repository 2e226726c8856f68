// Node side of a deploy, before install: fetch a revision's manifest and only the chunks missing from
// the node's content-addressed cache, verify every chunk against its hash (downloaded or cached), and
// lay the revision out in a directory of its own that loadRevision can load, with the manifest recorded
// beside its files for pruning. Nothing here touches the running revision: any failure leaves it serving.
// A revision directory's mtime is when it was last fetched: what pruning keeps the most recent of.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256 } from '../push/build-chunks.js';
import { unpack } from '../push/package-pack.js';
import { chunkKey, nodeMajor, parsePushManifest, type ChunkRef, type PushManifest } from '../push/push-manifest.js';
import { RECORDED_MANIFEST, recordManifest } from './revision-record.js';

export interface FetchRevisionOptions {
  s3: S3Client;
  bucket: string;
  manifestKey: string;
  /** The node's chunk cache, kept across revisions: `<cacheDir>/<sha256>`. */
  cacheDir: string;
  /** Where revisions are laid out: `<revisionsDir>/<revision>-<manifest hash>`. */
  revisionsDir: string;
}

export interface FetchedRevision {
  revision: string;
  dir: string;
  manifest: PushManifest;
  fetched: { chunks: number; bytes: number };
  cached: { chunks: number; bytes: number };
}

export class CorruptChunkError extends Error {}

export async function fetchRevision(options: FetchRevisionOptions): Promise<FetchedRevision> {
  const { s3, bucket, cacheDir, revisionsDir } = options;
  const where = `s3://${bucket}/${options.manifestKey}`;
  const manifestBytes = await getObject(s3, bucket, options.manifestKey, 'revision manifest');
  const manifest = parsePushManifest(manifestBytes.toString('utf8'), where);
  // The hooks run the runtime the revision was pushed with (codedeploy-bundle.ts), so that much
  // matches by construction; its code may use anything of the Node it was built on, so this node's
  // Node may be newer, never older.
  if (Number(manifest.nodeVersion) > Number(nodeMajor())) {
    throw new Error(`revision ${manifest.revision} was built for Node ${manifest.nodeVersion}; this node runs Node ${nodeMajor()}`);
  }
  if (manifest.files.some((file) => file.path === RECORDED_MANIFEST)) {
    throw new Error(`${where}: revision ${manifest.revision} ships a file ${RECORDED_MANIFEST}, a name the node keeps for the manifest it records`);
  }
  const dir = join(revisionsDir, `${manifest.revision}-${sha256(manifestBytes).slice(0, 12)}`);
  const result: FetchedRevision = { revision: manifest.revision, dir, manifest, fetched: { chunks: 0, bytes: 0 }, cached: { chunks: 0, bytes: 0 } };
  await mkdir(cacheDir, { recursive: true });
  const chunks = new Map<string, Buffer>();
  for (const chunk of [...manifest.files, ...manifest.packages]) {
    if (chunks.has(chunk.sha256)) continue;
    chunks.set(chunk.sha256, await cachedChunk(s3, bucket, cacheDir, chunk, result));
  }
  if (existsSync(dir)) {
    // Laid out before nodes recorded manifests: the same manifest (its hash names the directory) is recorded now.
    if (!existsSync(join(dir, RECORDED_MANIFEST))) await recordManifest(dir, manifestBytes);
    await markFetched(dir);
    return result;
  }
  // Laid out beside its final place and renamed, so a half-written revision never has the final name.
  const partial = `${dir}.partial-${randomUUID()}`;
  try {
    for (const file of manifest.files) {
      await mkdir(dirname(join(partial, file.path)), { recursive: true });
      await writeFile(join(partial, file.path), chunks.get(file.sha256)!);
    }
    for (const pkg of manifest.packages) await unpack(chunks.get(pkg.sha256)!, join(partial, pkg.path), `${pkg.name}@${pkg.version}`);
    await recordManifest(partial, manifestBytes);
    await rename(partial, dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  await markFetched(dir);
  return result;
}

async function markFetched(dir: string): Promise<void> {
  const now = new Date();
  await utimes(dir, now, now);
}

async function cachedChunk(s3: S3Client, bucket: string, cacheDir: string, chunk: ChunkRef, result: FetchedRevision): Promise<Buffer> {
  const path = join(cacheDir, chunk.sha256);
  if (existsSync(path)) {
    const bytes = await readFile(path);
    // A cached chunk that no longer matches (a bad disk, a hand edit) is fetched again, not trusted.
    if (sha256(bytes) === chunk.sha256) {
      result.cached.chunks++;
      result.cached.bytes += bytes.length;
      return bytes;
    }
    await rm(path);
  }
  const key = chunkKey(chunk.sha256);
  const bytes = await getObject(s3, bucket, key, 'chunk');
  const actual = sha256(bytes);
  if (actual !== chunk.sha256) {
    throw new CorruptChunkError(`chunk s3://${bucket}/${key} is corrupt: its bytes hash to ${actual}; the revision was not installed`);
  }
  const temporary = `${path}.${randomUUID()}`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
  result.fetched.chunks++;
  result.fetched.bytes += bytes.length;
  return bytes;
}

async function getObject(s3: S3Client, bucket: string, key: string, what: string): Promise<Buffer> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const reason = status === 404 ? 'it does not exist' : (error as Error).message;
    throw new Error(`cannot fetch ${what} s3://${bucket}/${key}: ${reason}`, { cause: error });
  }
}
