// The HMAC key between proxies and nodes, as an SSM SecureString encrypted with the stack's own KMS
// key. CloudFormation cannot create a SecureString, and a value in the template would sit in plain
// text in the template and its history, so a small custom resource generates 32 random bytes inside
// AWS and writes the parameter itself: the value never appears in the template, in CloudFormation
// events or in logs (the custom resource answers with the parameter name only). The key stays across
// stack updates; a changed parameter name creates a new key, and deleting the stack deletes it.
import { proxyFunctionName } from '../names.js';
import type { IonsModel } from '../model.js';
import { allow, assumeRolePolicy, getAtt, policyDocument, ref, stackArn, sub, type CfnValue, type TemplatePart } from './cfn.js';
import { LAMBDA_RUNTIME } from './node-version.js';

export const KMS_KEY = 'IonsKey';
export const SECRET = 'IonsSecret';

// CommonJS: inline Lambda code is written to index.js. The SDK is the Node.js runtime's own.
const SECRET_FUNCTION_CODE = `const { SSMClient, PutParameterCommand, DeleteParameterCommand } = require('@aws-sdk/client-ssm');
const { randomBytes } = require('crypto');
const https = require('https');
const ssm = new SSMClient({});
const respond = (event, status, reason) => new Promise((resolve, reject) => {
  const body = JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: event.ResourceProperties.ParameterName,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: {} });
  const req = https.request(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
    (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject);
  req.end(body);
});
const ignore = (name) => (error) => { if (error.name !== name) throw error; };
exports.handler = async (event) => {
  const { ParameterName: name, KeyId: keyId } = event.ResourceProperties;
  const previous = event.OldResourceProperties && event.OldResourceProperties.ParameterName;
  try {
    if (event.RequestType === 'Create' || (event.RequestType === 'Update' && previous !== name)) {
      await ssm.send(new PutParameterCommand({ Name: name, Type: 'SecureString', KeyId: keyId,
        Value: randomBytes(32).toString('base64url'), Overwrite: false })).catch(ignore('ParameterAlreadyExists'));
    }
    if (event.RequestType === 'Delete') {
      await ssm.send(new DeleteParameterCommand({ Name: name })).catch(ignore('ParameterNotFound'));
    }
    await respond(event, 'SUCCESS', 'ok');
  } catch (error) {
    await respond(event, 'FAILED', String(error.name) + ': ' + String(error.message).slice(0, 200));
  }
};
`;

export const parameterArn = (name: string): CfnValue => stackArn('ssm', `parameter${name}`);

/** Conditions that let a principal use the key only through SSM, and only for `parameterName`. */
export const viaSsmFor = (parameterName: string): Record<string, Record<string, CfnValue>> => ({
  StringEquals: {
    'kms:ViaService': sub('ssm.${AWS::Region}.amazonaws.com'),
    'kms:EncryptionContext:PARAMETER_ARN': parameterArn(parameterName),
  },
});

export function secretPart(model: IonsModel): TemplatePart {
  const functionName = proxyFunctionName(model.service, model.stage, 'ions', 'secret');
  const logGroup = `/aws/lambda/${functionName}`;
  return {
    Resources: {
      [KMS_KEY]: {
        Type: 'AWS::KMS::Key',
        Properties: {
          Description: `ions ${model.config.app} ${model.stage}: encrypts the HMAC key between proxies and nodes`,
          EnableKeyRotation: true,
          // The account administers the key through IAM; in a key policy `*` means this key.
          KeyPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
                Action: 'kms:*',
                Resource: '*',
              },
            ],
          },
        },
      },
      IonsSecretFunctionLogGroup: {
        Type: 'AWS::Logs::LogGroup',
        Properties: { LogGroupName: logGroup, RetentionInDays: 30 },
      },
      IonsSecretFunctionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: assumeRolePolicy('lambda.amazonaws.com'),
          Policies: [
            {
              PolicyName: 'ions-secret-writer',
              PolicyDocument: policyDocument([
                allow(['logs:CreateLogStream', 'logs:PutLogEvents'], getAtt('IonsSecretFunctionLogGroup', 'Arn')),
                allow(['ssm:PutParameter', 'ssm:DeleteParameter'], parameterArn(model.secretParameterName)),
                allow(['kms:Encrypt'], getAtt(KMS_KEY, 'Arn'), viaSsmFor(model.secretParameterName)),
              ]),
            },
          ],
        },
      },
      IonsSecretFunction: {
        Type: 'AWS::Lambda::Function',
        DependsOn: ['IonsSecretFunctionLogGroup'],
        Properties: {
          FunctionName: functionName,
          Description: 'ions: generates the HMAC key into an SSM SecureString',
          Runtime: LAMBDA_RUNTIME,
          Handler: 'index.handler',
          Timeout: 30,
          MemorySize: 128,
          Role: getAtt('IonsSecretFunctionRole', 'Arn'),
          Code: { ZipFile: SECRET_FUNCTION_CODE },
        },
      },
      [SECRET]: {
        Type: 'Custom::IonsSecret',
        Properties: {
          ServiceToken: getAtt('IonsSecretFunction', 'Arn'),
          ParameterName: model.secretParameterName,
          KeyId: ref(KMS_KEY),
        },
      },
    },
  };
}
