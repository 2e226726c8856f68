// `serverless ions push | deploy | status` as users run them: the real CLIs (serverless v3 and osls)
// on a fixture service in its own git repository. The code bucket is s3rver; the control plane
// (CloudFormation stack outputs, CodeDeploy, Lambda) is mocked at the SDK seam inside the CLI process
// by a preload that answers from a scenario and records every call (support/sdk-scenario-preload.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_BUCKET, SECRET_ACCESS_KEY, buildScenarioPreload, cycleService, type CycleRun, type CycleService } from './support/cycle-service.js';
import { buildPluginPackage, removePluginPackage } from './support/plugin-package.js';
import type { CliName } from './support/run-cli.js';
import type { RecordedCall, ScenarioRule } from './support/sdk-scenario.js';

const CLI_NAMES: CliName[] = ['serverless3', 'osls'];
const STACK = 'cycle-test';
const APPLICATION = 'cycle-test-ions-app';
/** A value in a proxy's environment that deploy passes back to Lambda and must never print. */
const APP_TOKEN = 'cycle-app-token-5d1c-never-print';
const WEB = 'cycle-test-primary-web';
const TICK = 'cycle-test-primary-tick';
const REPORT = 'cycle-test-reports-report';
const CHUNK_KEY = /^ions\/chunks\/[0-9a-f]{64}$/;
// Room for two CLI runs (each killed after 30 s) on a busy machine.
const CASE_TIMEOUT_MS = 65_000;

const services = new Map<CliName, CycleService>();
const service = (cli: CliName): CycleService => services.get(cli)!;

beforeAll(async () => {
  await buildPluginPackage();
  await buildScenarioPreload();
  for (const cli of CLI_NAMES) services.set(cli, await cycleService(cli));
}, 60_000);

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.close()));
  await removePluginPackage();
});

const stackOutputs: ScenarioRule = {
  service: 'CloudFormation',
  command: 'DescribeStacks',
  input: { StackName: STACK },
  resolves: {
    Stacks: [
      {
        StackName: STACK,
        Outputs: [
          { OutputKey: 'IonsCodeBucket', OutputValue: CODE_BUCKET },
          { OutputKey: 'IonsCodeDeployApplication', OutputValue: APPLICATION },
        ],
      },
    ],
  },
};

const registerRevision: ScenarioRule = { service: 'CodeDeploy', command: 'RegisterApplicationRevision', resolves: {} };

/** What the deployed proxy Lambdas look like before a deploy. */
function deployRules(lambdas: Record<string, Record<string, unknown>>): ScenarioRule[] {
  return [
    stackOutputs,
    { service: 'CodeDeploy', command: 'ListDeploymentGroups', input: { applicationName: APPLICATION }, resolves: { deploymentGroups: ['primary', 'reports'] } },
    { service: 'CodeDeploy', command: 'CreateDeployment', resolves: { deploymentId: 'd-CYCLE0001' } },
    ...Object.entries(lambdas).map(([name, config]): ScenarioRule => ({
      service: 'Lambda',
      command: 'GetFunctionConfiguration',
      input: { FunctionName: name },
      resolves: { FunctionName: name, ...config },
    })),
    { service: 'Lambda', command: 'UpdateFunctionConfiguration', resolves: {} },
  ];
}

const proxyEnv = (integration: string) => ({ Variables: { IONS_INTEGRATION: integration, IONS_TARGET: 'x', APP_TOKEN } });
/** Proxies as the stack made them from the fixture's config: nothing for deploy to change. */
const inLine = {
  [WEB]: { Description: 'The cycle web ion', Timeout: 10, MemorySize: 1024, Environment: proxyEnv('api-gateway') },
  [TICK]: { Timeout: 6, MemorySize: 256, Environment: proxyEnv('event') },
  [REPORT]: { Timeout: 6, MemorySize: 1024, Environment: proxyEnv('event') },
};

const calls = (run: CycleRun) => run.calls.map(({ service, command, input }) => ({ service, command, input }));
const commandsOf = (run: CycleRun) => run.calls.map((call) => `${call.service}.${call.command}`);

