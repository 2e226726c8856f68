// `ions node` on the stack's DynamoDB table and S3 bucket (dynalite and s3rver on loopback), started
// from the environment file the stack writes, with the table created from the template itself.
import { CreateTableCommand, DynamoDBClient, QueryCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAwsStandIns, type AwsStandIns } from '../db/backends/servers.js';
import { call, mockSsm, stackParameters, startDeployedNode, workspace, type Workspace } from './deployed-node.js';
import { generateStack, notesConfig, resource, type Template } from './stack.js';

/** The IAM action an SDK command needs, where it is not simply the command's name. */
const S3_ACTIONS: Record<string, string> = { HeadObject: 's3:GetObject', ListObjectsV2: 's3:ListBucket' };
const actionOf = (service: 'dynamodb' | 's3', command: string): string => {
  const operation = command.replace(/Command$/, '');
  return service === 's3' ? (S3_ACTIONS[operation] ?? `s3:${operation}`) : `dynamodb:${operation}`;
};

function nodeRoleActions(template: Template, roleId: string): string[] {
  const policies = resource(template, roleId).Properties.Policies as Array<{ PolicyDocument: { Statement: Array<{ Effect: string; Action: string | string[] }> } }>;
  return policies.flatMap((policy) => policy.PolicyDocument.Statement.filter((statement) => statement.Effect === 'Allow').flatMap((statement) => statement.Action));
}

describe('a node of a dynamodb stack', () => {
  const { model, template } = generateStack(notesConfig());
  let aws: AwsStandIns;
  let clients: { dynamo: DynamoDBClient; s3: S3Client };
  let files: Workspace;
  let ssm: ReturnType<typeof mockSsm>;
  let refs: Record<string, string>;

  beforeAll(async () => {
    aws = await startAwsStandIns();
    clients = aws.clients();
    const table = 'notes-log';
    const { AttributeDefinitions, KeySchema, BillingMode } = resource(template, 'IonsLogTable').Properties as unknown as CreateTableCommandInput;
    await clients.dynamo.send(new CreateTableCommand({ TableName: table, AttributeDefinitions, KeySchema, BillingMode }));
    refs = { 'AWS::Region': 'us-east-1', IonsLogTable: table, IonsSegmentsBucket: aws.bucket };
    files = await workspace();
    // The node makes its own clients, as on EC2; the SDK's standard variables point them at the stand-ins.
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', aws.dynamoEndpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_S3', aws.s3Endpoint);
    vi.stubEnv('AWS_REQUEST_CHECKSUM_CALCULATION', 'WHEN_REQUIRED');
    vi.stubEnv('AWS_RESPONSE_CHECKSUM_VALIDATION', 'WHEN_REQUIRED');
    ssm = mockSsm(stackParameters(model, template));
  });

  afterAll(async () => {
    ssm.restore();
    vi.unstubAllEnvs();
    clients.dynamo.destroy();
    clients.s3.destroy();
    await files.cleanup();
    await aws.stop();
  });

  it('keeps the app data in the table and bucket, across a restart, reading every variable it is given', async () => {
    const sent = new Set<string>();
    for (const [service, client] of [['dynamodb', DynamoDBClient], ['s3', S3Client]] as const) {
      const prototype = client.prototype as unknown as { send(command: object, ...rest: unknown[]): unknown };
      const send = prototype.send;
      vi.spyOn(prototype, 'send').mockImplementation(function (this: unknown, command: object, ...rest: unknown[]) {
        sent.add(actionOf(service, command.constructor.name));
        return send.call(this, command, ...rest);
      });
    }
    const first = await startDeployedNode({ template, group: model.primary, refs, workspace: files });
    try {
      expect(first.written.filter((name) => !first.read.has(name))).toEqual([]);
      expect(first.lines).toEqual([expect.stringMatching(/^ions node: notes revision notes-1 on http:\/\/127\.0\.0\.1:\d+, dynamodb storage$/)]);
      await call(first.running, 'remember', { db: 'notes', text: 'first' });
      await call(first.running, 'remember', { db: 'notes', text: 'second' });
    } finally {
      await first.running.close();
    }

    const items = await clients.dynamo.send(new QueryCommand({ TableName: refs.IonsLogTable, KeyConditionExpression: 'pk = :db', ExpressionAttributeValues: { ':db': { S: 'notes' } } }));
    expect(items.Items?.length).toBeGreaterThanOrEqual(3);

    const second = await startDeployedNode({ template, group: model.primary, refs, workspace: files });
    try {
      expect(await call(second.running, 'recall', { db: 'notes' })).toEqual(['first', 'second']);
    } finally {
      await second.running.close();
      vi.restoreAllMocks();
    }
    // Everything the node asked of DynamoDB and S3, its role in the stack allows.
    expect([...sent].filter((action) => action.startsWith('dynamodb:'))).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:Query']));
    const granted = nodeRoleActions(template, model.primary.id('NodeRole'));
    expect([...sent].filter((action) => !granted.includes(action))).toEqual([]);
  });
});
