// The Serverless function definitions of the proxies: one per lambda ion, all on the one proxy
// artifact, with the ion's own events passed through untouched so that Serverless compiles every
// event type it knows exactly as for a hand-written function.
import { PROXY_ENV } from '../runtime/protocol/proxy-env.js';
import { serverlessUrl, type ServerlessUrl } from './function-url.js';
import type { IonsModel, ProxyModel } from './model.js';
import { PROXY_ARTIFACT, PROXY_HANDLER } from './proxy-artifact.js';
import { sub, type CfnValue } from './template/cfn.js';
import { endpointOf } from './template/compute-group.js';
import { PROXY_SG } from './template/network.js';
import { SECRET } from './template/secret.js';
import { LAMBDA_RUNTIME } from './template/node-version.js';

export interface ServerlessFunction {
  name: string;
  handler: string;
  runtime: string;
  architecture: string;
  description: string;
  timeout?: number;
  memorySize?: number;
  reservedConcurrency?: number;
  role: string;
  package: { artifact: string };
  environment: Record<string, CfnValue>;
  vpc: { securityGroupIds: CfnValue[]; subnetIds: CfnValue[] };
  dependsOn: string[];
  events: Array<Record<string, unknown>>;
  url?: ServerlessUrl;
}

export function proxyFunction(model: IonsModel, proxy: ProxyModel): ServerlessFunction {
  const { config } = proxy;
  const fn: ServerlessFunction = {
    name: proxy.functionName,
    handler: PROXY_HANDLER,
    runtime: LAMBDA_RUNTIME,
    architecture: 'arm64',
    description: config.description ?? `ions proxy: ${proxy.lambda} -> ${config.fn} on group ${proxy.group.name}`,
    role: proxy.roleId,
    package: { artifact: PROXY_ARTIFACT },
    environment: {
      [PROXY_ENV.app]: model.config.app,
      [PROXY_ENV.group]: proxy.group.name,
      [PROXY_ENV.target]: proxy.lambda,
      [PROXY_ENV.integration]: proxy.integration,
      [PROXY_ENV.endpoint]: sub(endpointOf(model, proxy.group)),
      [PROXY_ENV.secretParameter]: model.secretParameterName,
    },
    vpc: { securityGroupIds: [{ Ref: PROXY_SG }], subnetIds: proxy.group.subnets },
    // A proxy invoked before its key exists could only fail.
    dependsOn: [SECRET],
    events: structuredClone(config.events ?? []),
  };
  if (config.timeout !== undefined) fn.timeout = config.timeout;
  if (config.memorySize !== undefined) fn.memorySize = config.memorySize;
  // Reserved only when asked: reserving by default would eat small accounts' concurrency pool.
  if (config.concurrency !== undefined) fn.reservedConcurrency = config.concurrency;
  const url = serverlessUrl(config);
  if (url !== undefined) fn.url = url;
  if (config.streaming) fn.environment[PROXY_ENV.streaming] = '1';
  return fn;
}
