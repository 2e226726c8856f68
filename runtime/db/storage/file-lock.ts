// One process at a time may own a database directory: its log compare-and-set is only checked in
// memory. The lock file holds the owner's pid; a lock whose process is gone (kill -9) is taken over.
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { StorageConflictError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireLock(path: string, db: string): Promise<() => Promise<void>> {
  const release = async (): Promise<void> => rm(path, { force: true });
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return release;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const owner = Number((await readFile(path, 'utf8')).trim());
  if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
    throw new StorageConflictError(`database ${db} is open in process ${owner} (lock file ${path})`);
  }
  // The owner is gone (or died before writing its pid): the lock is stale.
  await writeFile(path, String(process.pid));
  return release;
}
