// The least-privilege rule the generated IAM must keep: `*` as a resource only for actions that
// have no resource-level permissions in IAM, and never a wildcard action.

/** Actions IAM cannot scope to a resource; `*` is the narrowest grant AWS allows for them. */
export const UNSCOPABLE_ACTIONS = new Set([
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceStatus',
  'cloudwatch:PutMetricData',
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeLifecycleHooks',
  'autoscaling:DescribeAutoScalingInstances',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeLoadBalancers',
]);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

export interface IamStatement extends Statement {
  where: string;
}

/** Every statement of every identity policy in the template (roles' inline policies and policies). */
export function iamStatements(resources: Record<string, { Type: string; Properties?: any }>): IamStatement[] {
  const found: IamStatement[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of resource.Properties?.Policies ?? []) documents.push(policy.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') documents.push(resource.Properties.PolicyDocument);
    for (const document of documents) {
      for (const statement of (document as { Statement: Statement[] }).Statement) found.push({ ...statement, where: id });
    }
  }
  return found;
}

/** Descriptions of every grant broader than AWS requires. */
export function overlyBroadGrants(statements: IamStatement[]): string[] {
  const problems: string[] = [];
  for (const statement of statements) {
    const actions = [statement.Action].flat();
    const resources = [statement.Resource].flat();
    for (const action of actions) {
      if (action === '*' || action.endsWith(':*')) problems.push(`${statement.where}: wildcard action ${action}`);
    }
    if (resources.includes('*')) {
      for (const action of actions.filter((a) => !UNSCOPABLE_ACTIONS.has(a))) problems.push(`${statement.where}: ${action} on *`);
    }
  }
  return problems;
}
