// Each revision a node lays out carries the push manifest it was fetched by, as fetched, so that pruning
// knows exactly which cached chunks the revision was built from instead of guessing from its files
// (a package chunk cannot be told from its unpacked files).
import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePushManifest, type PushManifest } from '../push/push-manifest.js';

/** Inside the revision directory; no pushed file may take this path (fetchRevision refuses one). */
export const RECORDED_MANIFEST = '.push-manifest.json';

/** Writes the record in one rename, so a record that exists is whole. */
export async function recordManifest(revisionDir: string, manifestBytes: Buffer): Promise<void> {
  const path = join(revisionDir, RECORDED_MANIFEST);
  const temporary = `${path}.${randomUUID()}`;
  await writeFile(temporary, manifestBytes);
  await rename(temporary, path);
}

/** The recorded manifest; rejects with ENOENT when the revision predates records, or when it cannot be read or trusted. */
export async function readRecordedManifest(revisionDir: string): Promise<PushManifest> {
  const path = join(revisionDir, RECORDED_MANIFEST);
  return parsePushManifest(await readFile(path, 'utf8'), path);
}

/** Every chunk a revision was laid out from: its app files and its dependency packages. */
export const chunkHashes = (manifest: PushManifest): string[] => [...manifest.files, ...manifest.packages].map((chunk) => chunk.sha256);
