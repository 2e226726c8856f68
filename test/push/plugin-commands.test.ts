// `serverless ions push | deploy | status` as the plugin runs them: stack outputs through the
// framework's provider, output through its writeText and progress. S3 is s3rver; CodeDeploy and Lambda
// are mocked at the SDK seam.
import {
  BatchGetDeploymentsCommand,
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  ListDeploymentGroupsCommand,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
  RegisterApplicationRevisionCommand,
} from '@aws-sdk/client-codedeploy';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClientConfig, deployCommand, pushCommand, serverlessV3ClientConfig, statusCommand, type CycleContext } from '../../plugin/cycle-commands.js';
import { UserInputError } from '../../plugin/invoke.js';
import { buildModel } from '../../plugin/model.js';
import type { PluginUtils, Serverless } from '../../plugin/serverless-api.js';
import { startCodeBucket, type CodeBucket } from './code-bucket.js';
import { pushConfig, serviceRepo, type ServiceRepo } from './service-repo.js';

const codeDeploy = mockClient(CodeDeployClient);
const lambda = mockClient(LambdaClient);
let bucket: CodeBucket;
let service: ServiceRepo;
let written: string[];
let progress: string[];
let stackOutputs: Array<{ OutputKey: string; OutputValue: string }>;

const cacheHome = process.env.XDG_CACHE_HOME;

beforeAll(async () => {
  bucket = await startCodeBucket();
  service = await serviceRepo();
  // The plugin keeps dependency packs in the user's cache; this test's stay in its temp dir.
  process.env.XDG_CACHE_HOME = service.packCacheDir;
});

