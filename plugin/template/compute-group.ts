// One compute group: its nodes (role, launch template, auto scaling group, scaling policy), the
// internal network load balancer in front of them checking the node's own health route, its CodeDeploy
// deployment group (in place, one node at a time, taken out of the load balancer while it updates), and
// the SSM parameter that publishes its endpoint.
import type { GroupModel, IonsModel } from '../model.js';
import { allow, assumeRolePolicy, getAtt, join, policyDocument, ref, sub, type Statement, type TemplatePart } from './cfn.js';
import { CODE_BUCKET, CODE_DEPLOY_APP, CODE_DEPLOY_ROLE } from './code-deploy.js';
import { CREATED_NETWORK_READY } from './network.js';
import { IN_FLIGHT_METRIC, METRIC_DIMENSIONS, METRIC_NAMESPACE } from '../../runtime/config/node-metrics.js';
import { HEALTH_PATH } from '../../runtime/protocol/wire.js';
import { LOG_GROUP } from './observability.js';
import { KMS_KEY, parameterArn, viaSsmFor } from './secret.js';
import { LOG_TABLE, SEGMENTS_BUCKET } from './storage.js';
import { nodeEnvironment, userData } from './user-data.js';

/** In-flight requests per node that scaling aims for: three quarters of the node's default concurrency. */
const TARGET_IN_FLIGHT = 12;

const AMI_PARAMETERS = {
  x86_64: { id: 'IonsAmiX8664', path: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' },
  arm64: { id: 'IonsAmiArm64', path: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64' },
};

const amiParameterOf = (group: GroupModel) => (group.arm64 ? AMI_PARAMETERS.arm64 : AMI_PARAMETERS.x86_64);

/** Stack parameters resolving the latest Amazon Linux 2023 image at deploy time, one per architecture in use. */
export function amiParametersPart(model: IonsModel): TemplatePart {
  const parameters: NonNullable<TemplatePart['Parameters']> = {};
  for (const { id, path } of model.groups.map(amiParameterOf)) {
    parameters[id] = {
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: path,
      Description: 'Amazon Linux 2023 image for ions nodes (public SSM parameter)',
    };
  }
  return { Resources: {}, Parameters: parameters };
}

export const endpointOf = (model: IonsModel, group: GroupModel): string => `http://\${${group.id('Nlb')}.DNSName}:${model.port}`;

function nodeStatements(model: IonsModel): Statement[] {
  const prefix = model.parameterPrefix;
  const parameters = [parameterArn(model.secretParameterName), parameterArn(`${prefix}/config`), parameterArn(`${prefix}/groups/*`)];
  const storage = model.config.storage;
  if (storage?.type === 'postgres' && storage.urlParameter) parameters.push(parameterArn(storage.urlParameter));
  const statements: Statement[] = [
    allow(['ssm:GetParameter'], parameters),
    allow(['kms:Decrypt'], getAtt(KMS_KEY, 'Arn'), viaSsmFor(model.secretParameterName)),
    allow(['s3:GetObject', 's3:GetObjectVersion'], join('', [getAtt(CODE_BUCKET, 'Arn'), '/*'])),
    allow(['s3:ListBucket'], getAtt(CODE_BUCKET, 'Arn')),
    allow(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], getAtt(LOG_GROUP, 'Arn')),
    // PutMetricData has no resource-level permissions; the condition pins the namespace.
    allow(['cloudwatch:PutMetricData'], '*', { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } }),
  ];
  if (model.config.parametersPath) {
    const path = model.config.parametersPath.replace(/\/$/, '');
    statements.push(allow(['ssm:GetParametersByPath', 'ssm:GetParameter'], [parameterArn(path), parameterArn(`${path}/*`)]));
  }
  if (model.storageType === 'dynamodb') {
    statements.push(
      allow(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query',
          'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'],
        getAtt(LOG_TABLE, 'Arn'),
      ),
      allow(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], join('', [getAtt(SEGMENTS_BUCKET, 'Arn'), '/*'])),
      allow(['s3:ListBucket'], getAtt(SEGMENTS_BUCKET, 'Arn')),
    );
  }
  return statements;
}