/** The arguments of a `serverless ...` command the CLI printed, without `--stage test` (every run adds it). */
function printedCommand(output: string, prefix: string): string[] {
  const line = output.split('\n').find((l) => l.startsWith(prefix));
  expect(line, `no line starting ${prefix} in:\n${output}`).toBeDefined();
  const args = line!.slice(prefix.length).trim().split(' ');
  expect(args.slice(0, 1)).toEqual(['serverless']);
  const stage = args.indexOf('--stage');
  expect(args[stage + 1]).toBe('test');
  return args.slice(1).filter((_, i) => i + 1 !== stage && i + 1 !== stage + 1);
}

/** A user error as the framework shows it: the message, a non-zero exit, no stack trace, no secret. */
function expectUserError(run: CycleRun, message: string): void {
  expect(run.code, run.output).toBe(1);
  expect(run.output).toContain(message);
  expect(run.output).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  expectNoSecret(run);
}

function expectNoSecret(run: CycleRun): void {
  expect(run.output).not.toContain(SECRET_ACCESS_KEY);
  expect(run.output).not.toContain(APP_TOKEN);
}

const stackCall = (cli: CliName): RecordedCall => ({
  service: 'CloudFormation',
  command: 'DescribeStacks',
  input: { StackName: STACK },
  // serverless v3 reads the stack through its own SDK v2 provider; osls 4 has only SDK v3.
  sdk: cli === 'serverless3' ? 'v2' : 'v3',
});

