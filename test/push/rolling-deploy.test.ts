// The whole cycle on this machine: push A, deploy it to three nodes, put bounded load on the proxy
// path, change only app code, push B (no dependency bytes), deploy B node by node under that load.
// CodeDeploy and Lambda control-plane calls are mocked at the SDK seam and asserted; S3 is s3rver.
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  ListDeploymentGroupsCommand,
  RegisterApplicationRevisionCommand,
} from '@aws-sdk/client-codedeploy';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { deploy } from '../../runtime/deploy/deploy.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import type { PushResult } from '../../runtime/push/push.js';
import { startCodeBucket, type CodeBucket } from './code-bucket.js';
import { readBundle, rollOut, startCluster, webProxy, type Cluster } from './cluster.js';
import { pushService, serviceRepo, type ServiceRepo } from './service-repo.js';

const codeDeploy = mockClient(CodeDeployClient);
const lambda = mockClient(LambdaClient);
const restoreCast = redirect(tapSink());
let bucket: CodeBucket;
let cluster: Cluster;
let service: ServiceRepo;

const APPLICATION = 'svc-dev-push-fixture';
const functionName = (group: string, name: string) => `svc-dev-${group}-${name}`;

beforeAll(async () => {
  bucket = await startCodeBucket();
  cluster = await startCluster(bucket.s3);
  service = await serviceRepo();
  codeDeploy.on(RegisterApplicationRevisionCommand).resolves({});
  codeDeploy.on(ListDeploymentGroupsCommand).resolves({ deploymentGroups: ['primary', 'analytics'] });
  codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-TEST' });
  lambda.on(GetFunctionConfigurationCommand).resolves({
    Timeout: 10,
    Environment: { Variables: { [PROXY_ENV.integration]: 'api-gateway', [PROXY_ENV.target]: 'web' } },
  });
});

afterAll(async () => {
  await cluster?.close();
  await bucket?.close();
  await service?.remove();
  restoreCast();
  codeDeploy.restore();
  lambda.restore();
});

const pushNow = () => pushService(service, bucket, { application: APPLICATION });

const deployNow = (rev: string) =>
  deploy({
    app: 'push-fixture',
    group: 'primary',
    rev,
    bucket: bucket.bucket,
    application: APPLICATION,
    codeDeploy: new CodeDeployClient({}),
    lambda: new LambdaClient({}),
    s3: bucket.s3,
    functionName,
  });

it('pushes A, deploys it, then rolls B out under load with zero failed requests', async () => {
  const a: PushResult = await pushNow();
  expect(a.revision).toMatch(/^[0-9a-f]{40}$/);
  expect(a.manifest.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['escape-html@1.0.3', 'ms@2.1.3']);
  expect(a.upload.uploaded.dependencyBytes).toBeGreaterThan(0);
  expect(a.groups).toEqual(['primary', 'analytics']);
  expect(codeDeploy.commandCalls(RegisterApplicationRevisionCommand)[0]!.args[0].input).toEqual({
    applicationName: APPLICATION,
    description: `ions push-fixture ${a.revision}`,
    revision: { revisionType: 'S3', s3Location: { bucket: 'ions-code', key: a.bundle.key, bundleType: 'zip', eTag: a.bundle.eTag } },
  });

  const deployedA = await deployNow(a.revision);
  expect(deployedA).toEqual({ revision: a.revision, group: 'primary', deploymentId: 'd-TEST', lambdas: [{ functionName: 'svc-dev-primary-web', changed: [] }] });
  expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)).toHaveLength(0);
  const bundleA = await readBundle(bucket.s3, a.bundle);
  expect(bundleA.files).toEqual(['appspec.yml', 'hooks/fetch.sh', 'hooks/runtime.sh', 'hooks/swap.sh', 'hooks/validate.sh', 'ions-revision.json']);
  expect(bundleA.appspec).toContain('BeforeInstall:\n    - location: hooks/fetch.sh');
  const rolloutA = await rollOut(cluster, bundleA.spec);
  expect(rolloutA[0]!.messages[0]).toMatch(/^fetched .*: \d+ chunk\(s\), \d+ bytes downloaded; 0 from the cache$/);
  for (const { node } of cluster.nodes) expect(node.revision).toBe(a.revision);

  const web = webProxy(cluster.balancer.url);
  let stop = false;
  const loop = async (): Promise<string[]> => {
    const seen: string[] = [];
    // Bounded: stops when the rollout is done, or after 20 s whatever happens.
    const deadline = Date.now() + 20_000;
    while (!stop && Date.now() < deadline) {
      const answer = await web();
      seen.push(answer.version ?? `failed ${answer.status}: ${answer.body}`);
    }
    return seen;
  };
  const loops = Promise.all([loop(), loop(), loop()]);

  await service.write('src/version.js', "export const VERSION = 'B';\n");
  await service.commit('revision B');
  const packs = await readdir(service.packCacheDir);
  const packTimes = await Promise.all(packs.map(async (pack) => (await stat(join(service.packCacheDir, pack))).mtimeMs));
  const b = await pushNow();
  // The dependencies did not change: their packs came from the cache, untouched.
  expect(await readdir(service.packCacheDir)).toEqual(packs);
  expect(await Promise.all(packs.map(async (pack) => (await stat(join(service.packCacheDir, pack))).mtimeMs))).toEqual(packTimes);
  expect(b.revision).not.toBe(a.revision);
  expect(b.upload.uploaded.dependencyBytes).toBe(0);
  expect(b.manifest.packages).toEqual(a.manifest.packages);
  expect(b.upload.skipped.chunks).toBeGreaterThanOrEqual(2);

  await deployNow(b.revision);
  const rolloutB = await rollOut(cluster, (await readBundle(bucket.s3, b.bundle)).spec);
  // Dependencies were already in every node's cache: only changed app files came down.
  for (const rollout of rolloutB) expect(rollout.messages[0]).toMatch(/; [1-9]\d* from the cache$/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  stop = true;
  const seen = await loops;

  const all = seen.flat();
  expect(all.filter((answer) => answer !== 'A' && answer !== 'B')).toEqual([]);
  expect(all).toContain('A');
  expect(all).toContain('B');
  for (const { node } of cluster.nodes) expect(node.revision).toBe(b.revision);
  expect(codeDeploy.commandCalls(CreateDeploymentCommand).map((call) => call.args[0].input)).toEqual(
    [a, b].map(({ revision, bundle }) => ({
      applicationName: APPLICATION,
      deploymentGroupName: 'primary',
      description: `ions push-fixture ${revision} to primary`,
      revision: { revisionType: 'S3', s3Location: { bucket: 'ions-code', key: bundle.key, bundleType: 'zip' } },
      deploymentConfigName: 'CodeDeployDefault.OneAtATime',
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
      fileExistsBehavior: 'OVERWRITE',
    })),
  );
  // The answers come from one runtime: the app's getAppInfo reads the context the host node set.
  expect((await web()).revision).toBe(b.revision);
}, 60_000);
