// `serverless package` with the real CLIs, serverless v3 and osls, on fixture services.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTemplate } from './cfn-check.js';
import { iamStatements, overlyBroadGrants } from './support/iam.js';
import { buildPluginPackage, removePluginPackage } from './support/plugin-package.js';
import { readTemplate, runCli, serviceCopy, startCli, type CliName, type CliRun } from './support/run-cli.js';

const CLI_NAMES: CliName[] = ['serverless3', 'osls'];
const FIXTURES = ['solo-web', 'production-query', 'missing-module', 'function-clash'] as const;
type Fixture = (typeof FIXTURES)[number];

const runs = new Map<string, CliRun>();
const run = (cli: CliName, fixture: Fixture): CliRun => runs.get(`${cli}/${fixture}`)!;

beforeAll(async () => {
  await buildPluginPackage();
  const jobs = CLI_NAMES.flatMap((cli) => FIXTURES.map((fixture) => [cli, fixture] as const));
  // Two at a time: the machine has two cores.
  const worker = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const [cli, fixture] = job;
      runs.set(`${cli}/${fixture}`, await runCli(cli, await serviceCopy(fixture), ['package']));
    }
  };
  await Promise.all([worker(), worker()]);
}, 180_000);

afterAll(async () => {
  await Promise.all([...runs.values()].map((r) => rm(r.dir, { recursive: true, force: true })));
  await removePluginPackage();
});

const lambdaFunctions = (template: any): Array<[string, any]> =>
  Object.entries(template.Resources).filter(([, r]: [string, any]) => r.Type === 'AWS::Lambda::Function') as Array<[string, any]>;

const ionsProxies = (template: any) => lambdaFunctions(template).filter(([, r]) => r.Properties.Environment?.Variables?.IONS_TARGET);

const functionIdOf = (template: any, target: string): string => ionsProxies(template).find(([, r]) => r.Properties.Environment.Variables.IONS_TARGET === target)![0];

/** Resources of `type` whose properties mention the function's logical id. */
const wiredTo = (template: any, type: string, functionId: string) =>
  Object.values(template.Resources).filter((r: any) => r.Type === type && JSON.stringify(r.Properties ?? {}).includes(`"${functionId}"`));

const ionsIds = (template: any) => Object.keys(template.Resources).filter((id) => id.startsWith('Ions')).sort();

