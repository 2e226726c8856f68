// A primary-group node on scale-out storage checkpoints as index segments and collects their garbage
// while it holds the lease; without the segments option (file storage, local nodes) nothing is collected.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import { kw } from '../../runtime/db/edn-names.js';
import { isIndexRoot } from '../../runtime/db/segments/index.js';
import { memoryStorage, type DatabaseStorage } from '../../runtime/db/storage/index.js';
import { primaryMember } from '../../runtime/node/primary-member.js';
import { startNode } from '../../runtime/node/index.js';
import { buildRevision } from '../../runtime/revision/index.js';
import { invoke, invokeBody } from '../node/helpers.js';

const SECRET = 'upkeep-key';
const serviceDir = fileURLToPath(new URL('./fixtures/groups-service/', import.meta.url));
const config: IonsConfig = { app: 'notes', groups: { primary: { topology: 'production' } }, lambdas: { remember: { fn: 'src/notes.remember' } } };
let root: string;
let revisionDir: string;
let restoreCast: () => void;

beforeAll(async () => {
  restoreCast = redirect(tapSink());
  root = await mkdtemp(join(tmpdir(), 'ions-upkeep-'));
  revisionDir = join(root, 'rev-1');
  await buildRevision({ serviceDir, config, outDir: revisionDir, name: 'rev-1' });
});
afterAll(async () => {
  restoreCast();
  await rm(root, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function has(store: DatabaseStorage, key: string): Promise<boolean> {
  for await (const blob of store.listBlobs!()) if (blob.key === key) return true;
  return false;
}

/** A blob nothing reaches, old enough for a grace period of 0 ms. */
async function stray(store: DatabaseStorage, seed: number): Promise<string> {
  const key = await store.putBlob(new Uint8Array([seed, 1, 2, 3]));
  await sleep(5);
  return key;
}

describe('segment upkeep on a primary-group node', () => {
  it('collects unreachable blobs while the node holds the lease, and stops when it closes', async () => {
    const storage = memoryStorage();
    const store = await storage.open('notes');
    const before = await stray(store, 1);
    const node = await startNode({ revisionDir, port: 0, secret: SECRET, storage, segments: { collectEveryMs: 20, jitter: 0, garbage: { graceMs: 0 } } });
    try {
      const answer = await invoke(node.url, 'lambda/remember', invokeBody({ text: 'kept' }), { secret: SECRET });
      expect(answer.status).toBe(200);
      for (let i = 0; i < 200 && (await has(store, before)); i++) await sleep(10);
      expect(await has(store, before)).toBe(false);
      const again = await invoke(node.url, 'lambda/remember', invokeBody({ text: 'after collection' }), { secret: SECRET });
      expect(again.json()).toEqual({ t: 3, seen: true, group: 'primary' });
      await node.close();
      const after = await stray(store, 2);
      await sleep(100);
      expect(await has(store, after)).toBe(true);
    } finally {
      await node.close();
      await storage.close();
    }
  });

  it('leaves blobs alone on a primary-group node without segments', async () => {
    const storage = memoryStorage();
    const store = await storage.open('notes');
    const kept = await stray(store, 3);
    const node = await startNode({ revisionDir, port: 0, secret: SECRET, storage });
    try {
      expect((await invoke(node.url, 'lambda/remember', invokeBody({ text: 'plain' }), { secret: SECRET })).status).toBe(200);
      await sleep(100);
      expect(await has(store, kept)).toBe(true);
    } finally {
      await node.close();
      await storage.close();
    }
  });

  it('writes index-segment checkpoints from the lease holder', async () => {
    const storage = memoryStorage();
    const member = await primaryMember({
      storage,
      db: 'notes',
      functions: { resolve: () => undefined },
      secret: SECRET,
      selfUrl: undefined,
      waitMs: 5_000,
      segments: { collectEveryMs: 3_600_000 },
    });
    try {
      await member.connection.transact([{ ':db/ident': kw(':note/text'), ':db/valueType': kw(':db.type/string'), ':db/cardinality': kw(':db.cardinality/one') }]);
      await member.connection.transact([{ ':note/text': 'indexed' }]);
      const pointer = await member.connection.checkpoint();
      const store = await storage.open('notes');
      expect(await store.getRoot()).toEqual(pointer);
      expect(isIndexRoot(await store.getBlob(pointer.blob))).toBe(true);
    } finally {
      await member.connection.close();
      await storage.close();
    }
  });
});
