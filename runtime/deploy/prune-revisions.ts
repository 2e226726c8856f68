// Retention on a compute node, so that a node deployed to many times does not fill its disk: keep the
// revision `current` links, the one being installed, and the most recently fetched few others (so that
// rolling back to them downloads nothing); delete every other revision directory, every `*.partial-*`
// directory a failed install or delete left, and every cached chunk no kept revision was fetched from.
//
// What cannot be proven unneeded stays: a kept revision without a readable recorded manifest (laid out
// before nodes recorded them, or damaged) may need any chunk, so while one is kept no chunk is deleted.
// Deleting a chunk never breaks a laid-out revision (its files are unpacked); it only makes a later
// fetch of a revision that used it download it again.
//
// CodeDeploy runs one lifecycle hook at a time on an instance, so no fetch writes a partial directory
// or a chunk while this runs. Each delete that fails is reported and the others still happen. Every
// revision to delete is first renamed to a partial directory (one rename each, whatever its size), so
// one that fails half-deleted, or that a time budget leaves for later, is never taken for a revision
// again and a later prune finishes it: the first prune of a node with hundreds of old revisions must
// not outlast its hook's timeout.
import { randomUUID } from 'node:crypto';
import { lstat, readdir, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { chunkHashes, readRecordedManifest } from './revision-record.js';

export const DEFAULT_KEEP_REVISIONS = 2;

export interface PruneOptions {
  /** The node's `current` link: the revision it serves and restarts on. */
  currentLink: string;
  cacheDir: string;
  revisionsDir: string;
  /** Revision directories kept whatever their age besides current's: the one being installed. */
  protect: string[];
  /** How many revisions to keep besides the protected ones, the most recently fetched first. */
  keepRecent: number;
  /** No directory tree starts being deleted after this long; the rest waits for the next prune. */
  budgetMs?: number;
}

export interface PruneFailure {
  path: string;
  error: string;
}

export interface PruneReport {
  /** Names in the revisions directory kept, the most recently fetched first. */
  kept: string[];
  /** Kept revisions without a readable recorded manifest: while there are any, every chunk is kept. */
  unrecorded: string[];
  removed: { revisions: string[]; partials: string[]; chunks: number; bytes: number };
  /** Partial directories (revisions to delete among them) the time budget left for the next prune. */
  deferred: string[];
  failures: PruneFailure[];
}

const PARTIAL = /\.partial-[0-9a-f-]+$/;
const CHUNK = /^[0-9a-f]{64}$/;
/** A chunk download's temporary file (`<sha256>.<uuid>`): only a crash leaves one. */
const CHUNK_DOWNLOAD = /^[0-9a-f]{64}\.[0-9a-f-]{36}$/;

interface Revision {
  name: string;
  mtimeMs: number;
  protected: boolean;
}

export async function pruneRevisions(options: PruneOptions): Promise<PruneReport> {
  const { cacheDir, revisionsDir, keepRecent } = options;
  const deadline = performance.now() + (options.budgetMs ?? Infinity);
  if (!Number.isSafeInteger(keepRecent) || keepRecent < 0) throw new Error(`keepRecent must be a whole number of revisions, got ${keepRecent}`);
  const report: PruneReport = { kept: [], unrecorded: [], removed: { revisions: [], partials: [], chunks: 0, bytes: 0 }, deferred: [], failures: [] };
  const protectedPaths = new Set<string>();
  for (const path of [await servedRevision(options.currentLink), ...(await Promise.all(options.protect.map(realOrMissing)))]) {
    if (path !== undefined) protectedPaths.add(path);
  }
  const realRevisionsDir = await realOrMissing(revisionsDir);
  const entries = realRevisionsDir === undefined ? [] : await readdir(realRevisionsDir, { withFileTypes: true });
  const revisions: Revision[] = [];
  const partials: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    if (PARTIAL.test(entry.name)) partials.push(entry.name);
    else {
      const path = join(realRevisionsDir!, entry.name);
      revisions.push({ name: entry.name, mtimeMs: (await stat(path)).mtimeMs, protected: protectedPaths.has(path) });
    }
  }
  revisions.sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
  const others = revisions.filter((revision) => !revision.protected);
  const kept = new Set([...revisions.filter((revision) => revision.protected), ...others.slice(0, keepRecent)]);
  const referenced = new Set<string>();
  for (const revision of revisions) {
    if (!kept.has(revision)) continue;
    report.kept.push(revision.name);
    const dir = join(revisionsDir, revision.name);
    try {
      for (const hash of chunkHashes(await readRecordedManifest(dir))) referenced.add(hash);
    } catch (error) {
      report.unrecorded.push(revision.name);
      // A revision from before records is expected; a record that exists and cannot be read is damage.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') report.failures.push({ path: dir, error: `cannot read its recorded manifest: ${(error as Error).message}` });
    }
  }

  // Leftover partial directories first, then the revisions to delete, each renamed to one.
  const doomed: { partial: string; revision?: string }[] = partials.map((partial) => ({ partial }));
  for (const revision of others.slice(keepRecent)) {
    const partial = `${revision.name}.partial-${randomUUID()}`;
    try {
      await rename(join(revisionsDir, revision.name), join(revisionsDir, partial));
      doomed.push({ partial, revision: revision.name });
    } catch (error) {
      report.failures.push({ path: join(revisionsDir, revision.name), error: (error as Error).message });
    }
  }
  for (const { partial, revision } of doomed) {
    if (performance.now() >= deadline) report.deferred.push(partial);
    else if (await removeTree(join(revisionsDir, partial), report)) {
      if (revision === undefined) report.removed.partials.push(partial);
      else report.removed.revisions.push(revision);
    }
  }

  const cached = await readdir(cacheDir, { withFileTypes: true }).catch(missingAsEmpty);
  const chunksKnown = report.unrecorded.length === 0;
  for (const entry of cached) {
    const removable = CHUNK_DOWNLOAD.test(entry.name) || (CHUNK.test(entry.name) && chunksKnown && !referenced.has(entry.name));
    if (!entry.isFile() || !removable) continue;
    const path = join(cacheDir, entry.name);
    try {
      const { size } = await lstat(path);
      await rm(path);
      report.removed.chunks++;
      report.removed.bytes += size;
    } catch (error) {
      report.failures.push({ path, error: (error as Error).message });
    }
  }
  return report;
}

/** The real path `current` leads to; undefined when there is no such link yet or it leads nowhere. */
async function servedRevision(link: string): Promise<string | undefined> {
  try {
    await readlink(link);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EINVAL') throw new Error(`${link} is not a symbolic link, so which revision the node serves is unknown; nothing was pruned`);
    throw error;
  }
  return realOrMissing(link);
}

async function realOrMissing(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function missingAsEmpty(error: NodeJS.ErrnoException): [] {
  if (error.code === 'ENOENT') return [];
  throw error;
}

/** Deletes a directory tree, counting its bytes; a failure goes into the report. */
async function removeTree(dir: string, report: PruneReport): Promise<boolean> {
  try {
    const bytes = await treeBytes(dir);
    await rm(dir, { recursive: true });
    report.removed.bytes += bytes;
    return true;
  } catch (error) {
    report.failures.push({ path: dir, error: (error as Error).message });
    return false;
  }
}

async function treeBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? await treeBytes(path) : (await lstat(path)).size;
  }
  return bytes;
}
