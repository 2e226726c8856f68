// The hooks on a fresh instance: no node runs yet, so swap points `current` at the revision and starts
// the node service; and a swap for another revision than the one fetched is refused.
import { CodeDeployClient, RegisterApplicationRevisionCommand } from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, readlink, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