describe.each(CLI_NAMES)('the ions cycle through %s', (cli) => {
  let sha: string;
  let firstPush: CycleRun;
  let deployRun: CycleRun;

  it('push names the clean tree by its commit, uploads the manifest and the chunks, and registers the bundle', async () => {
    sha = await service(cli).head();
    firstPush = await service(cli).run(['ions', 'push'], { rules: [stackOutputs, registerRevision] });
    const { code, output, puts } = firstPush;
    expect(code, output).toBe(0);
    expect(output).toContain(`Revision ${sha} (5 app files, 1 dependency packages)`);
    expect(output).toMatch(/Uploaded 7 chunk\(s\), \d+ bytes \(\d+ of dependencies, [1-9]\d+ of the node runtime\); skipped 0 already stored, 0 bytes/);
    expect(output).toContain('Groups: primary, reports');
    expectNoSecret(firstPush);

    const manifestKey = `ions/cycle/revisions/${sha}/manifest.json`;
    const bundleKey = `ions/cycle/revisions/${sha}/codedeploy.zip`;
    const chunks = puts.filter((key) => CHUNK_KEY.test(key));
    expect(chunks).toHaveLength(7);
    expect(puts).toEqual([...chunks, bundleKey, manifestKey].sort());
    const manifest = JSON.parse(await service(cli).readObject(manifestKey));
    expect(manifest).toMatchObject({ app: 'cycle', revision: sha, commit: sha });
    expect(manifest.packages.map((p: { name: string; version: string }) => `${p.name}@${p.version}`)).toEqual(['ms@2.1.3']);
    const referenced = [...manifest.files, ...manifest.packages, manifest.runtime].map((chunk: { sha256: string }) => `ions/chunks/${chunk.sha256}`);
    expect(new Set(referenced)).toEqual(new Set(chunks));

    expect(firstPush.calls).toEqual([
      stackCall(cli),
      {
        service: 'CodeDeploy',
        command: 'RegisterApplicationRevision',
        input: {
          applicationName: APPLICATION,
          description: `ions cycle ${sha}`,
          revision: { revisionType: 'S3', s3Location: { bucket: CODE_BUCKET, key: bundleKey, eTag: expect.stringMatching(/^"[0-9a-f]{32}"$/), bundleType: 'zip' } },
        },
        sdk: 'v3',
      },
    ]);
  }, CASE_TIMEOUT_MS);

  it('a second push of the same revision uploads no chunk', async () => {
    const keysBefore = await service(cli).bucketKeys();
    const again = await service(cli).run(['ions', 'push'], { rules: [stackOutputs, registerRevision] });
    expect(again.code, again.output).toBe(0);
    const skippedBytes = /Uploaded 7 chunk\(s\), (\d+) bytes/.exec(firstPush.output)![1];
    expect(again.output).toContain(`Uploaded 0 chunk(s), 0 bytes (0 of dependencies, 0 of the node runtime); skipped 7 already stored, ${skippedBytes} bytes`);
    // The manifest and the bundle are rewritten with the same content; no chunk is written.
    expect(again.puts).toEqual([`ions/cycle/revisions/${sha}/codedeploy.zip`, `ions/cycle/revisions/${sha}/manifest.json`]);
    expect(await service(cli).bucketKeys()).toEqual(keysBefore);
    expect(commandsOf(again)).toEqual(['CloudFormation.DescribeStacks', 'CodeDeploy.RegisterApplicationRevision']);
  }, CASE_TIMEOUT_MS);

  it("push signs with the stage's own credentials over the general ones, as the framework does", async () => {
    // The CLIs run with --stage test; s3rver refuses the general key the offline environment sets.
    const stageOwn = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_TEST_ACCESS_KEY_ID: 'S3RVER', AWS_TEST_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY };
    const run = await service(cli).run(['ions', 'push'], { rules: [stackOutputs, registerRevision] }, stageOwn);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`Revision ${sha}`);
    expectNoSecret(run);
  }, CASE_TIMEOUT_MS);

  it('deploy, as push printed it, starts a one-at-a-time deployment and updates only the proxy that differs', async () => {
    const command = printedCommand(firstPush.output, 'Deploy: ');
    expect(command).toEqual(['ions', 'deploy', '--group', 'primary', '--rev', sha]);
    const run = (deployRun = await service(cli).run(command, { rules: deployRules({ ...inLine, [WEB]: { ...inLine[WEB], Timeout: 6 } }) }));
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(
      [
        `Deploying ${sha} to primary: CodeDeploy deployment d-CYCLE0001, one node at a time`,
        `Proxy Lambdas: ${WEB} (Timeout)`,
        'Status: serverless ions status --stage test --group primary',
      ].join('\n'),
    );
    expectNoSecret(run);
    expect(calls(run)).toEqual([
      { service: 'CloudFormation', command: 'DescribeStacks', input: { StackName: STACK } },
      { service: 'CodeDeploy', command: 'ListDeploymentGroups', input: { applicationName: APPLICATION } },
      {
        service: 'CodeDeploy',
        command: 'CreateDeployment',
        input: {
          applicationName: APPLICATION,
          deploymentGroupName: 'primary',
          description: `ions cycle ${sha} to primary`,
          revision: { revisionType: 'S3', s3Location: { bucket: CODE_BUCKET, key: `ions/cycle/revisions/${sha}/codedeploy.zip`, bundleType: 'zip' } },
          deploymentConfigName: 'CodeDeployDefault.OneAtATime',
          autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
          fileExistsBehavior: 'OVERWRITE',
        },
      },
      { service: 'Lambda', command: 'GetFunctionConfiguration', input: { FunctionName: WEB } },
      { service: 'Lambda', command: 'UpdateFunctionConfiguration', input: { FunctionName: WEB, Timeout: 10 } },
      { service: 'Lambda', command: 'GetFunctionConfiguration', input: { FunctionName: TICK } },
    ]);
  }, CASE_TIMEOUT_MS);

  it('status, as deploy printed it, shows the nodes and the Lambdas of the latest deployment', async () => {
    const rules: ScenarioRule[] = [
      stackOutputs,
      { service: 'CodeDeploy', command: 'ListDeployments', input: { applicationName: APPLICATION, deploymentGroupName: 'primary' }, resolves: { deployments: ['d-OLD', 'd-CYCLE0001'] } },
      {
        service: 'CodeDeploy',
        command: 'BatchGetDeployments',
        input: { deploymentIds: ['d-OLD', 'd-CYCLE0001'] },
        resolves: {
          deploymentsInfo: [
            { deploymentId: 'd-CYCLE0001', status: 'InProgress', createTime: '2026-11-21T08:00:00.000Z', description: `ions cycle ${sha} to primary` },
            { deploymentId: 'd-OLD', status: 'Succeeded', createTime: '2026-11-20T08:00:00.000Z' },
          ],
        },
      },
      { service: 'CodeDeploy', command: 'ListDeploymentTargets', input: { deploymentId: 'd-CYCLE0001' }, resolves: { targetIds: ['i-0a', 'i-0b'] } },
      {
        service: 'CodeDeploy',
        command: 'BatchGetDeploymentTargets',
        input: { deploymentId: 'd-CYCLE0001', targetIds: ['i-0a', 'i-0b'] },
        resolves: {
          deploymentTargets: [
            { instanceTarget: { targetId: 'i-0a', status: 'Succeeded', lifecycleEvents: [{ lifecycleEventName: 'ValidateService', status: 'Succeeded' }] } },
            {
              instanceTarget: {
                targetId: 'i-0b',
                status: 'InProgress',
                lifecycleEvents: [
                  { lifecycleEventName: 'BeforeInstall', status: 'Succeeded' },
                  { lifecycleEventName: 'AfterInstall', status: 'InProgress' },
                ],
              },
            },
          ],
        },
      },
      { service: 'Lambda', command: 'GetFunctionConfiguration', input: { FunctionName: WEB }, resolves: { State: 'Active', LastUpdateStatus: 'InProgress' } },
      { service: 'Lambda', command: 'GetFunctionConfiguration', input: { FunctionName: TICK }, resolves: { State: 'Active', LastUpdateStatus: 'Successful' } },
    ];
    const command = printedCommand(deployRun.output, 'Status: ');
    expect(command).toEqual(['ions', 'status', '--group', 'primary']);
    const status = await service(cli).run(command, { rules });
    expect(status.code, status.output).toBe(0);
    expect(status.output).toContain(
      [
        `Group primary: deployment d-CYCLE0001 InProgress - ions cycle ${sha} to primary`,
        'Code:',
        '  i-0a: Succeeded',
        '  i-0b: InProgress (AfterInstall InProgress)',
        'Lambdas:',
        `  ${WEB}: Active, last update InProgress`,
        `  ${TICK}: Active, last update Successful`,
      ].join('\n'),
    );
    expectNoSecret(status);
    expect(commandsOf(status)).toEqual([
      'CloudFormation.DescribeStacks',
      'CodeDeploy.ListDeployments',
      'CodeDeploy.BatchGetDeployments',
      'CodeDeploy.ListDeploymentTargets',
      'CodeDeploy.BatchGetDeploymentTargets',
      'Lambda.GetFunctionConfiguration',
      'Lambda.GetFunctionConfiguration',
    ]);
  }, CASE_TIMEOUT_MS);
});