afterAll(async () => {
  if (cacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = cacheHome;
  await bucket?.close();
  await service?.remove();
  codeDeploy.restore();
  lambda.restore();
});

beforeEach(() => {
  codeDeploy.reset();
  lambda.reset();
  codeDeploy.on(RegisterApplicationRevisionCommand).resolves({});
  written = [];
  progress = [];
  stackOutputs = [
    { OutputKey: 'IonsCodeBucket', OutputValue: bucket.bucket },
    { OutputKey: 'IonsCodeDeployApplication', OutputValue: 'svc-dev-push-fixture' },
  ];
});

function context(options: Record<string, unknown>): CycleContext {
  const serverless = {
    serviceDir: service.dir,
    getProvider: () => ({
      request: async (svc: string, method: string, params: Record<string, unknown>) => {
        expect([svc, method, params]).toEqual(['CloudFormation', 'describeStacks', { StackName: 'svc-dev' }]);
        return { Stacks: [{ Outputs: stackOutputs }] };
      },
      getRegion: () => 'us-east-1',
      naming: { getStackName: () => 'svc-dev' },
    }),
  } as unknown as Serverless;
  const utils = {
    writeText: (...text: string[]) => void written.push(...text),
    progress: { create: () => ({ update: (message: string) => void progress.push(message), remove: () => undefined }) },
  } as unknown as PluginUtils;
  return {
    serverless,
    options,
    utils,
    model: buildModel(pushConfig(), 'svc', 'dev'),
    clients: { s3: bucket.s3, codeDeploy: new CodeDeployClient({}), lambda: new LambdaClient({}) },
  };
}

describe('the AWS clients of the cycle commands', () => {
  const serverless = (profile?: string) =>
    ({ getProvider: () => ({ getRegion: () => 'eu-west-1' }), service: { provider: { profile } } }) as unknown as Serverless;

  it('use the profile Serverless would: --aws-profile over provider.profile, else the default chain', () => {
    expect(awsClientConfig(serverless('from-yml'), { 'aws-profile': 'from-flag' })).toEqual({ region: 'eu-west-1', profile: 'from-flag' });
    expect(awsClientConfig(serverless('from-yml'), {})).toEqual({ region: 'eu-west-1', profile: 'from-yml' });
    expect(awsClientConfig(serverless(), {})).toEqual({ region: 'eu-west-1' });
  });

  it("sign on serverless v3 with the credentials it resolved, refreshed as it refreshes them and expiring when they do", async () => {
    const expireTime = new Date('2026-11-21T12:00:00Z');
    let loads = 0;
    const resolved = { accessKeyId: 'AKIA-STAGE', secretAccessKey: 'stage-secret', sessionToken: 'token', expireTime, getPromise: async () => void loads++ };
    const withCredentials = { getProvider: () => ({ getRegion: () => 'eu-west-1', getCredentials: () => ({ credentials: resolved }) }), service: { provider: {} } } as unknown as Serverless;
    const config = serverlessV3ClientConfig(withCredentials, {}) as { region: string; credentials: () => Promise<unknown> };
    expect(config.region).toBe('eu-west-1');
    expect(await config.credentials()).toEqual({ accessKeyId: 'AKIA-STAGE', secretAccessKey: 'stage-secret', sessionToken: 'token', expiration: expireTime });
    expect(loads).toBe(1);
    // None resolved: the SDK's own chain, with the profile Serverless would use.
    const without = { getProvider: () => ({ getRegion: () => 'eu-west-1', getCredentials: () => ({}) }), service: { provider: { profile: 'from-yml' } } } as unknown as Serverless;
    expect(serverlessV3ClientConfig(without, {})).toEqual({ region: 'eu-west-1', profile: 'from-yml' });
  });
});

describe('the cycle commands', () => {
  it('push prints the revision, the bytes, the groups and the deploy commands', async () => {
    await pushCommand(context({}));
    const text = written.join('\n');
    const sha = /Revision ([0-9a-f]{40}) \(\d+ app files, 2 dependency packages\)/.exec(text)?.[1];
    expect(sha).toBeDefined();
    expect(text).toMatch(/Uploaded \d+ chunk\(s\), \d+ bytes \(\d+ of dependencies, [1-9]\d+ of the node runtime\); skipped \d+ already stored, \d+ bytes/);
    expect(text).toContain('Groups: primary, analytics');
    expect(text).toContain(`Deploy: serverless ions deploy --stage dev --group primary --rev ${sha}`);
    expect(progress).toContain(`Building revision ${sha}`);
    expect(codeDeploy.commandCalls(RegisterApplicationRevisionCommand)[0]!.args[0].input.applicationName).toBe('svc-dev-push-fixture');
  });

  it('push turns a dirty tree into a user error', async () => {
    await service.write('src/scratch.js', 'export const scratch = 1;\n');
    await expect(pushCommand(context({}))).rejects.toThrow(UserInputError);
    await pushCommand(context({ uname: 'mine' }));
    expect(written.join('\n')).toContain('--group primary --uname mine');
    await service.commit('scratch');
  });

  it('push says when the stack lacks its outputs', async () => {
    stackOutputs = [];
    await expect(pushCommand(context({}))).rejects.toThrow('stack svc-dev has no output IonsCodeBucket: deploy the stack with this plugin first');
  });

  it('deploy starts the deployment, updates only the proxies that differ, and prints the status command', async () => {
    codeDeploy.on(ListDeploymentGroupsCommand).resolves({ deploymentGroups: ['primary', 'analytics'] });
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-42' });
    lambda.on(GetFunctionConfigurationCommand).resolves({
      Timeout: 3,
      Environment: { Variables: { IONS_INTEGRATION: 'api-gateway', IONS_TARGET: 'web' } },
    });
    lambda.on(UpdateFunctionConfigurationCommand).resolves({});
    await pushCommand(context({}));
    const sha = /Revision ([0-9a-f]{40})/.exec(written.join('\n'))![1]!;
    written = [];
    await deployCommand(context({ group: 'primary', rev: sha }));
    expect(written.join('\n')).toBe(
      [
        `Deploying ${sha} to primary: CodeDeploy deployment d-42, one node at a time`,
        'Proxy Lambdas: svc-dev-primary-web (Timeout)',
        'Status: serverless ions status --stage dev --group primary',
      ].join('\n'),
    );
    expect(lambda.commandCalls(GetFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: 'svc-dev-primary-web' }]);
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: 'svc-dev-primary-web', Timeout: 10 },
    ]);
  });

  it('deploy needs a group and exactly one revision option', async () => {
    await expect(deployCommand(context({ rev: 'abc' }))).rejects.toThrow('ions deploy needs --group (one of primary, analytics)');
    codeDeploy.on(ListDeploymentGroupsCommand).resolves({ deploymentGroups: ['primary'] });
    await expect(deployCommand(context({ group: 'primary' }))).rejects.toThrow('ions deploy needs exactly one of --rev SHA or --uname NAME');
    await expect(deployCommand(context({ group: 'primary', rev: 'a', uname: 'b' }))).rejects.toThrow(UserInputError);
  });

  it('status shows nodes and Lambdas of the latest deployment, and fails when it failed', async () => {
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-old', 'd-new'] });
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [
        { deploymentId: 'd-old', status: 'Succeeded', createTime: new Date('2026-01-01T00:00:00Z') },
        {
          deploymentId: 'd-new',
          status: 'Failed',
          createTime: new Date('2026-01-02T00:00:00Z'),
          description: 'ions push-fixture abc to primary',
          errorInformation: { message: 'a node failed ApplicationStart' },
          rollbackInfo: { rollbackDeploymentId: 'd-rollback' },
        },
      ],
    });
    codeDeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['i-1', 'i-2'] });
    codeDeploy.on(BatchGetDeploymentTargetsCommand).resolves({
      deploymentTargets: [
        { instanceTarget: { targetId: 'i-1', status: 'Succeeded', lifecycleEvents: [{ lifecycleEventName: 'ValidateService', status: 'Succeeded' }] } },
        {
          instanceTarget: {
            targetId: 'i-2',
            status: 'Failed',
            lifecycleEvents: [
              { lifecycleEventName: 'BeforeInstall', status: 'Succeeded' },
              { lifecycleEventName: 'ApplicationStart', status: 'Failed' },
            ],
          },
        },
      ],
    });
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    await expect(statusCommand(context({ group: 'primary' }))).rejects.toThrow('ions deployment failed: primary (deployment d-new Failed)');
    expect(written.join('\n')).toBe(
      [
        'Group primary: deployment d-new Failed (rolled back) - ions push-fixture abc to primary',
        '  error: a node failed ApplicationStart',
        'Code:',
        '  i-1: Succeeded',
        '  i-2: Failed (ApplicationStart Failed)',
        'Lambdas:',
        '  svc-dev-primary-web: Active, last update Successful',
      ].join('\n'),
    );
    expect(codeDeploy.commandCalls(ListDeploymentsCommand)[0]!.args[0].input).toEqual({ applicationName: 'svc-dev-push-fixture', deploymentGroupName: 'primary' });
  });

  it('status succeeds for a successful deployment', async () => {
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-1'] });
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({ deploymentsInfo: [{ deploymentId: 'd-1', status: 'Succeeded' }] });
    codeDeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['i-1'] });
    codeDeploy.on(BatchGetDeploymentTargetsCommand).resolves({ deploymentTargets: [{ instanceTarget: { targetId: 'i-1', status: 'Succeeded' } }] });
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    await statusCommand(context({ group: 'primary' }));
    expect(written[0]!.split('\n')[0]).toBe('Group primary: deployment d-1 Succeeded');
  });
});
