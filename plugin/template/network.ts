// The network: a VPC with private subnets in two zones (unless every group names the user's own
// subnets), and the security groups that decide who reaches the node port. Only the proxies, the
// HTTP-direct VPC link and query-group nodes reach a group's load balancer, and only its load
// balancer reaches the nodes. The created VPC has no internet route: AWS services are reached
// through VPC endpoints (gateway endpoints for S3 and DynamoDB, interface endpoints for the rest).
import type { GroupModel, IonsModel } from '../model.js';
import { CREATED_SUBNETS } from '../model.js';
import { getAtt, ref, sub, tags, type Resource, type TemplatePart } from './cfn.js';

const VPC_CIDR = '10.80.0.0/16';
const SUBNET_CIDRS = ['10.80.0.0/20', '10.80.16.0/20'];
const INTERFACE_ENDPOINTS = ['ssm', 'logs', 'monitoring', 'codedeploy', 'codedeploy-commands-secure'];

export const PROXY_SG = 'IonsProxySecurityGroup';
export const VPC_LINK_SG = 'IonsVpcLinkSecurityGroup';
const ENDPOINT_SG = 'IonsEndpointSecurityGroup';

const interfaceEndpointId = (service: string): string =>
  `Ions${service.split('-').map((word) => word[0]!.toUpperCase() + word.slice(1)).join('')}Endpoint`;

/** What must exist before nodes boot in the created VPC: their first boot installs through these. */
export const CREATED_NETWORK_READY = [
  'IonsS3Endpoint',
  'IonsDynamoDbEndpoint',
  ...CREATED_SUBNETS.map((id) => `${id}RouteTableAssociation`),
  ...INTERFACE_ENDPOINTS.map(interfaceEndpointId),
];

function createdVpc(model: IonsModel): Record<string, Resource> {
  const name = `${model.service}-${model.stage}-ions`;
  const resources: Record<string, Resource> = {
    IonsVpc: {
      Type: 'AWS::EC2::VPC',
      Properties: { CidrBlock: VPC_CIDR, EnableDnsHostnames: true, EnableDnsSupport: true, Tags: tags({ Name: name }) },
    },
    IonsPrivateRouteTable: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('IonsVpc'), Tags: tags({ Name: name }) } },
    IonsS3Endpoint: {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcId: ref('IonsVpc'),
        VpcEndpointType: 'Gateway',
        ServiceName: sub('com.amazonaws.${AWS::Region}.s3'),
        RouteTableIds: [ref('IonsPrivateRouteTable')],
      },
    },
    IonsDynamoDbEndpoint: {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcId: ref('IonsVpc'),
        VpcEndpointType: 'Gateway',
        ServiceName: sub('com.amazonaws.${AWS::Region}.dynamodb'),
        RouteTableIds: [ref('IonsPrivateRouteTable')],
      },
    },
    [ENDPOINT_SG]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'ions: HTTPS to AWS service endpoints from nodes and proxies',
        VpcId: ref('IonsVpc'),
        SecurityGroupIngress: [
          ...model.groups.map((group) => ({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: ref(group.id('NodeSecurityGroup')) })),
          ...(model.proxies.length ? [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: ref(PROXY_SG) }] : []),
        ],
      },
    },
  };
  CREATED_SUBNETS.forEach((id, zone) => {
    resources[id] = {
      Type: 'AWS::EC2::Subnet',
      Properties: {
        VpcId: ref('IonsVpc'),
        CidrBlock: SUBNET_CIDRS[zone],
        AvailabilityZone: { 'Fn::Select': [zone, { 'Fn::GetAZs': '' }] },
        MapPublicIpOnLaunch: false,
        Tags: tags({ Name: `${name}-private-${zone}` }),
      },
    };
    resources[`${id}RouteTableAssociation`] = {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { SubnetId: ref(id), RouteTableId: ref('IonsPrivateRouteTable') },
    };
  });
  for (const service of INTERFACE_ENDPOINTS) {
    resources[interfaceEndpointId(service)] = {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcId: ref('IonsVpc'),
        VpcEndpointType: 'Interface',
        ServiceName: sub(`com.amazonaws.\${AWS::Region}.${service}`),
        PrivateDnsEnabled: true,
        SubnetIds: CREATED_SUBNETS.map(ref),
        SecurityGroupIds: [ref(ENDPOINT_SG)],
      },
    };
  }
  return resources;
}

