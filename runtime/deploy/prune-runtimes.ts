// The node runtimes a node no longer needs: every one installed but those kept (the one the node runs
// now and the one it ran before, which a rollback returns to), and whatever a crashed install left. The
// swap hook runs this as root, in root's own runtimes directory, and decides from that directory alone:
// it reads nothing the node's user can write. A rollback past the runtime kept downloads it again.
import { readdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE_RUNTIME_INCOMING } from './node-layout.js';

export interface RuntimePrune {
  removed: string[];
  failures: Array<{ path: string; error: string }>;
}


export async function pruneRuntimes(dir: string, keep: readonly string[]): Promise<RuntimePrune> {
  const report: RuntimePrune = { removed: [], failures: [] };
  // Compared as real paths: the kept ones come from a link and a command line, the others from here.
  const base = await realpath(dir);
  const kept = new Set(await Promise.all(keep.map(realOrAsGiven)));
  for (const entry of await readdir(base, { withFileTypes: true })) {
    const path = join(base, entry.name);
    // A crashed install's leftover goes whatever: the agent runs one hook at a time, so none is in progress.
    if (!entry.isDirectory() || (kept.has(path) && !entry.name.startsWith(NODE_RUNTIME_INCOMING))) continue;
    try {
      await rm(path, { recursive: true });
      report.removed.push(entry.name);
    } catch (error) {
      report.failures.push({ path, error: (error as Error).message });
    }
  }
  return report;
}

/** The real path, or the path as given when nothing is there (it keeps nothing then); other failures stop the prune. */
async function realOrAsGiven(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return path;
    throw error;
  }
}
