// Semantic validation of the `ions` block: after the shape (schema.ts), everything that makes a config
// unable to run: missing modules or exports, unknown group references, events that the integration
// cannot answer, topology rules, duplicates. Shared by the plugin, the dev loop and the node. Every
// error names the key path of the offending value.
import { checkShape } from './check-shape.js';
import { IonsConfigError } from './config-error.js';
import { isHttpEventType } from './event-kinds.js';
import { FunctionRefChecker } from './function-ref.js';
import type { ComputeGroupConfig, IonsConfig, LambdaIonConfig } from './ions-config.js';
import { ionsSchema } from './schema.js';

export interface ValidationContext {
  /** Directory that function references are relative to. */
  serviceDir: string;
  service: string;
  stage: string;
  /** Whether to open the referenced modules; a node validating a built revision has no sources. */
  checkModules?: boolean;
}

const fail = (path: string, reason: string): never => {
  throw new IonsConfigError(path, reason);
};

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function checkContext({ service, stage }: ValidationContext): void {
  // Both become segments of SSM parameter names and CloudFormation names.
  if (!SEGMENT.test(service)) fail('service', `'${service}' must be letters, digits, '-' or '_'`);
  if (!SEGMENT.test(stage)) fail('stage', `'${stage}' must be letters, digits, '-' or '_'`);
}

export function minSizeOf(group: ComputeGroupConfig): number {
  return group.minSize ?? (group.topology === 'solo' ? 1 : 2);
}

export function maxSizeOf(group: ComputeGroupConfig): number {
  return group.maxSize ?? (group.topology === 'solo' ? 1 : Math.max(minSizeOf(group), 4));
}

function checkGroup(name: string, group: ComputeGroupConfig): void {
  const path = `ions.groups.${name}`;
  if (group.topology === 'solo') {
    if (group.minSize !== undefined && group.minSize !== 1) {
      fail(`${path}.minSize`, `a solo group runs exactly one node; minSize must be 1, got ${group.minSize}`);
    }
    if (group.maxSize !== undefined && group.maxSize !== 1) {
      fail(`${path}.maxSize`, `a solo group runs exactly one node; maxSize must be 1, got ${group.maxSize}`);
    }
  } else {
    if (minSizeOf(group) < 2) {
      fail(`${path}.minSize`, `a production group runs at least two nodes across zones; minSize must be 2 or more, got ${group.minSize}`);
    }
    if (maxSizeOf(group) < minSizeOf(group)) {
      fail(`${path}.maxSize`, `${group.maxSize} is below minSize ${minSizeOf(group)}`);
    }
    if (group.subnetIds && group.subnetIds.length < 2) {
      fail(`${path}.subnetIds`, 'a production group spreads over at least two zones; give at least two subnets');
    }
  }
  if (group.vpcId && !group.subnetIds) fail(`${path}.subnetIds`, 'required with vpcId: the nodes run in your subnets');
  if (group.subnetIds && !group.vpcId) fail(`${path}.vpcId`, 'required with subnetIds: the security groups are created in it');
  group.subnetIds?.forEach((subnet, i) => {
    const first = group.subnetIds!.indexOf(subnet);
    if (first !== i) fail(`${path}.subnetIds[${i}]`, `${subnet} is already listed at ${path}.subnetIds[${first}]`);
  });
}

function checkGroups(config: IonsConfig): void {
  const groups = Object.entries(config.groups ?? {});
  if (groups.length === 0) {
    if (config.lambdas && Object.keys(config.lambdas).length > 0) fail('ions.groups', 'required: lambdas run on a compute group');
    if (config.httpDirect) fail('ions.groups', 'required: httpDirect runs on a compute group');
    return;
  }
  for (const [name, group] of groups) checkGroup(name, group);
  const primaries = groups.filter(([, group]) => !group.queryGroup).map(([name]) => name);
  if (primaries.length === 0) {
    fail('ions.groups', `needs one primary group (without queryGroup: true) for query groups to forward transactions to`);
  }
  if (primaries.length > 1) {
    fail('ions.groups', `only one primary group is allowed, found ${primaries.join(', ')}; mark the others queryGroup: true`);
  }
  // One stack, one set of security groups: every group runs in the same network.
  const [firstName, first] = groups[0]!;
  for (const [name, group] of groups.slice(1)) {
    if (Boolean(group.vpcId) !== Boolean(first.vpcId)) {
      const [withVpc, without] = group.vpcId ? [name, firstName] : [firstName, name];
      fail(`ions.groups.${without}.vpcId`, `ions.groups.${withVpc} runs in your VPC, so every group needs vpcId and subnetIds`);
    }
    if (group.vpcId && group.vpcId !== first.vpcId) {
      fail(`ions.groups.${name}.vpcId`, `every group shares one network; ${group.vpcId} differs from ions.groups.${firstName}.vpcId ${first.vpcId}`);
    }
  }
}