const nodePort = (model: IonsModel, source: string, description: string) => ({
  IpProtocol: 'tcp',
  FromPort: model.port,
  ToPort: model.port,
  SourceSecurityGroupId: ref(source),
  Description: description,
});

function groupSecurity(model: IonsModel, group: GroupModel): Record<string, Resource> {
  const nlbSg = group.id('NlbSecurityGroup');
  const nodeSg = group.id('NodeSecurityGroup');
  const resources: Record<string, Resource> = {
    [nlbSg]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: { GroupDescription: `ions ${group.name}: load balancer in front of the nodes`, VpcId: model.vpcId },
    },
    [nodeSg]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `ions ${group.name}: nodes, reachable on the node port from their load balancer${group.primary ? ' and each other' : ' only'}`,
        VpcId: model.vpcId,
        SecurityGroupIngress: [nodePort(model, nlbSg, 'traffic and health checks from the load balancer')],
      },
    },
  };
  const callers: Array<[string, string]> = [];
  if (model.proxies.some((proxy) => proxy.group === group)) callers.push([PROXY_SG, 'proxy Lambdas']);
  if (model.config.httpDirect && httpDirectGroup(model) === group) callers.push([VPC_LINK_SG, 'HTTP-direct VPC link']);
  // Query groups forward transactions to the primary group.
  if (group.primary) for (const query of model.groups.filter((g) => !g.primary)) callers.push([query.id('NodeSecurityGroup'), `query group ${query.name}`]);
  for (const [source, description] of callers) {
    resources[`${nlbSg}From${source}`] = {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: { GroupId: ref(nlbSg), ...nodePort(model, source, description) },
    };
  }
  // A primary-group node that does not hold a database's writer lease passes transactions straight to
  // the node that does, at the address its lease carries (runtime/node/primary-member.ts).
  if (group.primary) {
    resources[`${nodeSg}FromPeers`] = {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: { GroupId: ref(nodeSg), ...nodePort(model, nodeSg, `other ${group.name} nodes passing transactions to the writer`) },
    };
  }
  return resources;
}

export function httpDirectGroup(model: IonsModel): GroupModel {
  const name = model.config.httpDirect?.group;
  return model.groups.find((group) => group.name === name) ?? model.primary;
}

function callerSecurityGroups(model: IonsModel): Record<string, Resource> {
  const resources: Record<string, Resource> = {};
  const callers: Array<[string, string, GroupModel[]]> = [];
  if (model.proxies.length) callers.push([PROXY_SG, 'ions: proxy Lambdas', [...new Set(model.proxies.map((proxy) => proxy.group))]]);
  if (model.config.httpDirect) callers.push([VPC_LINK_SG, 'ions: HTTP-direct VPC link', [httpDirectGroup(model)]]);
  for (const [id, description, targets] of callers) {
    resources[id] = {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: description,
        VpcId: model.vpcId,
        // Replaces the default allow-all egress: HTTPS to AWS APIs (the proxies read their key from SSM).
        SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0', Description: 'AWS APIs' }],
      },
    };
    for (const target of targets) {
      resources[`${id}To${target.id('Nlb')}`] = {
        Type: 'AWS::EC2::SecurityGroupEgress',
        Properties: {
          GroupId: ref(id),
          IpProtocol: 'tcp',
          FromPort: model.port,
          ToPort: model.port,
          DestinationSecurityGroupId: getAtt(target.id('NlbSecurityGroup'), 'GroupId'),
          Description: `node port of group ${target.name}`,
        },
      };
    }
  }
  return resources;
}

export function networkPart(model: IonsModel): TemplatePart {
  return {
    Resources: {
      ...(model.createsVpc ? createdVpc(model) : {}),
      ...callerSecurityGroups(model),
      ...Object.assign({}, ...model.groups.map((group) => groupSecurity(model, group))),
    },
  };
}
