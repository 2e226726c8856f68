// HTTP-direct: an HTTP API whose default route goes through a VPC link straight to the nodes' load
// balancer listener; no Lambda on the way. The node serves these plain HTTP requests itself.
import type { IonsModel } from '../model.js';
import { fitName } from '../names.js';
import { getAtt, ref, sub, type TemplatePart } from './cfn.js';
import { httpDirectGroup, VPC_LINK_SG } from './network.js';

export function httpDirectPart(model: IonsModel): TemplatePart {
  if (!model.config.httpDirect) return { Resources: {} };
  const group = httpDirectGroup(model);
  const name = fitName([model.service, model.stage, 'ions-direct'], 128);
  return {
    Resources: {
      IonsHttpDirectApi: {
        Type: 'AWS::ApiGatewayV2::Api',
        Properties: { Name: name, ProtocolType: 'HTTP', Description: `ions ${model.config.app}: HTTP-direct to group ${group.name}` },
      },
      IonsHttpDirectVpcLink: {
        Type: 'AWS::ApiGatewayV2::VpcLink',
        Properties: { Name: name, SubnetIds: group.subnets, SecurityGroupIds: [ref(VPC_LINK_SG)] },
      },
      IonsHttpDirectIntegration: {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: {
          ApiId: ref('IonsHttpDirectApi'),
          IntegrationType: 'HTTP_PROXY',
          IntegrationMethod: 'ANY',
          ConnectionType: 'VPC_LINK',
          ConnectionId: ref('IonsHttpDirectVpcLink'),
          IntegrationUri: ref(group.id('Listener')),
          PayloadFormatVersion: '1.0',
        },
      },
      IonsHttpDirectRoute: {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: {
          ApiId: ref('IonsHttpDirectApi'),
          RouteKey: '$default',
          Target: sub('integrations/${IonsHttpDirectIntegration}'),
        },
      },
      IonsHttpDirectStage: {
        Type: 'AWS::ApiGatewayV2::Stage',
        Properties: { ApiId: ref('IonsHttpDirectApi'), StageName: '$default', AutoDeploy: true },
      },
    },
    Outputs: {
      IonsHttpDirectUrl: { Description: 'HTTP-direct endpoint (API Gateway through a VPC link to the nodes)', Value: getAtt('IonsHttpDirectApi', 'ApiEndpoint') },
    },
  };
}
