// What the plugin deploys, derived once from the validated config: the groups with their sizes and
// network, and one proxy per lambda ion. Every template part and the function definitions read this.
import type { ComputeGroupConfig, IonsConfig, LambdaIonConfig } from '../runtime/config/ions-config.js';
import { DEFAULT_NODE_PORT } from '../runtime/config/ions-config.js';
import { maxSizeOf, minSizeOf, targetGroupOf } from '../runtime/config/validate.js';
import { assertDistinct, groupLogicalId, lambdaLogicalId, proxyFunctionKey, proxyFunctionName } from './names.js';
import { ref, type CfnValue } from './template/cfn.js';

const DEFAULT_INSTANCE_TYPE = 't3.small';

export interface GroupModel {
  name: string;
  config: ComputeGroupConfig;
  primary: boolean;
  minSize: number;
  maxSize: number;
  instanceType: string;
  arm64: boolean;
  /** Subnet ids: the user's, or references to the subnets the stack creates. */
  subnets: CfnValue[];
  id(suffix: string): string;
}

export interface ProxyModel {
  lambda: string;
  config: LambdaIonConfig;
  key: string;
  functionName: string;
  group: GroupModel;
  integration: 'api-gateway' | 'event';
  roleId: string;
}

export interface IonsModel {
  service: string;
  stage: string;
  config: IonsConfig;
  port: number;
  groups: GroupModel[];
  primary: GroupModel;
  proxies: ProxyModel[];
  /** True when the stack creates the VPC; false when every group names the user's subnets. */
  createsVpc: boolean;
  vpcId: CfnValue;
  /** Prefix of every SSM parameter the stack owns: `/ions/<app>/<stage>`. */
  parameterPrefix: string;
  secretParameterName: string;
  storageType: 'memory' | 'file' | 'postgres' | 'dynamodb';
}

export const CREATED_SUBNETS = ['IonsPrivateSubnetA', 'IonsPrivateSubnetB'] as const;

// Graviton families carry a `g` right after the generation digit: t4g, c7g, m7gd, r8g.
const isArm64 = (instanceType: string): boolean => /^[a-z]+\d+g[a-z]*\./.test(instanceType) || instanceType.startsWith('a1.');

export function buildModel(config: IonsConfig, service: string, stage: string): IonsModel {
  const groups: GroupModel[] = Object.entries(config.groups ?? {}).map(([name, group]) => {
    const instanceType = group.instanceType ?? DEFAULT_INSTANCE_TYPE;
    return {
      name,
      config: group,
      primary: !group.queryGroup,
      minSize: minSizeOf(group),
      maxSize: maxSizeOf(group),
      instanceType,
      arm64: isArm64(instanceType),
      subnets: group.subnetIds ?? CREATED_SUBNETS.map(ref),
      id: (suffix: string) => groupLogicalId(name, suffix),
    };
  });
  const byName = new Map(groups.map((group) => [group.name, group]));
  const primary = groups.find((group) => group.primary);
  if (!primary) throw new Error('ions.groups: needs one primary group');
  const proxies = Object.entries(config.lambdas ?? {}).map(([lambda, lambdaConfig]): ProxyModel => {
    const group = byName.get(targetGroupOf(config, lambdaConfig.group))!;
    return {
      lambda,
      config: lambdaConfig,
      key: proxyFunctionKey(group.name, lambda),
      functionName: proxyFunctionName(service, stage, group.name, lambda),
      group,
      integration: lambdaConfig.integration ?? 'event',
      roleId: lambdaLogicalId('IonsProxyRole', lambda),
    };
  });
  assertDistinct(proxies.map((proxy) => proxy.functionName), 'Lambda functions');
  assertDistinct(proxies.map((proxy) => proxy.roleId), 'proxy roles');
  const parameterPrefix = `/ions/${config.app}/${stage}`;
  const userVpc = groups.find((group) => group.config.vpcId)?.config.vpcId;
  return {
    service,
    stage,
    config,
    port: DEFAULT_NODE_PORT,
    groups,
    primary,
    proxies,
    createsVpc: userVpc === undefined,
    vpcId: userVpc ?? ref('IonsVpc'),
    parameterPrefix,
    secretParameterName: `${parameterPrefix}/hmac-key`,
    storageType: config.storage?.type ?? 'dynamodb',
  };
}
