// The validate hook prunes the node's disk once the new revision serves: pushes of the fixture service
// rolled out to a real node through every hook, with what was pruned cast as an event, and a prune that
// fails cast as an alert while the hook still succeeds and the node keeps serving.
import { CodeDeployClient, RegisterApplicationRevisionCommand } from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { hookCommand } from '../../runtime/cli/hook-command.js';
import { readNodeEnv } from '../../runtime/config/node-env.js';
import { RECORDED_MANIFEST } from '../../runtime/deploy/revision-record.js';
import { runHook } from '../../runtime/deploy/run-hook.js';
import type { PushResult } from '../../runtime/push/push.js';
import { startCodeBucket, type CodeBucket } from '../push/code-bucket.js';
import { readBundle, rollOut, startCluster, type Cluster, type ClusterNode } from '../push/cluster.js';
import { pushService, serviceRepo, type ServiceRepo } from '../push/service-repo.js';
import { hashesOf } from './node-disk.js';

const codeDeploy = mockClient(CodeDeployClient);
const tap = tapSink();
const restoreCast = redirect(tap);
let bucket: CodeBucket;
let cluster: Cluster;
let service: ServiceRepo;
let node: ClusterNode;

beforeAll(async () => {
  bucket = await startCodeBucket();
  cluster = await startCluster(bucket.s3, 1);
  node = cluster.nodes[0]!;
  node.host.keepRevisions = 1;
  service = await serviceRepo();
  codeDeploy.on(RegisterApplicationRevisionCommand).resolves({});
});

afterAll(async () => {
  await cluster?.close();
  await bucket?.close();
  await service?.remove();
  restoreCast();
  codeDeploy.restore();
});

/** Commits a new VERSION, pushes it and rolls it out; the hooks' messages and the revision's directory name. */
async function release(version: string): Promise<{ pushed: PushResult; messages: string[]; dirName: string }> {
  await service.write('src/version.js', `export const VERSION = '${version}';\n`);
  await service.commit(`revision ${version}`);
  const pushed = await pushService(service, bucket);
  const [rollout] = await rollOut(cluster, (await readBundle(bucket.s3, pushed.bundle)).spec);
  const dirName = (await revisionNames()).find((name) => name.startsWith(`${pushed.revision}-`))!;
  return { pushed, messages: rollout!.messages, dirName };
}

const revisionNames = async (): Promise<string[]> => (await readdir(join(node.host.home, 'revisions'))).sort();
const cached = async (): Promise<string[]> => (await readdir(join(node.host.home, 'cache'))).sort();
const records = (type: string) => tap.records.filter((record) => record.type === type);

