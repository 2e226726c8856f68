// Where revisions go and how they roll out: the private code bucket and the CodeDeploy application.
// Each group's in-place deployment group lives with the group (compute-group.ts).
import type { IonsModel } from '../model.js';
import { fitName } from '../names.js';
import { privateBucket } from './buckets.js';
import { allow, assumeRolePolicy, policyDocument, ref, stackArn, type TemplatePart } from './cfn.js';

export const CODE_BUCKET = 'IonsCodeBucket';
export const CODE_DEPLOY_APP = 'IonsCodeDeployApplication';
export const CODE_DEPLOY_ROLE = 'IonsCodeDeployRole';

// CodeDeploy's in-place, load-balancer-aware deployments to Auto Scaling groups. The read-only calls
// have no resource-level permissions in IAM, so they take `*`; every mutating call is scoped.
const DESCRIBE_ACTIONS = [
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeLifecycleHooks',
  'autoscaling:DescribeAutoScalingInstances',
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceStatus',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeLoadBalancers',
];

export function codeDeployPart(model: IonsModel): TemplatePart {
  const asgArns = model.groups.map((group) =>
    stackArn('autoscaling', `autoScalingGroup:*:autoScalingGroupName/\${${group.id('Asg')}}`),
  );
  return {
    Resources: {
      ...privateBucket(CODE_BUCKET, 'revisions'),
      [CODE_DEPLOY_APP]: {
        Type: 'AWS::CodeDeploy::Application',
        Properties: { ApplicationName: fitName([model.service, model.stage, model.config.app], 100), ComputePlatform: 'Server' },
      },
      [CODE_DEPLOY_ROLE]: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: assumeRolePolicy('codedeploy.amazonaws.com'),
          Policies: [
            {
              PolicyName: 'ions-in-place-deployments',
              PolicyDocument: policyDocument([
                allow(DESCRIBE_ACTIONS, '*'),
                allow(
                  [
                    'autoscaling:CompleteLifecycleAction',
                    'autoscaling:PutLifecycleHook',
                    'autoscaling:DeleteLifecycleHook',
                    'autoscaling:RecordLifecycleActionHeartbeat',
                    'autoscaling:PutInstanceInStandby',
                    'autoscaling:PutInstanceInService',
                    'autoscaling:SuspendProcesses',
                    'autoscaling:ResumeProcesses',
                  ],
                  asgArns,
                ),
                allow(
                  ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
                  model.groups.map((group) => ref(group.id('TargetGroup'))),
                ),
              ]),
            },
          ],
        },
      },
    },
  };
}
