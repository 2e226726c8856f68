// The group failure suite on DynamoDB+S3: dynalite and s3rver on loopback. Storage is cut off through
// a TCP proxy in front of DynamoDB, which holds the log and the lease.
import type { Storage } from '../../../runtime/db/storage/index.js';
import { dynamoStorage } from '../../../runtime/db/storage-dynamodb/index.js';
import { awsClients, startTcpProxy } from '../backends/servers.js';
import { useAwsStandIns } from '../backends/aws-stand-ins-per-file.js';
import { groupFailures } from './group-failures.js';

const standIns = useAwsStandIns();

function storageThrough(table: string, dynamoEndpoint: string, maxAttempts?: number): Storage {
  const pair = awsClients(dynamoEndpoint, standIns.aws.s3Endpoint, maxAttempts);
  standIns.track(pair);
  return dynamoStorage({ tableName: table, bucket: standIns.aws.bucket, prefix: `${table}/`, ...pair });
}

groupFailures({
  name: 'dynamodb+s3',
  multiProcess: true,
  async fresh() {
    const setup = standIns.aws.clients();
    standIns.track(setup);
    const table = await standIns.aws.freshTable(setup.dynamo);
    return {
      // Each instance has its own clients, as separate processes would.
      storage: () => storageThrough(table, standIns.aws.dynamoEndpoint),
      spec: { kind: 'dynamodb', table, bucket: standIns.aws.bucket, prefix: `${table}/`, dynamoEndpoint: standIns.aws.dynamoEndpoint, s3Endpoint: standIns.aws.s3Endpoint },
      async partition() {
        const proxy = await startTcpProxy(Number(new URL(standIns.aws.dynamoEndpoint).port));
        const storage = storageThrough(table, `http://127.0.0.1:${proxy.port}`, 1);
        return { storage, cut: () => proxy.cut(), heal: () => proxy.restore(), stop: () => proxy.stop() };
      },
    };
  },
});
