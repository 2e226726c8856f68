// The hooks on a fresh instance: no node runs yet, so swap points `current` at the revision and starts
// the node service; and a swap for another revision than the one fetched is refused. On a node that
// runs, swap hot-swaps while the runtime stays, and restarts the service when the runtime changes.
import { CodeDeployClient, RegisterApplicationRevisionCommand } from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdir, mkdtemp, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode } from '../../runtime/node/index.js';
import { runHook, type NodeHost } from '../../runtime/deploy/run-hook.js';
import type { PushResult } from '../../runtime/push/push.js';
import { startCodeBucket, type CodeBucket } from './code-bucket.js';
import { readBundle } from './cluster.js';
import { pushService, serviceRepo, type ServiceRepo } from './service-repo.js';

const codeDeploy = mockClient(CodeDeployClient);
let bucket: CodeBucket;
let service: ServiceRepo;
let pushed: PushResult;
let home: string;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  bucket = await startCodeBucket();
  service = await serviceRepo();
  home = await mkdtemp(join(tmpdir(), 'ions-fresh-node-'));
  codeDeploy.on(RegisterApplicationRevisionCommand).resolves({});
  pushed = await pushService(service, bucket);
});

afterAll(async () => {
  await bucket?.close();
  await service?.remove();
  await rm(home, { recursive: true, force: true });
  codeDeploy.restore();
});

describe('hooks on a node that does not run yet', () => {
  it('fetch, then swap starts the service on the revision, and validate says when it never comes up', async () => {
    const started: string[] = [];
    const host: NodeHost = {
      home,
      nodeUrl: `http://127.0.0.1:${await closedPort()}`,
      s3: bucket.s3,
      secret: async () => 'unused',
      startNode: async () => void started.push(await readlink(join(home, 'current'))),
      healthTimeoutMs: 200,
    };
    const { spec } = await readBundle(bucket.s3, pushed.bundle);
    expect(await runHook('fetch', spec, host)).toMatch(new RegExp(`^fetched ${pushed.revision}: `));
    await expect(runHook('swap', { ...spec, revision: 'another' }, host)).rejects.toThrow(`the fetch hook fetched ${pushed.revision}, not another; run it again`);
    expect(await runHook('swap', spec, host)).toBe(`started the node on ${pushed.revision}`);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatch(new RegExp(`^${join(home, 'revisions', pushed.revision)}-[0-9a-f]{12}$`));
    await expect(runHook('validate', spec, host)).rejects.toThrow(`did not report revision ${pushed.revision} as ready within 200 ms`);
  });
});

describe('hooks on a node that runs', () => {
  it('hot-swap while the node keeps its runtime, restart the service on a new one, and keep the runtimes a rollback needs', async () => {
    const nodeHome = await mkdtemp(join(tmpdir(), 'ions-running-node-'));
    const node = await startNode({ port: 0, secret: 'hook-secret' });
    try {
      const runtimes = join(nodeHome, 'runtimes');
      const [older, oldRuntime, newRuntime] = ['older', 'old', 'new'].map((name) => join(runtimes, name));
      for (const dir of [older!, oldRuntime!, join(runtimes, '.incoming-Ab12Cd')]) await mkdir(dir, { recursive: true });
      const runtimeLink = join(nodeHome, 'runtime');
      await symlink(oldRuntime!, runtimeLink);
      const restarts: string[] = [];
      const host = (runtimeDir: string): NodeHost => ({
        home: nodeHome,
        nodeUrl: node.url,
        s3: bucket.s3,
        secret: async () => 'hook-secret',
        startNode: async () => {
          throw new Error('the node runs: nothing to start');
        },
        runtime: { dir: runtimeDir, link: runtimeLink, restart: async () => void restarts.push(await readlink(runtimeLink)) },
      });
      const { spec } = await readBundle(bucket.s3, pushed.bundle);
      await runHook('fetch', spec, host(oldRuntime!));
      expect(await runHook('swap', spec, host(oldRuntime!))).toBe(`swapped to ${pushed.revision}; pruned 2 runtime(s)`);
      expect(node.revision).toBe(pushed.revision);
      expect(restarts).toEqual([]);
      expect(await readdir(runtimes)).toEqual(['old']);

      await mkdir(newRuntime!); // as the next deploy's script installs it
      expect(await runHook('swap', spec, host(newRuntime!))).toBe(`restarted the node on ${pushed.revision} and runtime new; pruned 0 runtime(s)`);
      expect(restarts).toEqual([newRuntime]);
      expect(await readlink(join(nodeHome, 'current'))).toMatch(new RegExp(`^${join(nodeHome, 'revisions', pushed.revision)}-[0-9a-f]{12}$`));
      // The runtime it ran before stays for a rollback.
      expect((await readdir(runtimes)).sort()).toEqual(['new', 'old']);
    } finally {
      await node.close();
      await rm(nodeHome, { recursive: true, force: true });
    }
  });

  it("reads the fetch hook's record without following a link or quoting what it found", async () => {
    const nodeHome = await mkdtemp(join(tmpdir(), 'ions-swap-record-'));
    try {
      const host: NodeHost = {
        home: nodeHome,
        nodeUrl: `http://127.0.0.1:${await closedPort()}`,
        s3: bucket.s3,
        secret: async () => 'unused',
        startNode: async () => undefined,
      };
      const { spec } = await readBundle(bucket.s3, pushed.bundle);
      const secretFile = join(nodeHome, 'not-for-the-node');
      await writeFile(secretFile, 'root:$6$secret-hash-never-print');
      await symlink(secretFile, join(nodeHome, 'fetched.json'));
      const viaLink = runHook('swap', spec, host);
      await expect(viaLink).rejects.toThrow(/ELOOP/);
      await expect(viaLink).rejects.not.toThrow(/secret-hash/);
      await rm(join(nodeHome, 'fetched.json'));
      await writeFile(join(nodeHome, 'fetched.json'), 'root:$6$secret-hash-never-print');
      await expect(runHook('swap', spec, host)).rejects.toThrow(`${join(nodeHome, 'fetched.json')} is not the record the fetch hook writes; run the fetch hook again`);
    } finally {
      await rm(nodeHome, { recursive: true, force: true });
    }
  });
});
