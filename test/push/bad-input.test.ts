// Bad input at each step gets a clear error, and the running revision keeps serving through all of it;
// what looks foreign but is not (a revision another serverless-ions version pushed) is run.
import { CodeDeployClient, CreateDeploymentCommand, ListDeploymentGroupsCommand, RegisterApplicationRevisionCommand } from '@aws-sdk/client-codedeploy';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { deploy } from '../../runtime/deploy/deploy.js';
import type { PushResult } from '../../runtime/push/push.js';
import { chunkKey } from '../../runtime/push/push-manifest.js';
import { startCodeBucket, type CodeBucket } from './code-bucket.js';
import { readBundle, rollOut, startCluster, webProxy, type Cluster } from './cluster.js';
import { pushService, serviceRepo, type ServiceRepo } from './service-repo.js';

const codeDeploy = mockClient(CodeDeployClient);
const lambda = mockClient(LambdaClient);
const restoreCast = redirect(tapSink());
let bucket: CodeBucket;
let cluster: Cluster;
let service: ServiceRepo;
let a: PushResult;

const pushTo = (bucketName: string, uname?: string) => pushService(service, bucket, { bucketName, ...(uname ? { uname } : {}) });

const deployTo = (group: string, rev: string, bucketName = bucket.bucket) =>
  deploy({
    app: 'push-fixture',
    group,
    rev,
    bucket: bucketName,
    application: 'app',
    codeDeploy: new CodeDeployClient({}),
    lambda: new LambdaClient({}),
    s3: bucket.s3,
    functionName: (g, name) => `${g}-${name}`,
  });

const servedVersion = async (): Promise<string | undefined> => (await webProxy(cluster.balancer.url)()).version;

beforeAll(async () => {
  bucket = await startCodeBucket();
  cluster = await startCluster(bucket.s3, 1);
  service = await serviceRepo();
  codeDeploy.on(RegisterApplicationRevisionCommand).resolves({});
  codeDeploy.on(ListDeploymentGroupsCommand).resolves({ deploymentGroups: ['primary', 'analytics'] });
  codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-1' });
  lambda.on(GetFunctionConfigurationCommand).resolves({ Timeout: 10, Environment: { Variables: { IONS_INTEGRATION: 'api-gateway' } } });
  a = await pushTo(bucket.bucket);
  await rollOut(cluster, (await readBundle(bucket.s3, a.bundle)).spec);
});

afterAll(async () => {
  await cluster?.close();
  await bucket?.close();
  await service?.remove();
  restoreCast();
  codeDeploy.restore();
  lambda.restore();
});

beforeEach(() => codeDeploy.resetHistory());

describe('push and deploy refuse bad input', () => {
  it('names a code bucket that does not exist', async () => {
    await expect(pushTo('no-such-bucket')).rejects.toThrow('code bucket no-such-bucket does not exist');
    await expect(deployTo('primary', a.revision, 'no-such-bucket')).rejects.toThrow('code bucket no-such-bucket does not exist');
    expect(codeDeploy.calls()).toHaveLength(0);
    expect(await servedVersion()).toBe('A');
  });

  it('lists the valid groups for an unknown group, and starts nothing', async () => {
    await expect(deployTo('nope', a.revision)).rejects.toThrow(`group nope does not run push-fixture revision ${a.revision}: valid groups are primary, analytics`);
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('refuses a revision that was never pushed', async () => {
    await expect(deployTo('primary', 'f'.repeat(40))).rejects.toThrow(`revision ${'f'.repeat(40)} of push-fixture was never pushed`);
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('refuses a dirty tree unless given a name, which then says unreproducible', async () => {
    await service.write('src/scratch.js', 'export const scratch = 1;\n');
    await expect(pushTo(bucket.bucket)).rejects.toThrow(/the git tree has 1 uncommitted change\(s\) \(src\/scratch.js\).*--uname NAME/);
    const named = await pushTo(bucket.bucket, 'try-1');
    expect(named.revision).toBe('unreproducible-try-1');
    expect(named.upload.uploaded.dependencyBytes).toBe(0);
    await expect(pushTo(bucket.bucket, 'no spaces')).rejects.toThrow('--uname "no spaces" must be');
    await service.commit('scratch');
  });

  it('refuses a dependency from the local disk', async () => {
    await service.write('package.json', JSON.stringify({ name: 'push-fixture', dependencies: { mine: 'file:../mine' } }));
    await service.commit('local dependency');
    await expect(pushTo(bucket.bucket)).rejects.toThrow('dependency mine comes from the local disk (file:../mine), which no commit pins');
  });
});

describe('a node refuses a bad revision and keeps serving', () => {
  it('fails the deployment when the revision cannot load', async () => {
    await service.write('src/version.js', "throw new Error('revision C cannot start');\nexport const VERSION = 'C';\n");
    await service.write('package.json', JSON.stringify({ name: 'push-fixture', dependencies: { ms: '^2.1.3' } }));
    const revision = await service.commit('revision C');
    const c = await pushTo(bucket.bucket);
    await expect(rollOut(cluster, (await readBundle(bucket.s3, c.bundle)).spec)).rejects.toThrow(
      new RegExp(`refused the swap \\(422\\): revision ${revision}: loading .* failed: revision C cannot start; it still serves ${a.revision}`),
    );
    expect(cluster.nodes[0]!.node.revision).toBe(a.revision);
    expect(await servedVersion()).toBe('A');
  });

  it('refuses a corrupted chunk before installing anything', async () => {
    await service.write('src/version.js', "export const VERSION = 'D';\n");
    await service.commit('revision D');
    const d = await pushTo(bucket.bucket);
    const changed = d.manifest.files.find((file) => !a.manifest.files.some((old) => old.sha256 === file.sha256) && file.path.startsWith('src/web'))!;
    await bucket.s3.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: chunkKey(changed.sha256), Body: 'not the pushed bytes' }));
    const { spec } = await readBundle(bucket.s3, d.bundle);
    await expect(rollOut(cluster, spec)).rejects.toThrow(new RegExp(`chunk s3://ions-code/${chunkKey(changed.sha256)} is corrupt`));
    const home = cluster.nodes[0]!.host.home;
    expect((await readdir(join(home, 'revisions'))).filter((dir) => dir.startsWith(d.revision))).toEqual([]);
    expect(existsSync(join(home, 'cache', changed.sha256))).toBe(false);
    expect(cluster.nodes[0]!.node.revision).toBe(a.revision);
    expect(await servedVersion()).toBe('A');
  });

  it('refuses a revision built for a newer Node than the node runs', async () => {
    const { spec } = await readBundle(bucket.s3, a.bundle);
    const manifest = { ...a.manifest, nodeVersion: '99' };
    await bucket.s3.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: spec.manifestKey, Body: JSON.stringify(manifest) }));
    await expect(rollOut(cluster, spec)).rejects.toThrow(`revision ${a.revision} was built for Node 99; this node runs Node ${process.versions.node.split('.')[0]}`);
    expect(await servedVersion()).toBe('A');
  });
});

describe('runtime versions', () => {
  it('runs a revision that another serverless-ions version pushed (on a node, the hooks then run that version)', async () => {
    await service.write('src/version.js', "export const VERSION = 'E';\n");
    await service.commit('revision E');
    const e = await pushTo(bucket.bucket);
    const { spec } = await readBundle(bucket.s3, e.bundle);
    const manifest = { ...e.manifest, runtimeVersion: '9.9.9-next' };
    await bucket.s3.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: spec.manifestKey, Body: JSON.stringify(manifest) }));
    await rollOut(cluster, spec);
    expect(await servedVersion()).toBe('E');
  });
});
