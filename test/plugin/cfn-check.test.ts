import { describe, expect, it } from 'vitest';
import { checkTemplate } from './cfn-check.js';

const queue = (properties: Record<string, unknown> = {}) => ({ Type: 'AWS::SQS::Queue', Properties: properties });
const method = (integration: Record<string, unknown>) => ({ HttpMethod: 'GET', ResourceId: 'r', RestApiId: 'a', Integration: integration });

describe('the offline CloudFormation check', () => {
  it('passes a correct template with nested property types and every kind of reference', () => {
    const template = {
      Parameters: { Image: { Type: 'String' } },
      Resources: {
        Queue: queue({ VisibilityTimeout: 30, Tags: [{ Key: 'a', Value: 'b' }] }),
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: { AssumeRolePolicyDocument: {}, Policies: [{ PolicyName: 'p', PolicyDocument: {} }] },
        },
        Template: {
          Type: 'AWS::EC2::LaunchTemplate',
          DependsOn: ['Queue'],
          Properties: {
            LaunchTemplateData: {
              ImageId: { Ref: 'Image' },
              UserData: { 'Fn::Base64': { 'Fn::Sub': ['${Queue.Arn} ${AWS::Region} ${X} ${!Literal}', { X: 'x' }] } },
              IamInstanceProfile: { Arn: { 'Fn::GetAtt': ['Role', 'Arn'] } },
            },
          },
        },
        Custom: { Type: 'Custom::Thing', Properties: { ServiceToken: 'arn', Anything: 1 } },
        // A property newer than the specification, declared by the check itself.
        UrlInvoke: { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: 'f', Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true } },
        // ... and one newer than the specification inside a property type.
        Streamed: { Type: 'AWS::ApiGateway::Method', Properties: method({ Type: 'AWS_PROXY', ResponseTransferMode: 'STREAM', TimeoutInMillis: 900000 }) },
      },
      Outputs: { Url: { Value: { 'Fn::GetAtt': 'Queue.QueueName' } }, Custom: { Value: { 'Fn::GetAtt': ['Custom', 'Whatever'] } } },
    };
    expect(checkTemplate(template)).toEqual([]);
  });

  it.each([
    ['an unknown resource type', { Q: { Type: 'AWS::SQS::Queu' } }, 'Resources.Q: unknown resource type AWS::SQS::Queu'],
    ['an unknown property', { Q: queue({ Visibility: 3 }) }, 'Resources.Q.Properties: AWS::SQS::Queue has no property Visibility'],
    ['a missing required property', { R: { Type: 'AWS::IAM::Role', Properties: {} } }, 'Resources.R.Properties: required property AssumeRolePolicyDocument is missing'],
    [
      'an unknown nested property',
      { T: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { ImageID: 'ami-1' } } } },
      'Resources.T.Properties.LaunchTemplateData: AWS::EC2::LaunchTemplate has no property ImageID',
    ],
    ['a scalar where a list belongs', { Q: queue({ Tags: 'x' }) }, 'Resources.Q.Properties.Tags: expected a list'],
    ['a Ref to nothing', { Q: queue({ QueueName: { Ref: 'Nope' } }) }, 'Resources.Q.Properties.QueueName: Ref to unknown Nope'],
    ['a GetAtt of an unknown resource', { Q: queue({ QueueName: { 'Fn::GetAtt': ['Nope', 'Arn'] } }) }, 'Resources.Q.Properties.QueueName: Fn::GetAtt of unknown resource Nope'],
    ['a GetAtt of an unknown attribute', { Q: queue({ QueueName: { 'Fn::GetAtt': ['Q', 'Url'] } }) }, 'Resources.Q.Properties.QueueName: AWS::SQS::Queue Q has no attribute Url'],
    ['a Sub variable that resolves to nothing', { Q: queue({ QueueName: { 'Fn::Sub': 'q-${Nope}' } }) }, 'Resources.Q.Properties.QueueName: Fn::Sub variable ${Nope} resolves to nothing'],
    ['a Sub attribute that does not exist', { Q: queue({ QueueName: { 'Fn::Sub': '${Q.Nope}' } }) }, 'Resources.Q.Properties.QueueName (Fn::Sub): AWS::SQS::Queue Q has no attribute Nope'],
    ['a DependsOn to nothing', { Q: { ...queue(), DependsOn: 'Nope' } }, 'Resources.Q: DependsOn unknown resource Nope'],
    [
      'a newer-than-spec property of the wrong kind',
      { P: { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: 'f', Action: 'a', Principal: '*', InvokedViaFunctionUrl: [true] } } },
      'Resources.P.Properties.InvokedViaFunctionUrl: expected a Boolean, got a list',
    ],
    [
      'a newer-than-spec nested property of the wrong kind',
      { M: { Type: 'AWS::ApiGateway::Method', Properties: method({ ResponseTransferMode: ['STREAM'] }) } },
      'Resources.M.Properties.Integration.ResponseTransferMode: expected a String, got a list',
    ],
    [
      'a newer-than-spec nested property on the wrong property type',
      { M: { Type: 'AWS::ApiGateway::Method', Properties: { ...method({}), MethodResponses: [{ StatusCode: '200', ResponseTransferMode: 'STREAM' }] } } },
      'Resources.M.Properties.MethodResponses[0]: AWS::ApiGateway::Method has no property ResponseTransferMode',
    ],
    ['a custom resource without a service token', { C: { Type: 'Custom::X', Properties: {} } }, 'Resources.C: custom resource without ServiceToken'],
  ])('reports %s', (_name, resources, problem) => {
    expect(checkTemplate({ Resources: resources as never })).toEqual([problem]);
  });
});
