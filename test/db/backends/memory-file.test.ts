// The embedded backends run the same conformance suite as the server-backed ones.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { fileStorage, memoryStorage } from '../../../runtime/db/storage/index.js';
import { conformance, type Backend } from './conformance.js';
import { connectionRoundTrip } from './end-to-end.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

conformance({
  name: 'memory',
  durable: false,
  async fresh() {
    const storage = memoryStorage();
    return { storage: () => storage };
  },
});

const file: Backend = {
  name: 'file',
  durable: true,
  async fresh() {
    const dir = await mkdtemp(join(tmpdir(), 'ions-backends-file-'));
    dirs.push(dir);
    return {
      storage: () => fileStorage(dir),
      corruptBlob: (db, key, bytes) => writeFile(join(dir, db, 'blobs', key), bytes),
    };
  },
};

conformance(file);
describe('file storage through connect()', () => connectionRoundTrip(file));
