// `serverless ions status`: both phases of the latest deployment to a group: the code, node by node
// (CodeDeploy's targets and their lifecycle events), and the group's proxy Lambdas.
import {
  BatchGetDeploymentsCommand,
  BatchGetDeploymentTargetsCommand,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
  type CodeDeployClient,
} from '@aws-sdk/client-codedeploy';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';

export interface NodeStatus {
  instanceId: string;
  status: string;
  /** The lifecycle event it is at or failed in: `ApplicationStart Failed`. */
  step?: string;
}

export interface LambdaStatus {
  functionName: string;
  state: string;
  lastUpdate: string;
}

export interface GroupStatus {
  group: string;
  deploymentId: string;
  /** CodeDeploy's: Created, Queued, InProgress, Baking, Succeeded, Failed, Stopped, Ready. */
  status: string;
  description?: string;
  error?: string;
  rolledBack: boolean;
  nodes: NodeStatus[];
  lambdas: LambdaStatus[];
  /** True when any phase failed: the command then exits non-zero. */
  failed: boolean;
}

export interface StatusOptions {
  application: string;
  group: string;
  codeDeploy: CodeDeployClient;
  lambda: LambdaClient;
  functionNames: string[];
}

export async function groupStatus({ application, group, codeDeploy, lambda, functionNames }: StatusOptions): Promise<GroupStatus> {
  const listed = await codeDeploy.send(new ListDeploymentsCommand({ applicationName: application, deploymentGroupName: group }));
  const ids = (listed.deployments ?? []).slice(0, 25);
  if (ids.length === 0) throw new Error(`no deployment to group ${group} of ${application} yet: run serverless ions deploy`);
  const { deploymentsInfo = [] } = await codeDeploy.send(new BatchGetDeploymentsCommand({ deploymentIds: ids }));
  const latest = deploymentsInfo.reduce((a, b) => ((a.createTime?.getTime() ?? 0) >= (b.createTime?.getTime() ?? 0) ? a : b));
  const deploymentId = latest.deploymentId!;
  const nodes = await nodeStatuses(codeDeploy, deploymentId);
  const lambdas: LambdaStatus[] = [];
  for (const functionName of functionNames) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    lambdas.push({ functionName, state: config.State ?? 'Unknown', lastUpdate: config.LastUpdateStatus ?? 'Unknown' });
  }
  const status = latest.status ?? 'Unknown';
  const failed =
    status === 'Failed' ||
    status === 'Stopped' ||
    nodes.some((node) => node.status === 'Failed') ||
    lambdas.some((l) => l.state === 'Failed' || l.lastUpdate === 'Failed');
  return {
    group,
    deploymentId,
    status,
    ...(latest.description ? { description: latest.description } : {}),
    ...(latest.errorInformation?.message ? { error: latest.errorInformation.message } : {}),
    rolledBack: latest.rollbackInfo?.rollbackDeploymentId !== undefined,
    nodes,
    lambdas,
    failed,
  };
}

async function nodeStatuses(codeDeploy: CodeDeployClient, deploymentId: string): Promise<NodeStatus[]> {
  const targetIds: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await codeDeploy.send(new ListDeploymentTargetsCommand({ deploymentId, nextToken }));
    targetIds.push(...(page.targetIds ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const nodes: NodeStatus[] = [];
  for (let i = 0; i < targetIds.length; i += 25) {
    const { deploymentTargets = [] } = await codeDeploy.send(
      new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: targetIds.slice(i, i + 25) }),
    );
    for (const target of deploymentTargets) {
      const instance = target.instanceTarget;
      if (!instance) continue;
      const events = instance.lifecycleEvents ?? [];
      const at = events.find((event) => event.status === 'Failed') ?? events.find((event) => event.status === 'InProgress');
      nodes.push({
        instanceId: instance.targetId ?? 'unknown',
        status: instance.status ?? 'Unknown',
        ...(at ? { step: `${at.lifecycleEventName} ${at.status}` } : {}),
      });
    }
  }
  return nodes;
}

export function statusReport(status: GroupStatus): string {
  const lines = [
    `Group ${status.group}: deployment ${status.deploymentId} ${status.status}${status.rolledBack ? ' (rolled back)' : ''}${status.description ? ` - ${status.description}` : ''}`,
    ...(status.error ? [`  error: ${status.error}`] : []),
    'Code:',
    ...status.nodes.map((node) => `  ${node.instanceId}: ${node.status}${node.step ? ` (${node.step})` : ''}`),
    'Lambdas:',
    ...status.lambdas.map((l) => `  ${l.functionName}: ${l.state}, last update ${l.lastUpdate}`),
  ];
  return lines.join('\n');
}
