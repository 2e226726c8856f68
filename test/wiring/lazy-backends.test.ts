// A node on file storage never loads the PostgreSQL driver or the AWS SDK clients of the scale-out
// backends, though the public runtime exports them: they load when a database is first opened on them.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoStorage, postgresStorage } from '../../runtime/index.js';
import { workspace, type Workspace } from './deployed-node.js';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const BACKEND_PACKAGES = /\/node_modules\/(pg|@aws-sdk\/client-dynamodb|@aws-sdk\/client-s3)\//;

describe('the scale-out backends', () => {
  let files: Workspace;
  beforeAll(async () => {
    files = await workspace();
  });
  afterAll(() => files.cleanup());

  const loadedBackends = async (name: string, flags: string[]): Promise<string[]> => {
    const logFile = join(dirname(files.revisionDir), `${name}.modules`);
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--import', join(fixtures, 'module-log.mjs'), join(fixtures, 'cli-node.ts'), files.revisionDir, join(files.dataDir, name), ...flags],
      { env: { ...process.env, IONS_SECRET: 'lazy-test-key', IONS_MODULE_LOG: logFile }, timeout: 30_000 },
    );
    // Casts (the node's lease events among them) go to stdout before it.
    expect(stdout).toMatch(/(^|\n)done\n$/);
    const packages = (await readFile(logFile, 'utf8')).split('\n').map((url) => BACKEND_PACKAGES.exec(url)?.[1]);
    return [...new Set(packages.filter((found) => found !== undefined))].sort();
  };

  it('are not loaded by `ions node` on file storage, requests to the store included', async () => {
    expect(await loadedBackends('file', [])).toEqual([]);
  });

  it('load on first use through the public API', async () => {
    expect(await loadedBackends('then-postgres', ['--then-postgres'])).toEqual(['pg']);
  });
});

describe('a scale-out storage from the public API', () => {
  it('checks its options when first used, with the backend own message', async () => {
    const storage = dynamoStorage({ tableName: '', bucket: 'segments' });
    await expect(storage.open('notes')).rejects.toThrow(new TypeError('dynamoStorage: tableName must be a non-empty string'));
    await storage.close();
  });

  it('opens nothing once closed', async () => {
    const storage = postgresStorage({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    await storage.close();
    await expect(storage.open('notes')).rejects.toThrow('storage is closed: cannot open notes');
  });
});
