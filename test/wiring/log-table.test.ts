// The DynamoDB table the stack creates for the log is one the DynamoDB storage can use: the template
// takes its key layout from the backend's own definition, and the storage works on a table created
// from the template's properties, its items (root at sk -1, head at sk 0, entries at sk t) included.
import { CreateTableCommand, QueryCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAD_SK, ROOT_SK } from '../../runtime/db/storage-dynamodb/dynamo-layout.js';
import { dynamoStorage, dynamoTableDefinition } from '../../runtime/db/storage-dynamodb/index.js';
import { startAwsStandIns, type AwsStandIns } from '../db/backends/servers.js';
import { generateStack, notesConfig, resource } from './stack.js';

const templateTable = (): Record<string, unknown> => resource(generateStack(notesConfig()).template, 'IonsLogTable').Properties;

describe('the log table of the stack', () => {
  it('has the key layout and billing of the backend definition', () => {
    const { TableName: _name, ...definition } = dynamoTableDefinition('any');
    const properties = templateTable();
    for (const [key, value] of Object.entries(definition)) expect(properties[key], key).toEqual(value);
    expect(properties.AttributeDefinitions).toContainEqual({ AttributeName: 'sk', AttributeType: 'N' });
  });

  describe('created from the template on dynalite', () => {
    let aws: AwsStandIns;
    let clients: { dynamo: DynamoDBClient; s3: S3Client };
    let counter = 0;
    const createTable = async (properties: Record<string, unknown>): Promise<string> => {
      const name = `template-log-${++counter}`;
      const { AttributeDefinitions, KeySchema, BillingMode } = properties as unknown as CreateTableCommandInput;
      await clients.dynamo.send(new CreateTableCommand({ TableName: name, AttributeDefinitions, KeySchema, BillingMode }));
      return name;
    };

    beforeAll(async () => {
      aws = await startAwsStandIns();
      clients = aws.clients();
    });
    afterAll(async () => {
      clients.dynamo.destroy();
      clients.s3.destroy();
      await aws.stop();
    });

    it('holds the log, the head and the root where the storage puts them', async () => {
      const tableName = await createTable(templateTable());
      const storage = dynamoStorage({ tableName, bucket: aws.bucket, ...clients });
      const db = await storage.open('notes');
      await db.append(0, [{ t: 1, data: new Uint8Array([1]) }]);
      await db.append(1, [{ t: 2, data: new Uint8Array([2]) }]);
      const blob = await db.putBlob(new Uint8Array([9]));
      await db.casRoot(undefined, { t: 2, blob });
      await storage.close();

      const reopened = dynamoStorage({ tableName, bucket: aws.bucket, ...clients });
      const again = await reopened.open('notes');
      const log: number[] = [];
      for await (const record of again.readLog(0)) log.push(record.t);
      expect(log).toEqual([1, 2]);
      expect(await again.getRoot()).toEqual({ t: 2, blob });
      await reopened.close();

      const items = await clients.dynamo.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :db', ExpressionAttributeValues: { ':db': { S: 'notes' } } }));
      const keys = (items.Items ?? []).map((item) => Number(item.sk?.N));
      expect(keys).toEqual(expect.arrayContaining([ROOT_SK, HEAD_SK, 1]));
      expect(keys.every((sk) => Number.isInteger(sk))).toBe(true);
    });

    it('would not work with a string sort key, as the template once declared', async () => {
      const stringKeys = { ...templateTable(), AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }] };
      const tableName = await createTable(stringKeys);
      const storage = dynamoStorage({ tableName, bucket: aws.bucket, ...clients });
      await expect((async () => (await storage.open('notes')).append(0, [{ t: 1, data: new Uint8Array([1]) }]))()).rejects.toThrow('Type mismatch for key sk expected: S actual: N');
      await storage.close();
    });
  });
});