describe('refusals, unreproducible revisions and failures through serverless3', () => {
  const cli: CliName = 'serverless3';

  it('push refuses a dirty tree with the reason and a non-zero exit; with --uname it pushes unreproducible-NAME', async () => {
    await service(cli).write('src/scratch.js', 'export const scratch = 1;\n');
    const refused = await service(cli).run(['ions', 'push'], { rules: [stackOutputs, registerRevision] });
    expectUserError(
      refused,
      'cannot name a revision by its commit: the git tree has 1 uncommitted change(s) (src/scratch.js). Commit first, or push with --uname NAME for an unreproducible-NAME revision',
    );
    expect(refused.puts).toEqual([]);
    expect(commandsOf(refused)).toEqual([]);

    const pushed = await service(cli).run(['ions', 'push', '--uname', 'scratch-1'], { rules: [stackOutputs, registerRevision] });
    expect(pushed.code, pushed.output).toBe(0);
    expect(pushed.output).toContain('Revision unreproducible-scratch-1 (5 app files, 1 dependency packages)');
    // Only ions.json differs from the commit's revision: it names the revision; src/scratch.js is imported by no ion.
    expect(pushed.output).toMatch(/Uploaded 1 chunk\(s\), \d+ bytes \(0 of dependencies, 0 of the node runtime\); skipped 6 already stored/);
    expect(pushed.output).toContain('Deploy: serverless ions deploy --stage test --group reports --uname scratch-1');
    const manifest = JSON.parse(await service(cli).readObject('ions/cycle/revisions/unreproducible-scratch-1/manifest.json'));
    expect(manifest.revision).toBe('unreproducible-scratch-1');
    expect(manifest.commit).toBeUndefined();
    expect(pushed.calls[1]!.input).toMatchObject({ applicationName: APPLICATION, description: 'ions cycle unreproducible-scratch-1' });
    await service(cli).commit('scratch');
  }, CASE_TIMEOUT_MS);

  it('deploy sends a proxy its whole environment back when the integration differs, and prints none of it', async () => {
    const command = ['ions', 'deploy', '--group', 'reports', '--uname', 'scratch-1'];
    const run = await service(cli).run(command, { rules: deployRules({ [REPORT]: { ...inLine[REPORT], Environment: proxyEnv('api-gateway') } }) });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`Deploying unreproducible-scratch-1 to reports: CodeDeploy deployment d-CYCLE0001, one node at a time\nProxy Lambdas: ${REPORT} (Environment.IONS_INTEGRATION)`);
    expectNoSecret(run);
    expect(calls(run).filter((call) => call.service !== 'CloudFormation').map((call) => [call.command, call.input])).toEqual([
      ['ListDeploymentGroups', { applicationName: APPLICATION }],
      ['CreateDeployment', expect.objectContaining({ deploymentGroupName: 'reports', description: 'ions cycle unreproducible-scratch-1 to reports' })],
      ['GetFunctionConfiguration', { FunctionName: REPORT }],
      ['UpdateFunctionConfiguration', { FunctionName: REPORT, Environment: { Variables: { IONS_INTEGRATION: 'event', IONS_TARGET: 'x', APP_TOKEN } } }],
    ]);
  }, CASE_TIMEOUT_MS);

  it('deploy calls no Lambda update when every proxy already matches', async () => {
    const sha = await service(cli).head();
    const pushed = await service(cli).run(['ions', 'push'], { rules: [stackOutputs, registerRevision] });
    expect(pushed.code, pushed.output).toBe(0);
    const run = await service(cli).run(['ions', 'deploy', '--group', 'primary', '--rev', sha], { rules: deployRules(inLine) });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('Proxy Lambdas: unchanged');
    expect(commandsOf(run)).toEqual([
      'CloudFormation.DescribeStacks',
      'CodeDeploy.ListDeploymentGroups',
      'CodeDeploy.CreateDeployment',
      'Lambda.GetFunctionConfiguration',
      'Lambda.GetFunctionConfiguration',
    ]);
  }, CASE_TIMEOUT_MS);

  it.each([
    [['ions', 'deploy', '--rev', 'abc'], 'Serverless command "ions deploy" requires "--group" option'],
    [['ions', 'deploy', '--group', 'primary'], 'ions deploy needs exactly one of --rev SHA or --uname NAME'],
    [['ions', 'status', '--group', 'nightly'], 'no group nightly: groups are primary, reports'],
  ])('%j is a usage error, answered before any AWS call', async (args, message) => {
    const run = await service(cli).run(args, { rules: [] });
    expectUserError(run, message);
    expect(run.calls).toEqual([]);
  }, CASE_TIMEOUT_MS);

  it('deploy names the valid groups for an unknown one, and says when a revision was never pushed', async () => {
    const sha = await service(cli).head();
    const unknownGroup = await service(cli).run(['ions', 'deploy', '--group', 'nightly', '--rev', sha], { rules: deployRules({}) });
    expectUserError(unknownGroup, `group nightly does not run cycle revision ${sha}: valid groups are primary, reports`);
    expect(commandsOf(unknownGroup)).toEqual(['CloudFormation.DescribeStacks', 'CodeDeploy.ListDeploymentGroups']);

    const never = '0'.repeat(40);
    const notPushed = await service(cli).run(['ions', 'deploy', '--group', 'primary', '--rev', never], { rules: deployRules({}) });
    expectUserError(
      notPushed,
      `revision ${never} of cycle was never pushed (no s3://${CODE_BUCKET}/ions/cycle/revisions/${never}/manifest.json); run serverless ions push first`,
    );
    expect(commandsOf(notPushed)).toEqual(['CloudFormation.DescribeStacks']);
  }, CASE_TIMEOUT_MS);

  it('status reports every group, and exits non-zero when a deployment failed and rolled back', async () => {
    const group = (name: string, deployment: Record<string, unknown>, targets: Array<Record<string, unknown>>): ScenarioRule[] => [
      { service: 'CodeDeploy', command: 'ListDeployments', input: { deploymentGroupName: name }, resolves: { deployments: [deployment.deploymentId] } },
      { service: 'CodeDeploy', command: 'BatchGetDeployments', input: { deploymentIds: [deployment.deploymentId] }, resolves: { deploymentsInfo: [deployment] } },
      { service: 'CodeDeploy', command: 'ListDeploymentTargets', input: { deploymentId: deployment.deploymentId }, resolves: { targetIds: targets.map((t) => t.targetId) } },
      {
        service: 'CodeDeploy',
        command: 'BatchGetDeploymentTargets',
        input: { deploymentId: deployment.deploymentId },
        resolves: { deploymentTargets: targets.map((instanceTarget) => ({ instanceTarget })) },
      },
    ];
    const rules: ScenarioRule[] = [
      stackOutputs,
      ...group('primary', { deploymentId: 'd-P', status: 'Succeeded', createTime: '2026-11-21T08:00:00.000Z' }, [{ targetId: 'i-0a', status: 'Succeeded' }]),
      ...group(
        'reports',
        {
          deploymentId: 'd-R',
          status: 'Failed',
          createTime: '2026-11-21T08:05:00.000Z',
          errorInformation: { code: 'HEALTH_CONSTRAINTS', message: 'The overall deployment failed because too many individual instances failed deployment' },
          rollbackInfo: { rollbackDeploymentId: 'd-RB' },
        },
        [{ targetId: 'i-0c', status: 'Failed', lifecycleEvents: [{ lifecycleEventName: 'ValidateService', status: 'Failed' }] }],
      ),
      { service: 'Lambda', command: 'GetFunctionConfiguration', resolves: { State: 'Active', LastUpdateStatus: 'Successful' } },
    ];
    const run = await service(cli).run(['ions', 'status'], { rules });
    expectUserError(run, 'ions deployment failed: reports (deployment d-R Failed)');
    expect(run.output).toContain(['Group primary: deployment d-P Succeeded', 'Code:', '  i-0a: Succeeded', 'Lambdas:', `  ${WEB}: Active, last update Successful`].join('\n'));
    expect(run.output).toContain(
      [
        'Group reports: deployment d-R Failed (rolled back)',
        '  error: The overall deployment failed because too many individual instances failed deployment',
        'Code:',
        '  i-0c: Failed (ValidateService Failed)',
        'Lambdas:',
        `  ${REPORT}: Active, last update Successful`,
      ].join('\n'),
    );
  }, CASE_TIMEOUT_MS);

  it('push says what is wrong with the stack: not deployed, or deployed without this plugin', async () => {
    const missing = await service(cli).run(['ions', 'push'], {
      rules: [{ ...stackOutputs, resolves: undefined, rejects: { name: 'ValidationError', message: `Stack with id ${STACK} does not exist`, httpStatusCode: 400 } }],
    });
    expectUserError(missing, `cannot read stack ${STACK} (Stack with id ${STACK} does not exist); run serverless deploy first`);
    const bare = await service(cli).run(['ions', 'push'], { rules: [{ ...stackOutputs, resolves: { Stacks: [{ StackName: STACK, Outputs: [] }] } }] });
    expectUserError(bare, `stack ${STACK} has no output IonsCodeBucket: deploy the stack with this plugin first (serverless deploy)`);
    expect(bare.puts).toEqual([]);
  }, CASE_TIMEOUT_MS);
});
