// The node runtimes a node no longer needs: every one installed but those kept (the one the node runs
// now and the one it ran before, which a rollback returns to), and whatever a crashed install left. The
// swap hook runs this as root, in root's own runtimes directory, and decides from that directory alone:
// it reads nothing the node's user can write. A rollback past the runtime kept downloads it again.
import { readdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface RuntimePrune {
  removed: string[];
  failures: Array<{ path: string; error: string }>;
}

// A crashed install's leftover (codedeploy-bundle.ts): the agent runs one hook at a time, so none is in progress.
const INCOMING = /^\.incoming-/;

export async function pruneRuntimes(dir: string, keep: readonly string[]): Promise<RuntimePrune> {
  const report: RuntimePrune = { removed: [], failures: [] };
  // Compared as real paths: the kept ones come from a link and a command line, the others from here.
  const base = await realpath(dir);
  const kept = new Set(await Promise.all(keep.map((path) => realpath(path).catch(() => path))));
  for (const entry of await readdir(base, { withFileTypes: true })) {
    const path = join(base, entry.name);
    if (!entry.isDirectory() || (kept.has(path) && !INCOMING.test(entry.name))) continue;
    try {
      await rm(path, { recursive: true });
      report.removed.push(entry.name);
    } catch (error) {
      report.failures.push({ path, error: (error as Error).message });
    }
  }
  return report;
}