function checkGroupRef(config: IonsConfig, group: string | undefined, path: string): void {
  if (group === undefined || config.groups?.[group]) return;
  fail(path, `unknown compute group '${group}' (groups: ${Object.keys(config.groups ?? {}).join(', ')})`);
}

/** `GET /users` for a route, so that routes written differently but meaning the same compare equal. */
function routeKey(type: string, value: unknown): string | undefined {
  const normalise = (method: unknown, path: unknown): string =>
    `${String(method).toUpperCase()} /${String(path).replace(/^\/+/, '')}`;
  if (typeof value === 'string') {
    if (value.trim() === '*') return `${type} *`;
    const [method, path] = value.trim().split(/\s+/, 2);
    return path === undefined ? undefined : `${type} ${normalise(method, path)}`;
  }
  if (typeof value === 'object' && value !== null) {
    const { method, path } = value as { method?: unknown; path?: unknown };
    if (method !== undefined && path !== undefined) return `${type} ${normalise(method, path)}`;
  }
  return undefined;
}

function checkEvents(name: string, lambda: LambdaIonConfig, routes: Map<string, string>): void {
  const web = lambda.integration === 'api-gateway';
  const events = lambda.events ?? [];
  events.forEach((event, i) => {
    const [type, value] = Object.entries(event)[0]!;
    const path = `ions.lambdas.${name}.events[${i}].${type}`;
    if (web && !isHttpEventType(type)) {
      fail(path, `an api-gateway ion answers HTTP events only (http, httpApi, alb); give ${type} events to a lambda without integration`);
    }
    if (!web && isHttpEventType(type)) {
      fail(path, `a ${type} event needs integration: api-gateway on this lambda (its handler must be an ionized ring handler)`);
    }
    const route = type === 'alb' ? undefined : routeKey(type, value);
    if (route) {
      const taken = routes.get(route);
      if (taken) fail(path, `route ${route.slice(type.length + 1)} is already taken by ${taken}`);
      routes.set(route, `ions.lambdas.${name}.events[${i}]`);
    }
  });
  if (web && !lambda.url && !events.some((event) => isHttpEventType(Object.keys(event)[0]!))) {
    fail(`ions.lambdas.${name}.events`, 'integration is api-gateway but there is no http, httpApi or alb event and no url: nothing would route to it');
  }
}

// A streaming proxy writes Lambda's HTTP stream framing (a metadata prelude, 8 zero bytes, then the
// body). A function URL in RESPONSE_STREAM mode reads it, and so does a REST API method whose Lambda
// proxy integration streams (ResponseTransferMode STREAM, which the plugin sets on every http event of
// a streaming ion). HTTP APIs and ALBs always buffer a Lambda's answer and would take the framing for a
// malformed one.
function checkUrlAndStreaming(name: string, lambda: LambdaIonConfig): void {
  const path = `ions.lambdas.${name}`;
  if (lambda.url && lambda.integration !== 'api-gateway') {
    fail(`${path}.url`, 'a function URL sends HTTP requests, which only a web ion answers; set integration: api-gateway on this lambda');
  }
  if (!lambda.streaming) return;
  const events = lambda.events ?? [];
  events.forEach((event, i) => {
    const [type, value] = Object.entries(event)[0]!;
    const where = `${path}.events[${i}].${type}`;
    if (type === 'httpApi' || type === 'alb') {
      const service = type === 'httpApi' ? 'HTTP APIs' : 'ALBs';
      fail(where, `${service} buffer a Lambda's answer and cannot stream it; a streaming ion answers through REST http events or its function URL; route this path to a lambda without streaming`);
    }
    if (type === 'http') checkStreamingRestEvent(where, value);
  });
  if (!lambda.url && !events.some((event) => 'http' in event)) {
    fail(`${path}.streaming`, 'a streaming ion needs somewhere to stream to: set url (true, or { authorizer: aws_iam }) or add a REST http event');
  }
}

const LAMBDA_PROXY = ['lambda-proxy', 'aws-proxy', 'aws_proxy'];