export function computeGroupPart(model: IonsModel, group: GroupModel): TemplatePart {
  const id = group.id;
  const ami = amiParameterOf(group);
  const primaryEndpoint = group.primary ? undefined : endpointOf(model, model.primary);
  const env = nodeEnvironment(model, group, primaryEndpoint);
  const production = group.config.topology === 'production';
  const part: TemplatePart = {
    Resources: {
      [id('NodeRole')]: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: assumeRolePolicy('ec2.amazonaws.com'),
          Policies: [{ PolicyName: 'ions-node', PolicyDocument: policyDocument(nodeStatements(model)) }],
        },
      },
      [id('InstanceProfile')]: {
        Type: 'AWS::IAM::InstanceProfile',
        Properties: { Roles: [ref(id('NodeRole'))] },
      },
      [id('LaunchTemplate')]: {
        Type: 'AWS::EC2::LaunchTemplate',
        Properties: {
          LaunchTemplateData: {
            ImageId: ref(ami.id),
            InstanceType: group.instanceType,
            IamInstanceProfile: { Arn: getAtt(id('InstanceProfile'), 'Arn') },
            SecurityGroupIds: [ref(id('NodeSecurityGroup'))],
            MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
            BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', Encrypted: true } }],
            UserData: userData(model, group, env, LOG_GROUP),
            TagSpecifications: [
              { ResourceType: 'instance', Tags: [{ Key: 'Name', Value: `${model.service}-${model.stage}-${group.name}` }, { Key: 'ions:group', Value: group.name }] },
            ],
          },
        },
      },
      [id('TargetGroup')]: {
        Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        Properties: {
          Protocol: 'TCP',
          Port: model.port,
          TargetType: 'instance',
          VpcId: model.vpcId,
          HealthCheckProtocol: 'HTTP',
          HealthCheckPath: HEALTH_PATH,
          HealthCheckPort: String(model.port),
          HealthCheckIntervalSeconds: 10,
          HealthyThresholdCount: 2,
          UnhealthyThresholdCount: 2,
          TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
        },
      },
      [id('Nlb')]: {
        Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        Properties: {
          Type: 'network',
          Scheme: 'internal',
          Subnets: group.subnets,
          SecurityGroups: [ref(id('NlbSecurityGroup'))],
          LoadBalancerAttributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }],
        },
      },
      [id('Listener')]: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: {
          LoadBalancerArn: ref(id('Nlb')),
          Protocol: 'TCP',
          Port: model.port,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: ref(id('TargetGroup')) }],
        },
      },
      [id('Asg')]: {
        Type: 'AWS::AutoScaling::AutoScalingGroup',
        ...(model.createsVpc ? { DependsOn: CREATED_NETWORK_READY } : {}),
        Properties: {
          MinSize: String(group.minSize),
          MaxSize: String(group.maxSize),
          DesiredCapacity: String(group.minSize),
          VPCZoneIdentifier: group.subnets,
          LaunchTemplate: { LaunchTemplateId: ref(id('LaunchTemplate')), Version: getAtt(id('LaunchTemplate'), 'LatestVersionNumber') },
          TargetGroupARNs: [ref(id('TargetGroup'))],
          // EC2, not ELB: until the first revision is deployed a node rightly fails its health check, and
          // ELB health would have the group replace its nodes forever. The load balancer still sends
          // traffic to healthy nodes only, and CodeDeploy validates each node it updates.
          HealthCheckType: 'EC2',
          HealthCheckGracePeriod: 300,
          Tags: [{ Key: 'ions:group', Value: group.name, PropagateAtLaunch: true }],
        },
      },
      [id('DeploymentGroup')]: {
        Type: 'AWS::CodeDeploy::DeploymentGroup',
        Properties: {
          ApplicationName: ref(CODE_DEPLOY_APP),
          DeploymentGroupName: group.name,
          ServiceRoleArn: getAtt(CODE_DEPLOY_ROLE, 'Arn'),
          AutoScalingGroups: [ref(id('Asg'))],
          DeploymentConfigName: 'CodeDeployDefault.OneAtATime',
          DeploymentStyle: { DeploymentType: 'IN_PLACE', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
          LoadBalancerInfo: { TargetGroupInfoList: [{ Name: getAtt(id('TargetGroup'), 'TargetGroupName') }] },
          AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE'] },
        },
      },
      [id('EndpointParameter')]: {
        Type: 'AWS::SSM::Parameter',
        Properties: {
          Name: `${model.parameterPrefix}/groups/${group.name}/endpoint`,
          Type: 'String',
          Value: sub(endpointOf(model, group)),
          Description: `ions: endpoint of compute group ${group.name}`,
        },
      },
    },
    Outputs: {
      [id('Endpoint')]: { Description: `Node endpoint of compute group ${group.name}`, Value: sub(endpointOf(model, group)) },
    },
  };
  if (production) {
    part.Resources[id('ScalingPolicy')] = {
      Type: 'AWS::AutoScaling::ScalingPolicy',
      Properties: {
        AutoScalingGroupName: ref(id('Asg')),
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: {
          TargetValue: TARGET_IN_FLIGHT,
          CustomizedMetricSpecification: {
            Namespace: METRIC_NAMESPACE,
            MetricName: IN_FLIGHT_METRIC,
            Dimensions: [
              { Name: METRIC_DIMENSIONS.app, Value: model.config.app },
              { Name: METRIC_DIMENSIONS.group, Value: group.name },
            ],
            Statistic: 'Average',
          },
        },
      },
    };
  }
  return part;
}

