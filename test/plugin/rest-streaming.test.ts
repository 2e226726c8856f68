// `serverless package` with the real CLIs, serverless v3 and osls, on a service whose web ions stream
// through REST http events: the compiled methods stream (ResponseTransferMode STREAM on the
// InvokeWithResponseStream URI, the function's timeout), API Gateway keeps its grant to invoke, the
// buffered ion stays as it was, and the template passes the offline CloudFormation check.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTemplate } from './cfn-check.js';
import { buildPluginPackage, removePluginPackage } from './support/plugin-package.js';
import { readTemplate, runCli, serviceCopy, type CliName, type CliRun } from './support/run-cli.js';

const CLI_NAMES: CliName[] = ['serverless3', 'osls'];
const runs = new Map<CliName, CliRun>();

beforeAll(async () => {
  await buildPluginPackage();
  // Both at once: one each for the machine's two cores.
  await Promise.all(CLI_NAMES.map(async (cli) => runs.set(cli, await runCli(cli, await serviceCopy('rest-streaming'), ['package']))));
}, 120_000);

afterAll(async () => {
  await Promise.all([...runs.values()].map((run) => rm(run.dir, { recursive: true, force: true })));
  await removePluginPackage();
});

const functionIdOf = (template: any, target: string): string =>
  Object.entries(template.Resources).find(([, r]: [string, any]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.IONS_TARGET === target)![0];

/** The REST methods whose integration invokes `functionId`, by logical id. */
const methodsOf = (template: any, functionId: string): Array<[string, any]> =>
  Object.entries(template.Resources).filter(
    ([, r]: [string, any]) => r.Type === 'AWS::ApiGateway::Method' && JSON.stringify(r.Properties.Integration.Uri ?? '').includes(`"${functionId}"`),
  ) as Array<[string, any]>;

const integrationUri = (functionId: string, date: string, action: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:', { Ref: 'AWS::Region' }, `:lambda:path/${date}/functions/`, { 'Fn::GetAtt': [functionId, 'Arn'] }, action]],
});

describe.each(CLI_NAMES)('serverless package with %s', (cli) => {
  it('streams every REST method of a streaming ion, on the InvokeWithResponseStream URI with the function timeout', async () => {
    const { code, output, dir } = runs.get(cli)!;
    expect(code, output).toBe(0);
    expect(output).toContain('ions: REST methods streaming: feed (2), live (1)');
    expect(output).not.toMatch(/Configuration warning/);
    const template = await readTemplate(dir);
    expect(checkTemplate(template)).toEqual([]);
    for (const [target, methods, timeoutMs] of [
      ['feed', ['GET', 'POST'], 120_000],
      // No timeout of its own: the framework's default of 6 s, which the stream cannot outlast.
      ['live', ['GET'], 6_000],
    ] as const) {
      const fn = functionIdOf(template, target);
      const compiled = methodsOf(template, fn);
      expect(compiled.map(([, m]) => m.Properties.HttpMethod).sort()).toEqual(methods);
      for (const [, method] of compiled) {
        expect(method.Properties.Integration).toEqual({
          IntegrationHttpMethod: 'POST',
          Type: 'AWS_PROXY',
          Uri: integrationUri(fn, '2021-11-15', '/response-streaming-invocations'),
          ResponseTransferMode: 'STREAM',
          TimeoutInMillis: timeoutMs,
        });
      }
    }
  });

  it('leaves the buffered ion, the CORS preflight and the function URL as the framework compiled them', async () => {
    const template = await readTemplate(runs.get(cli)!.dir);
    const page = functionIdOf(template, 'page');
    const [[, pageMethod]] = methodsOf(template, page) as [[string, any]];
    expect(pageMethod.Properties.Integration.Uri).toEqual(integrationUri(page, '2015-03-31', '/invocations'));
    expect(pageMethod.Properties.Integration.ResponseTransferMode).toBeUndefined();
    expect(pageMethod.Properties.Integration.TimeoutInMillis).toBeUndefined();
    const preflights = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'OPTIONS');
    expect(preflights.map((r: any) => r.Properties.Integration)).toEqual([expect.objectContaining({ Type: 'MOCK' })]);
    expect(preflights.map((r: any) => r.Properties.Integration.ResponseTransferMode)).toEqual([undefined]);
    const live = functionIdOf(template, 'live');
    const url = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::Lambda::Url' && r.Properties.TargetFunctionArn['Fn::GetAtt'][0] === live) as any;
    expect(url.Properties).toMatchObject({ AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' });
  });

  it('keeps the grant that lets API Gateway invoke each streaming ion (InvokeWithResponseStream needs lambda:InvokeFunction)', async () => {
    const template = await readTemplate(runs.get(cli)!.dir);
    for (const target of ['feed', 'live']) {
      const fn = functionIdOf(template, target);
      const grants = Object.values(template.Resources).filter(
        (r: any) => r.Type === 'AWS::Lambda::Permission' && r.Properties.FunctionName['Fn::GetAtt']?.[0] === fn && r.Properties.Principal === 'apigateway.amazonaws.com',
      ) as any[];
      expect(grants).toHaveLength(1);
      expect(grants[0].Properties.Action).toBe('lambda:InvokeFunction');
      expect(JSON.stringify(grants[0].Properties.SourceArn)).toContain('"ApiGatewayRestApi"');
    }
  });
});