/** A REST method streams a Lambda's answer only through the Lambda proxy integration, in STREAM transfer mode. */
function checkStreamingRestEvent(where: string, value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const { integration, response } = value as { integration?: unknown; response?: { transferMode?: unknown } };
  if (integration !== undefined && !LAMBDA_PROXY.includes(String(integration).toLowerCase())) {
    fail(`${where}.integration`, `REST APIs stream only through the Lambda proxy integration, not ${String(integration)}; remove integration (or set lambda-proxy)`);
  }
  const mode = response?.transferMode;
  if (mode !== undefined && String(mode).toUpperCase() !== 'STREAM') {
    fail(`${where}.response.transferMode`, `${String(mode)} would buffer a streaming ion's answer; remove it (every http event of a streaming ion streams)`);
  }
}

function checkLambdas(config: IonsConfig, refs: FunctionRefChecker | undefined): void {
  const byLowerName = new Map<string, string>();
  const routes = new Map<string, string>();
  for (const [name, lambda] of Object.entries(config.lambdas ?? {})) {
    const path = `ions.lambdas.${name}`;
    const same = byLowerName.get(name.toLowerCase());
    if (same) fail(path, `differs from ions.lambdas.${same} only in case; names must differ beyond case`);
    byLowerName.set(name.toLowerCase(), name);
    refs?.check(lambda.fn, `${path}.fn`);
    checkGroupRef(config, lambda.group, `${path}.group`);
    checkUrlAndStreaming(name, lambda);
    checkEvents(name, lambda, routes);
  }
}

function checkAllowList(config: IonsConfig, refs: FunctionRefChecker | undefined): void {
  (config.allow ?? []).forEach((ref, i) => {
    const first = config.allow!.indexOf(ref);
    if (first !== i) fail(`ions.allow[${i}]`, `${ref} is already listed at ions.allow[${first}]`);
    refs?.check(ref, `ions.allow[${i}]`);
  });
}

const RESERVED_ENV_PREFIXES = ['IONS_', 'AWS_'];

function checkEnvironment(config: IonsConfig): void {
  for (const key of Object.keys(config.environment ?? {})) {
    const prefix = RESERVED_ENV_PREFIXES.find((p) => key.toUpperCase().startsWith(p));
    if (prefix) fail(`ions.environment.${key}`, `names starting with ${prefix} are reserved (for serverless-ions and the AWS SDK)`);
  }
}

function checkStorage(config: IonsConfig): void {
  const storage = config.storage;
  if (!storage) return;
  const keys = storage as { dir?: string; urlParameter?: string };
  if (storage.type === 'postgres' && !keys.urlParameter) {
    fail('ions.storage.urlParameter', 'required for postgres storage: the SSM parameter holding the connection URL');
  }
  if (keys.urlParameter !== undefined && storage.type !== 'postgres') fail('ions.storage.urlParameter', `only postgres storage takes urlParameter, not ${storage.type}`);
  if (keys.dir !== undefined && storage.type !== 'file') fail('ions.storage.dir', `only file storage takes dir, not ${storage.type}`);
  if (storage.type === 'memory' || storage.type === 'file') {
    const production = Object.entries(config.groups ?? {}).find(([, group]) => group.topology === 'production');
    if (production) {
      fail('ions.storage.type', `${storage.type} storage lives on one machine; production group ${production[0]} needs dynamodb or postgres`);
    }
  }
}

/** Returns `raw` typed as an IonsConfig, or throws an IonsConfigError naming the key path. */
export function validateIonsConfig(raw: unknown, context: ValidationContext): IonsConfig {
  checkContext(context);
  checkShape(ionsSchema, raw, 'ions');
  const config = raw as IonsConfig;
  const refs = context.checkModules === false ? undefined : new FunctionRefChecker(context.serviceDir);
  checkGroups(config);
  checkLambdas(config, refs);
  if (config.httpDirect) {
    refs?.check(config.httpDirect.handler, 'ions.httpDirect.handler');
    checkGroupRef(config, config.httpDirect.group, 'ions.httpDirect.group');
  }
  checkAllowList(config, refs);
  checkEnvironment(config);
  checkStorage(config);
  return config;
}

/** The group a lambda or the HTTP-direct handler runs on: its own, or the primary group. */
export function targetGroupOf(config: IonsConfig, group: string | undefined): string {
  if (group !== undefined) return group;
  const primary = Object.entries(config.groups ?? {}).find(([, g]) => !g.queryGroup);
  if (!primary) throw new IonsConfigError('ions.groups', 'needs one primary group');
  return primary[0];
}
