// Garbage collection of index segments. A blob is live when a live root reaches it; live roots are
// the current root, every earlier index root that was still current within the retention window
// (values made from it may still be read, here or on other nodes), and the roots a caller pins.
// Everything else may go, except blobs stored within the grace period: an indexing job writes its
// segments before it publishes their root, and those must survive until it does.
import { event } from '../../cast/index.js';
import type { BlobKey, DatabaseStorage } from '../storage/storage.js';
import { decodeIndexRoot, isIndexRoot, INDEX_NAMES, type IndexRoot } from './segment-codec.js';

export interface GarbageOptions {
  /** How long a replaced root stays live, counted from when its successor was published. Default 1 hour. */
  readonly retentionMs?: number;
  /** Unreachable blobs younger than this are kept. Default 10 minutes; longer than any indexing job. */
  readonly graceMs?: number;
  /** Index roots kept live regardless of age (the roots of database values open in this process). */
  readonly pinned?: Iterable<BlobKey>;
  /** The clock, for tests. */
  readonly now?: number;
}

export interface GarbageResult {
  readonly liveRoots: number;
  readonly liveBlobs: number;
  readonly deleted: number;
}

const DEFAULT_RETENTION_MS = 60 * 60 * 1000;
const DEFAULT_GRACE_MS = 10 * 60 * 1000;

function mark(live: Set<BlobKey>, key: BlobKey, root: IndexRoot): void {
  live.add(key);
  for (const dir of [root.live, root.history]) for (const name of INDEX_NAMES) for (const ref of dir[name]) live.add(ref.key);
}

async function readRoot(store: DatabaseStorage, key: BlobKey): Promise<IndexRoot | undefined> {
  const bytes = await store.getBlob(key);
  return isIndexRoot(bytes) ? decodeIndexRoot(bytes, `index root ${key} of ${store.name}`) : undefined;
}

/**
 * Deletes the blobs no live root reaches. Safe beside a running indexing job and beside another
 * collector, as long as graceMs exceeds how long an indexing job takes from its first putBlob to its casRoot.
 */
export async function collectGarbage(store: DatabaseStorage, options: GarbageOptions = {}): Promise<GarbageResult> {
  if (store.listBlobs === undefined || store.deleteBlob === undefined) {
    throw new TypeError(`storage of ${store.name} cannot list and delete blobs (listBlobs, deleteBlob), which garbage collection needs`);
  }
  const now = options.now ?? Date.now();
  const cutoff = now - (options.retentionMs ?? DEFAULT_RETENTION_MS);
  const graceCutoff = now - (options.graceMs ?? DEFAULT_GRACE_MS);
  const stored = new Map<BlobKey, number>();
  for await (const blob of store.listBlobs()) stored.set(blob.key, blob.storedAt);
  const live = new Set<BlobKey>();
  let liveRoots = 0;
  const current = await store.getRoot();
  if (current !== undefined) {
    live.add(current.blob);
    liveRoots++;
    // Walk back while the root after each one was published within the window. A root an earlier
    // run with a shorter window already deleted ends the walk.
    let key = current.blob;
    let root = await readRoot(store, key);
    while (root !== undefined) {
      mark(live, key, root);
      if (root.previous === undefined || root.publishedAt < cutoff || !stored.has(root.previous)) break;
      key = root.previous;
      root = await readRoot(store, key);
      liveRoots++;
    }
  }
  for (const key of options.pinned ?? []) {
    if (live.has(key)) continue;
    const root = await readRoot(store, key);
    if (root === undefined) live.add(key);
    else mark(live, key, root);
    liveRoots++;
  }
  let deleted = 0;
  for (const [key, storedAt] of stored) {
    if (live.has(key) || storedAt >= graceCutoff) continue;
    await store.deleteBlob(key);
    deleted++;
  }
  event({ msg: 'db.segments/garbage-collected', db: store.name, liveRoots, liveBlobs: live.size, deleted });
  return { liveRoots, liveBlobs: live.size, deleted };
}
