// The group failure suite on the embedded backends; the server-backed ones add one call each.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { fileStorage, memoryStorage } from '../../../runtime/db/storage/index.js';
import { groupFailures } from './group-failures.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

groupFailures({
  name: 'memory',
  multiProcess: false,
  async fresh() {
    const storage = memoryStorage();
    return { storage: () => storage };
  },
});

groupFailures({
  name: 'file',
  multiProcess: true,
  async fresh() {
    const dir = await mkdtemp(join(tmpdir(), 'ions-groups-file-'));
    dirs.push(dir);
    return { storage: () => fileStorage(dir), spec: { kind: 'file', dir } };
  },
});