describe.each(CLI_NAMES)('serverless package with %s', (cli) => {
  it('packages the solo fixture: every resource, events attached, logs through the framework', async () => {
    const { code, output, dir } = run(cli, 'solo-web');
    expect(output, output).toContain('ions: proxy bundle');
    expect(code).toBe(0);
    expect(output).toMatch(/ions: proxy bundle \d+ bytes, one artifact for 2 proxy Lambda\(s\)/);
    expect(output).toMatch(/ions: signup on main \(solo, 1-1 nodes\); \d+ resources/);
    const template = await readTemplate(dir);
    expect(checkTemplate(template)).toEqual([]);
    for (const id of [
      'IonsVpc', 'IonsPrivateSubnetA', 'IonsPrivateSubnetB', 'IonsProxySecurityGroup', 'IonsMainNodeSecurityGroup', 'IonsMainNlbSecurityGroup',
      'IonsMainLaunchTemplate', 'IonsMainAsg', 'IonsMainNlb', 'IonsMainTargetGroup', 'IonsMainListener', 'IonsCodeDeployApplication',
      'IonsMainDeploymentGroup', 'IonsCodeBucket', 'IonsLogTable', 'IonsSegmentsBucket', 'IonsMainEndpointParameter', 'IonsConfigParameter',
      'IonsSecret', 'IonsKey', 'IonsLogGroup', 'IonsDashboard', 'IonsAlertAlarm', 'IonsAlertMetricFilter',
      'IonsHttpDirectApi', 'IonsHttpDirectVpcLink', 'IonsHttpDirectIntegration',
    ]) {
      expect(template.Resources[id], id).toBeDefined();
    }
    expect(template.Resources.IonsMainAsg.Properties).toMatchObject({ MinSize: '1', MaxSize: '1' });
    // Every function the plugin generates runs on a runtime Lambda still creates functions on.
    const generated = lambdaFunctions(template).filter(([id, r]) => id === 'IonsSecretFunction' || r.Properties.Environment?.Variables?.IONS_TARGET);
    expect(generated.map(([, r]) => r.Properties.Runtime)).toEqual(new Array(3).fill('nodejs22.x'));
    expect(output).not.toMatch(/Configuration warning/);
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(['IonsMainEndpoint', 'IonsGroups', 'IonsCodeBucket', 'IonsHttpDirectUrl']));

    const web = functionIdOf(template, 'web');
    const importer = functionIdOf(template, 'importer');
    expect(template.Resources[web].Properties.FunctionName).toBe('signup-test-main-web');
    expect(template.Resources[web].DependsOn).toContain('IonsSecret');
    expect(wiredTo(template, 'AWS::ApiGatewayV2::Integration', web)).toHaveLength(1);
    const routes = (api: string) =>
      Object.values(template.Resources)
        .filter((r: any) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.ApiId.Ref === api)
        .map((r: any) => r.Properties.RouteKey)
        .sort();
    expect(routes('HttpApi')).toEqual(['GET /', 'POST /signups']);
    expect(routes('IonsHttpDirectApi')).toEqual(['$default']);
    expect(wiredTo(template, 'AWS::ApiGateway::Method', web)).toHaveLength(1);
    expect(wiredTo(template, 'AWS::Lambda::EventSourceMapping', importer)).toEqual([
      expect.objectContaining({ Properties: expect.objectContaining({ EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:signup-queue', BatchSize: 10 }) }),
    ]);
    expect(wiredTo(template, 'AWS::Events::Rule', importer)).toHaveLength(1);
    expect(wiredTo(template, 'AWS::S3::Bucket', importer)).toHaveLength(1);
  });

  it('packages the production fixture: query group, user VPC, SNS, EventBridge, stream and ALB events, a hashed long name', async () => {
    const { code, output, dir } = run(cli, 'production-query');
    expect(code, output).toBe(0);
    const template = await readTemplate(dir);
    expect(checkTemplate(template)).toEqual([]);
    expect(template.Resources.IonsVpc).toBeUndefined();
    for (const id of ['IonsPrimaryAsg', 'IonsPrimaryScalingPolicy', 'IonsReportsAsg', 'IonsReportsNlb', 'IonsReportsDeploymentGroup']) {
      expect(template.Resources[id], id).toBeDefined();
    }
    const onPayment = functionIdOf(template, 'on-payment');
    expect(wiredTo(template, 'AWS::SNS::Subscription', onPayment)).toHaveLength(1);
    expect(wiredTo(template, 'AWS::Events::Rule', onPayment)).toHaveLength(1);
    expect(wiredTo(template, 'AWS::Lambda::EventSourceMapping', onPayment)).toHaveLength(1);
    const page = functionIdOf(template, 'report_page');
    expect(template.Resources[page].Properties.Environment.Variables).toMatchObject({ IONS_GROUP: 'reports', IONS_INTEGRATION: 'api-gateway' });
    expect(Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')).toHaveLength(1);
    const long = functionIdOf(template, 'a-lambda-name-long-enough-to-push-the-function-name-past-64');
    expect(template.Resources[long].Properties.FunctionName).toMatch(/^ledger-test-primary-a-lambda-name-long-enough-t-[0-9a-f]{16}$/);
    // The service's own function is packaged the usual way, next to the proxies.
    expect(template.Resources.PlainLambdaFunction.Properties.Code.S3Key).toMatch(/ledger\.zip$/);
  });

  it('gives web ions function URLs: streaming in RESPONSE_STREAM mode, public or IAM-signed as configured, each in the outputs', async () => {
    const { output, dir } = run(cli, 'production-query');
    expect(output).not.toMatch(/Configuration warning/);
    expect(output).toMatch(/ions: ledger on primary \(production, 2-6 nodes\), reports \(production, 2-4 nodes\); \d+ resources; function URLs: feed \(public, streaming\), files \(aws_iam\)/);
    const template = await readTemplate(dir);
    expect(checkTemplate(template)).toEqual([]);
    const [feed, files] = [functionIdOf(template, 'feed'), functionIdOf(template, 'files')];
    const urlOf = (fn: string) => {
      const urls = Object.entries(template.Resources).filter(([, r]: [string, any]) => r.Type === 'AWS::Lambda::Url' && r.Properties.TargetFunctionArn['Fn::GetAtt']?.[0] === fn);
      expect(urls).toHaveLength(1);
      return urls[0] as [string, any];
    };
    const [feedUrlId, feedUrl] = urlOf(feed);
    expect(feedUrl.Properties).toEqual({ AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM', TargetFunctionArn: { 'Fn::GetAtt': [feed, 'Arn'] } });
    expect(urlOf(files)[1].Properties).toEqual({ AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [files, 'Arn'] } });
    expect(template.Resources[feed].Properties.Environment.Variables.IONS_STREAMING).toBe('1');
    expect(template.Resources[files].Properties.Environment.Variables.IONS_STREAMING).toBeUndefined();
    // A public URL answers only with both grants (AWS, October 2025); an IAM-signed one needs none on the function.
    const grants = (fn: string) =>
      Object.values(template.Resources)
        .filter((r: any) => r.Type === 'AWS::Lambda::Permission' && r.Properties.FunctionName['Fn::GetAtt']?.[0] === fn)
        .map((r: any) => r.Properties);
    expect(grants(feed)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true }),
      ]),
    );
    expect(grants(feed)).toHaveLength(2);
    expect(grants(files)).toEqual([]);
    expect(template.Outputs[`${feed}Url`]).toMatchObject({ Description: 'Lambda Function URL', Value: { 'Fn::GetAtt': [feedUrlId, 'FunctionUrl'] } });
    expect(template.Outputs[`${files}Url`].Value).toEqual({ 'Fn::GetAtt': [urlOf(files)[0], 'FunctionUrl'] });
  });

  it('ships one artifact for every proxy and grants no * that IAM could scope', async () => {
    for (const fixture of ['solo-web', 'production-query'] as const) {
      const { dir } = run(cli, fixture);
      const template = await readTemplate(dir);
      const keys = new Set(ionsProxies(template).map(([, r]) => r.Properties.Code.S3Key));
      expect(keys.size).toBe(1);
      expect([...keys][0]).toMatch(/\/ions-proxy\.zip$/);
      expect(readdirSync(join(dir, '.serverless')).filter((file) => file.startsWith('ions'))).toEqual(['ions-proxy.zip']);
      expect(overlyBroadGrants(iamStatements(template.Resources))).toEqual([]);
    }
  });

  it.each([
    ['missing-module', 'ions.lambdas.signup.fn: module src/nope not found (looked for src/nope.ts, .mts, .js, .mjs)'],
    ['function-clash', 'ions.lambdas.web: its generated function ions-main-web is already defined under functions'],
  ] as const)('stops the broken %s fixture with the key path, before any template is written', (fixture, message) => {
    const { code, output, dir } = run(cli, fixture);
    expect(code).not.toBe(0);
    expect(output).toContain(message);
    expect(existsSync(join(dir, '.serverless/cloudformation-template-update-stack.json'))).toBe(false);
  });
});

describe('across runs and CLIs', () => {
  it('gives the same names and the same artifact bytes', async () => {
    for (const fixture of ['solo-web', 'production-query'] as const) {
      const [a, b] = await Promise.all(CLI_NAMES.map(async (cli) => readTemplate(run(cli, fixture).dir)));
      expect(ionsIds(a)).toEqual(ionsIds(b));
      const names = (t: any) => ionsProxies(t).map(([id, r]) => `${id}=${r.Properties.FunctionName}`).sort();
      expect(names(a)).toEqual(names(b));
      const digest = (cli: CliName) => createHash('sha256').update(readFileSync(join(run(cli, fixture).dir, '.serverless/ions-proxy.zip'))).digest('hex');
      expect(digest('serverless3')).toBe(digest('osls'));
    }
  });
});

describe('commands', () => {
  it('serverless ions invoke runs an event through the generated proxy against a local node (osls)', async () => {
    const { dir } = run('osls', 'solo-web');
    const event = { Records: [{ messageId: 'm-1', body: 'Ada Lovelace', eventSource: 'aws:sqs' }] };
    writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
    const invoked = await runCli('osls', dir, ['ions', 'invoke', '-f', 'importer', '--path', 'event.json']);
    expect(invoked.code, invoked.output).toBe(0);
    const printed = JSON.parse(invoked.output.slice(invoked.output.indexOf('{'), invoked.output.lastIndexOf('}') + 1));
    expect(printed).toEqual({ received: event });
  }, 60_000);

  it('serverless-offline reaches the node through the generated proxy (serverless v3)', async () => {
    const { dir } = run('serverless3', 'solo-web');
    const [httpPort, lambdaPort] = await Promise.all([freePort(), freePort()]);
    const offline = startCli('serverless3', dir, ['offline', 'start', '--host', '127.0.0.1', '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort)]);
    try {
      await offline.waitFor('Server ready');
      expect(offline.output()).toMatch(/ions: proxies forward to the local node at http:\/\/127\.0\.0\.1:\d+/);
      const answer = await fetch(`http://127.0.0.1:${httpPort}/signups`, { method: 'POST', body: 'x' });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe('hello /signups');
    } finally {
      await offline.stop();
    }
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
