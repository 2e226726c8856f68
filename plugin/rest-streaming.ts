// REST API methods of streaming ions. Serverless compiles each `http` event into an
// AWS::ApiGateway::Method whose Lambda proxy integration calls Invoke (the 2015-03-31 `/invocations`
// path) and buffers the answer. For a streaming ion every such method is turned to response streaming
// as AWS documents it ("Set up a Lambda proxy integration with payload response streaming in API
// Gateway"): ResponseTransferMode STREAM, and the URI of InvokeWithResponseStream
// (`2021-11-15/functions/<function arn>/response-streaming-invocations`). Only the two parts of the URI
// the framework wrote for the buffered call change; osls already writes the streaming ones for an event
// with `response.transferMode: stream`, and those are kept. InvokeWithResponseStream needs the same
// lambda:InvokeFunction grant as Invoke, which the framework gives API Gateway for every http event.
import type { IonsModel, ProxyModel } from './model.js';
import type { AwsNaming } from './serverless-api.js';

const BUFFERED = { path: ':lambda:path/2015-03-31/functions/', action: '/invocations' };
const STREAMING = { path: ':lambda:path/2021-11-15/functions/', action: '/response-streaming-invocations' };

interface Method {
  Type: string;
  Properties?: { Integration?: Record<string, unknown> };
}

export interface StreamedMethod {
  lambda: string;
  methodId: string;
}

/**
 * Turns the REST methods of every streaming ion to response streaming, in place, and answers which.
 * A method without its own integration timeout gets the proxy function's: the stream can last no
 * longer than the function, and REST's default of 29 s would cut it. (A streamed integration may run
 * up to 15 minutes, which is also the longest a Lambda function runs.)
 */
export function streamRestMethods(model: IonsModel, resources: Record<string, unknown>, naming: Pick<AwsNaming, 'getLambdaLogicalId'>): StreamedMethod[] {
  const streamed: StreamedMethod[] = [];
  for (const proxy of model.proxies) {
    const expected = restEventCount(proxy);
    if (expected === 0) continue;
    const functionId = naming.getLambdaLogicalId(proxy.key);
    const methods = Object.entries(resources).filter(([, resource]) => invokes(resource as Method, functionId)) as Array<[string, Method]>;
    if (methods.length !== expected) {
      throw new Error(
        `ions: ${proxy.lambda} has ${expected} http event(s) but the framework compiled ${methods.length} REST method(s) invoking ${functionId}; cannot turn them to response streaming`,
      );
    }
    const timeoutMs = functionTimeoutSeconds(resources, functionId) * 1000;
    for (const [methodId, method] of methods) {
      streamIntegration(methodId, method.Properties!.Integration!, timeoutMs);
      streamed.push({ lambda: proxy.lambda, methodId });
    }
  }
  return streamed;
}

const restEventCount = (proxy: ProxyModel): number => (proxy.config.streaming ? (proxy.config.events ?? []).filter((event) => 'http' in event).length : 0);

function uriParts(integration: Record<string, unknown> | undefined): unknown[] | undefined {
  const join = (integration?.Uri as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  return Array.isArray(join?.[1]) ? join[1] : undefined;
}

function invokes(resource: Method, functionId: string): boolean {
  if (resource.Type !== 'AWS::ApiGateway::Method') return false;
  const target = JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] });
  return uriParts(resource.Properties?.Integration)?.some((part) => JSON.stringify(part) === target) ?? false;
}

function functionTimeoutSeconds(resources: Record<string, unknown>, functionId: string): number {
  const timeout = (resources[functionId] as { Properties?: { Timeout?: unknown } } | undefined)?.Properties?.Timeout;
  if (typeof timeout !== 'number') throw new Error(`ions: the framework compiled ${functionId} without a numeric Timeout`);
  return timeout;
}

function streamIntegration(methodId: string, integration: Record<string, unknown>, timeoutMs: number): void {
  if (integration.Type !== 'AWS_PROXY') {
    throw new Error(`ions: ${methodId} reaches its streaming ion through a ${String(integration.Type)} integration; REST APIs stream only through AWS_PROXY`);
  }
  const parts = uriParts(integration)!;
  const last = parts.length - 1;
  const rewritten = parts.map((part, i) => (part === BUFFERED.path ? STREAMING.path : i === last && part === BUFFERED.action ? STREAMING.action : part));
  if (!rewritten.includes(STREAMING.path) || rewritten[last] !== STREAMING.action) {
    throw new Error(`ions: ${methodId} has an integration URI of a shape this plugin does not know (${JSON.stringify(integration.Uri)}); cannot turn it to response streaming`);
  }
  parts.splice(0, parts.length, ...rewritten);
  integration.ResponseTransferMode = 'STREAM';
  integration.TimeoutInMillis ??= timeoutMs;
}
