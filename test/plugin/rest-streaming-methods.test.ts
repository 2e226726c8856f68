// streamRestMethods on compiled templates shaped as the frameworks compile `http` events: what it
// rewrites, what it keeps, and the errors it stops on. The CLIs themselves run in rest-streaming.test.ts.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import { validateIonsConfig } from '../../runtime/config/validate.js';
import { buildModel, type IonsModel } from '../../plugin/model.js';
import { streamRestMethods } from '../../plugin/rest-streaming.js';
import type { AwsNaming } from '../../plugin/serverless-api.js';

const serviceDir = fileURLToPath(new URL('./fixtures/rest-streaming/', import.meta.url));
// The framework's own naming module: the ids below are the ones serverless v3 gives.
const naming = createRequire(import.meta.url)('serverless/lib/plugins/aws/lib/naming.js') as Pick<AwsNaming, 'getLambdaLogicalId'>;

function model(lambdas: IonsConfig['lambdas']): IonsModel {
  const config = { app: 'tickers', groups: { main: { topology: 'solo' as const } }, lambdas };
  return buildModel(validateIonsConfig(config, { serviceDir, service: 'tickers', stage: 'test' }), 'tickers', 'test');
}

const streaming = model({ feed: { fn: 'src/web.feed', integration: 'api-gateway', streaming: true, events: [{ http: 'GET feed' }] } });
const feedId = naming.getLambdaLogicalId(streaming.proxies[0]!.key);

/** An integration URI as both frameworks write it, for the buffered call or the streaming one. */
const uri = (functionId: string, date: string, action: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:', { Ref: 'AWS::Region' }, `:lambda:path/${date}/functions/`, { 'Fn::GetAtt': [functionId, 'Arn'] }, action]],
});
const buffered = (functionId: string) => uri(functionId, '2015-03-31', '/invocations');
const streamed = (functionId: string) => uri(functionId, '2021-11-15', '/response-streaming-invocations');

function compiled(integration: Record<string, unknown>, timeout = 30): Record<string, any> {
  return {
    [feedId]: { Type: 'AWS::Lambda::Function', Properties: { Timeout: timeout } },
    ApiGatewayMethodFeedGet: {
      Type: 'AWS::ApiGateway::Method',
      Properties: { HttpMethod: 'GET', Integration: { IntegrationHttpMethod: 'POST', Type: 'AWS_PROXY', Uri: buffered(feedId), ...integration } },
    },
  };
}

describe('streamRestMethods', () => {
  it("turns a streaming ion's method to STREAM on the InvokeWithResponseStream URI, with the function's timeout", () => {
    const resources = compiled({});
    expect(streamRestMethods(streaming, resources, naming)).toEqual([{ lambda: 'feed', methodId: 'ApiGatewayMethodFeedGet' }]);
    expect(resources.ApiGatewayMethodFeedGet.Properties.Integration).toEqual({
      IntegrationHttpMethod: 'POST',
      Type: 'AWS_PROXY',
      Uri: streamed(feedId),
      ResponseTransferMode: 'STREAM',
      TimeoutInMillis: 30_000,
    });
  });

  it('keeps a method osls compiled for streaming already, and an integration timeout the event set', () => {
    const resources = compiled({ Uri: streamed(feedId), ResponseTransferMode: 'STREAM', TimeoutInMillis: 5_000 });
    streamRestMethods(streaming, resources, naming);
    expect(resources.ApiGatewayMethodFeedGet.Properties.Integration).toMatchObject({ Uri: streamed(feedId), ResponseTransferMode: 'STREAM', TimeoutInMillis: 5_000 });
  });

  it('keeps the alias the framework puts between the function and the action', () => {
    const resources = compiled({});
    const parts = resources.ApiGatewayMethodFeedGet.Properties.Integration.Uri['Fn::Join'][1];
    parts.splice(parts.length - 1, 0, ':', 'provisioned');
    streamRestMethods(streaming, resources, naming);
    expect(resources.ApiGatewayMethodFeedGet.Properties.Integration.Uri['Fn::Join'][1].slice(-4)).toEqual([
      { 'Fn::GetAtt': [feedId, 'Arn'] },
      ':',
      'provisioned',
      '/response-streaming-invocations',
    ]);
  });

  it('leaves the methods of ions that do not stream as the framework wrote them', () => {
    const buffering = model({ feed: { fn: 'src/web.feed', integration: 'api-gateway', events: [{ http: 'GET feed' }] } });
    const resources = compiled({});
    const before = structuredClone(resources);
    expect(streamRestMethods(buffering, resources, naming)).toEqual([]);
    expect(resources).toEqual(before);
  });

  it.each([
    [
      'a method missing for an http event',
      (resources: Record<string, any>) => delete resources.ApiGatewayMethodFeedGet,
      `ions: feed has 1 http event(s) but the framework compiled 0 REST method(s) invoking ${feedId}; cannot turn them to response streaming`,
    ],
    [
      'a non-proxy integration',
      (resources: Record<string, any>) => (resources.ApiGatewayMethodFeedGet.Properties.Integration.Type = 'AWS'),
      'ions: ApiGatewayMethodFeedGet reaches its streaming ion through a AWS integration; REST APIs stream only through AWS_PROXY',
    ],
    [
      'an integration URI of an unknown shape',
      (resources: Record<string, any>) => (resources.ApiGatewayMethodFeedGet.Properties.Integration.Uri = uri(feedId, '2030-01-01', '/invocations')),
      `ions: ApiGatewayMethodFeedGet has an integration URI of a shape this plugin does not know (${JSON.stringify(uri(feedId, '2030-01-01', '/invocations'))}); cannot turn it to response streaming`,
    ],
    [
      'a function compiled without a timeout',
      (resources: Record<string, any>) => delete resources[feedId].Properties.Timeout,
      `ions: the framework compiled ${feedId} without a numeric Timeout`,
    ],
  ])('stops on %s', (_name, breakIt, message) => {
    const resources = compiled({});
    breakIt(resources);
    expect(() => streamRestMethods(streaming, resources, naming)).toThrow(message);
  });
});