describe('the validate hook prunes', () => {
  const released: Awaited<ReturnType<typeof release>>[] = [];

  it('keeps the served revision and keepRevisions others, and casts what it freed', async () => {
    released.push(await release('B'), await release('C'));
    tap.clear();
    released.push(await release('D'));
    const [b, c, d] = released;
    const keptChunks = hashesOf(c!.pushed.manifest, d!.pushed.manifest);
    const onlyB = hashesOf(b!.pushed.manifest).filter((hash) => !keptChunks.includes(hash));
    expect(onlyB.length).toBeGreaterThan(0);
    expect(d!.messages[2]).toMatch(new RegExp(`^${d!.pushed.revision} is serving; pruned 1 revision\\(s\\), 0 partial\\(s\\), ${onlyB.length} chunk\\(s\\): [1-9]\\d* bytes freed$`));
    expect(await revisionNames()).toEqual([c!.dirName, d!.dirName].sort());
    expect(await cached()).toEqual(keptChunks);
    expect(records('event').filter((record) => record.msg === 'deploy.prune/pruned')).toEqual([
      expect.objectContaining({
        revision: d!.pushed.revision,
        kept: [d!.dirName, c!.dirName],
        unrecorded: [],
        removedRevisions: [b!.dirName],
        removedPartials: 0,
        removedChunks: onlyB.length,
        bytesFreed: expect.any(Number),
      }),
    ]);
    expect(records('alert')).toEqual([]);
    expect(node.node.revision).toBe(d!.pushed.revision);
  });

  it('casts an alert for what it could not do, and the hook still succeeds on a serving node', async () => {
    const d = released.at(-1)!;
    // Kept at the next deploy, so its chunks are needed and unknown: damage a person should look at.
    await writeFile(join(node.host.home, 'revisions', d.dirName, RECORDED_MANIFEST), 'not json');
    tap.clear();
    const e = await release('E');
    expect(e.messages[2]).toMatch(new RegExp(`^${e.pushed.revision} is serving; pruned 1 revision\\(s\\), 0 partial\\(s\\), 0 chunk\\(s\\): [1-9]\\d* bytes freed; every chunk kept for 1 revision\\(s\\) without a recorded manifest; 1 failure\\(s\\), see the alert$`));
    expect(records('alert')).toEqual([
      expect.objectContaining({
        msg: 'deploy.prune/partly-failed',
        revision: e.pushed.revision,
        failures: [{ path: join(node.host.home, 'revisions', d.dirName), error: expect.stringContaining('is not JSON') }],
      }),
    ]);
    expect(await revisionNames()).toEqual([d.dirName, e.dirName].sort());
    expect(node.node.revision).toBe(e.pushed.revision);
    released.push(e);
  });

  it('leaves what it has no time to delete for the next deploy', async () => {
    const e = released.at(-1)!;
    node.host.pruneBudgetMs = 0;
    tap.clear();
    let f: Awaited<ReturnType<typeof release>>;
    try {
      f = await release('F');
    } finally {
      delete node.host.pruneBudgetMs;
    }
    expect(f.messages[2]).toMatch(new RegExp(`^${f.pushed.revision} is serving; pruned 0 revision\\(s\\), 0 partial\\(s\\), [1-9]\\d* chunk\\(s\\): [1-9]\\d* bytes freed; 1 left for the next deploy$`));
    expect(records('event')).toEqual([expect.objectContaining({ msg: 'deploy.prune/pruned', removedRevisions: [], deferred: 1 })]);
    const names = await revisionNames();
    expect(names.filter((name) => !name.includes('.partial-'))).toEqual([e.dirName, f.dirName].sort());
    expect(names.filter((name) => name.includes('.partial-'))).toEqual([expect.stringMatching(/^[0-9a-f]{40}-[0-9a-f]{12}\.partial-/)]);
    released.push(f);
  });

  it('casts an alert when it cannot prune at all, and the hook still succeeds', async () => {
    const f = released.at(-1)!;
    await rm(join(node.host.home, 'fetched.json'));
    tap.clear();
    const { spec } = await readBundle(bucket.s3, f.pushed.bundle);
    const before = await revisionNames();
    expect(await runHook('validate', spec, node.host)).toMatch(new RegExp(`^${f.pushed.revision} is serving; pruning failed, see the alert: ENOENT.*fetched\\.json`));
    expect(records('alert')).toEqual([
      expect.objectContaining({ msg: 'deploy.prune/failed', revision: f.pushed.revision, ex: expect.objectContaining({ code: 'ENOENT' }) }),
    ]);
    expect(await revisionNames()).toEqual(before);
  });
});

describe('IONS_KEEP_REVISIONS', () => {
  it('is a whole number, unset for the default', () => {
    expect(readNodeEnv({}).keepRevisions).toBeUndefined();
    expect(readNodeEnv({ IONS_KEEP_REVISIONS: '' }).keepRevisions).toBeUndefined();
    expect(readNodeEnv({ IONS_KEEP_REVISIONS: '0' }).keepRevisions).toBe(0);
    expect(readNodeEnv({ IONS_KEEP_REVISIONS: '5' }).keepRevisions).toBe(5);
    for (const bad of ['two', '-1', '1.5', ' 2']) {
      expect(() => readNodeEnv({ IONS_KEEP_REVISIONS: bad })).toThrow(
        `IONS_KEEP_REVISIONS must be a whole number of revisions to keep besides the served one, got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('fails the hook command before it does anything when it is not', async () => {
    const specFile = join(tmpdir(), `ions-revision-${process.pid}.json`);
    await writeFile(specFile, JSON.stringify({ bucket: 'b', app: 'a', revision: 'r', manifestKey: 'k' }));
    try {
      await expect(hookCommand('fetch', specFile, { IONS_KEEP_REVISIONS: 'all', IONS_HOME: '/nonexistent' })).rejects.toThrow('IONS_KEEP_REVISIONS must be a whole number');
    } finally {
      await rm(specFile);
    }
  });
});
