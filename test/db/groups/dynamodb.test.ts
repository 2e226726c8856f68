// The group failure suite on DynamoDB+S3: dynalite and s3rver on loopback. Storage is cut off through
// a TCP proxy in front of DynamoDB, which holds the log and the lease.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import type { Storage } from '../../../runtime/db/storage/index.js';
import { dynamoStorage } from '../../../runtime/db/storage-dynamodb/index.js';
import { awsClients, startAwsStandIns, startTcpProxy, type AwsStandIns } from '../backends/servers.js';
import { groupFailures } from './group-failures.js';

let aws: AwsStandIns;
const clients: Array<{ dynamo: DynamoDBClient; s3: S3Client }> = [];
beforeAll(async () => {
  aws = await startAwsStandIns();
});
afterAll(async () => {
  for (const { dynamo, s3 } of clients) {
    dynamo.destroy();
    s3.destroy();
  }
  await aws?.stop();
});

function storageThrough(table: string, dynamoEndpoint: string, maxAttempts?: number): Storage {
  const pair = awsClients(dynamoEndpoint, aws.s3Endpoint, maxAttempts);
  clients.push(pair);
  return dynamoStorage({ tableName: table, bucket: aws.bucket, prefix: `${table}/`, ...pair });
}

groupFailures({
  name: 'dynamodb+s3',
  multiProcess: true,
  async fresh() {
    const setup = aws.clients();
    clients.push(setup);
    const table = await aws.freshTable(setup.dynamo);
    return {
      // Each instance has its own clients, as separate processes would.
      storage: () => storageThrough(table, aws.dynamoEndpoint),
      spec: { kind: 'dynamodb', table, bucket: aws.bucket, prefix: `${table}/`, dynamoEndpoint: aws.dynamoEndpoint, s3Endpoint: aws.s3Endpoint },
      async partition() {
        const proxy = await startTcpProxy(Number(new URL(aws.dynamoEndpoint).port));
        const storage = storageThrough(table, `http://127.0.0.1:${proxy.port}`, 1);
        return { storage, cut: () => proxy.cut(), heal: () => proxy.restore(), stop: () => proxy.stop() };
      },
    };
  },
});
