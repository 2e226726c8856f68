// One IAM role per proxy Lambda, granting exactly what that proxy does: write its own log group,
// read its one secret parameter, decrypt it with the stack key only through SSM, and manage its
// network interfaces in the stack's VPC. The two Describe calls Lambda makes for VPC networking have
// no resource-level permissions in IAM, so they alone take `*`.
import type { IonsModel, ProxyModel } from '../model.js';
import { allow, assumeRolePolicy, getAtt, policyDocument, stackArn, type CfnValue, type TemplatePart } from './cfn.js';
import { PROXY_SG } from './network.js';
import { KMS_KEY, parameterArn, viaSsmFor } from './secret.js';

const vpcArn = (model: IonsModel): CfnValue =>
  typeof model.vpcId === 'string' ? stackArn('ec2', `vpc/${model.vpcId}`) : stackArn('ec2', 'vpc/${IonsVpc}');

const subnetArn = (subnet: CfnValue): CfnValue =>
  typeof subnet === 'string' ? stackArn('ec2', `subnet/${subnet}`) : stackArn('ec2', `subnet/\${${(subnet as { Ref: string }).Ref}}`);

function proxyRole(model: IonsModel, proxy: ProxyModel): TemplatePart['Resources'] {
  const networkInterfaces = stackArn('ec2', 'network-interface/*');
  const inStackVpc = { ArnEquals: { 'ec2:Vpc': vpcArn(model) } };
  return {
    [proxy.roleId]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `ions proxy ${proxy.lambda} (group ${proxy.group.name})`,
        AssumeRolePolicyDocument: assumeRolePolicy('lambda.amazonaws.com'),
        Policies: [
          {
            PolicyName: 'ions-proxy',
            PolicyDocument: policyDocument([
              allow(['logs:CreateLogStream', 'logs:PutLogEvents'], stackArn('logs', `log-group:/aws/lambda/${proxy.functionName}:*`)),
              allow(['ssm:GetParameter'], parameterArn(model.secretParameterName)),
              allow(['kms:Decrypt'], getAtt(KMS_KEY, 'Arn'), viaSsmFor(model.secretParameterName)),
              allow(['ec2:CreateNetworkInterface'], [
                networkInterfaces,
                stackArn('ec2', `security-group/\${${PROXY_SG}}`),
                ...proxy.group.subnets.map(subnetArn),
              ]),
              allow(['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'], networkInterfaces, inStackVpc),
              allow(['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], '*'),
            ]),
          },
        ],
      },
    },
  };
}

export function proxyRolesPart(model: IonsModel): TemplatePart {
  return { Resources: Object.assign({}, ...model.proxies.map((proxy) => proxyRole(model, proxy))) };
}
