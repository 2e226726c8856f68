// The DynamoDB+S3 backend against real stand-ins on loopback: dynalite (DynamoDB API) and s3rver (S3 API).
import { DeleteItemCommand, GetItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { StorageUnavailableError, type Storage } from '../../../runtime/db/storage/index.js';
import { dynamoStorage } from '../../../runtime/db/storage-dynamodb/index.js';
import { conformance, type Backend } from './conformance.js';
import { connectionRoundTrip } from './end-to-end.js';
import { awsClients, freePort, startTcpProxy } from './servers.js';
import { useAwsStandIns } from './aws-stand-ins-per-file.js';

const standIns = useAwsStandIns();
function newClients(maxAttempts?: number): { dynamo: DynamoDBClient; s3: S3Client } {
  const pair = standIns.aws.clients(maxAttempts);
  standIns.track(pair);
  return pair;
}

interface DynamoPlace {
  readonly table: string;
  readonly prefix: string;
  storage(): Storage;
}

async function dynamoPlace(): Promise<DynamoPlace> {
  const table = await standIns.aws.freshTable(newClients().dynamo);
  const prefix = `${table}/`;
  // Each instance has its own clients, as separate processes would.
  return { table, prefix, storage: () => dynamoStorage({ tableName: table, bucket: standIns.aws.bucket, prefix, ...newClients() }) };
}

const dynamodb: Backend = {
  name: 'dynamodb+s3',
  durable: true,
  storedAtResolutionMs: 1000,
  async fresh() {
    const place = await dynamoPlace();
    return {
      storage: place.storage,
      async corruptBlob(db, key, bytes) {
        await newClients().s3.send(new PutObjectCommand({ Bucket: standIns.aws.bucket, Key: `${place.prefix}${db}/blobs/${key}`, Body: bytes }));
      },
    };
  },
};

conformance(dynamodb);

const logItemTs = async (table: string, db: string): Promise<number[]> => {
  const result = await newClients().dynamo.send(
    new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk AND sk > :zero', ExpressionAttributeValues: { ':pk': { S: db }, ':zero': { N: '0' } }, ConsistentRead: true }),
  );
  return (result.Items ?? []).map((item) => Number(item.sk!.N));
};

describe('dynamodb+s3 storage', () => {
  connectionRoundTrip(dynamodb);

  it('commits an append in the head item and copies it to log items afterwards', async () => {
    const place = await dynamoPlace();
    const storage = place.storage();
    const db = await storage.open('copied');
    await db.append(0, [{ t: 1, data: new Uint8Array([1]) }, { t: 2, data: new Uint8Array([2]) }]);
    await db.append(2, [{ t: 3, data: new Uint8Array([3]) }]);
    const head = await newClients().dynamo.send(new GetItemCommand({ TableName: place.table, Key: { pk: { S: 'copied' }, sk: { N: '0' } }, ConsistentRead: true }));
    expect(head.Item?.lastT?.N).toBe('3');
    expect(head.Item?.prevT?.N).toBe('2');
    expect(head.Item?.pending?.L?.map((element) => element.M?.t?.N)).toEqual(['3']);
    await storage.close();
    expect(await logItemTs(place.table, 'copied')).toEqual([1, 2, 3]);
  });

  it('keeps an append too large for the head in S3 and entries too large for an item there too', async () => {
    const place = await dynamoPlace();
    const storage = place.storage();
    const db = await storage.open('spilled');
    const entries = Array.from({ length: 100 }, (_, i) => ({ t: i + 1, data: new Uint8Array(1000).fill(i) }));
    entries.push({ t: 101, data: new Uint8Array(500_000).fill(7) });
    await db.append(0, entries);
    const head = await newClients().dynamo.send(new GetItemCommand({ TableName: place.table, Key: { pk: { S: 'spilled' }, sk: { N: '0' } }, ConsistentRead: true }));
    expect(head.Item?.pendingObject?.S).toMatch(/^[0-9a-f]{64}-[0-9a-f]{16}$/);
    expect(head.Item?.pending).toBeUndefined();
    await storage.close();
    const big = await newClients().dynamo.send(new GetItemCommand({ TableName: place.table, Key: { pk: { S: 'spilled' }, sk: { N: '101' } }, ConsistentRead: true }));
    expect(big.Item?.s?.S).toMatch(/^0000000000000101-[0-9a-f]{64}-[0-9a-f]{16}$/);
    expect(big.Item?.d).toBeUndefined();
  });

  it('lets the next writer copy an append whose writer died before copying it', async () => {
    const place = await dynamoPlace();
    const first = place.storage();
    const db = await first.open('orphan');
    await db.append(0, [{ t: 1, data: new Uint8Array([1]) }]);
    await db.append(1, [{ t: 2, data: new Uint8Array([2]) }, { t: 3, data: new Uint8Array([3]) }]);
    await first.close();
    // As if the writer had died between committing t 2..3 in the head and copying them to items.
    const { dynamo } = newClients();
    for (const t of [2, 3]) await dynamo.send(new DeleteItemCommand({ TableName: place.table, Key: { pk: { S: 'orphan' }, sk: { N: String(t) } } }));
    const second = await place.storage().open('orphan');
    expect((await collectTs(second.readLog(0)))).toEqual([1, 2, 3]);
    await second.append(3, [{ t: 4, data: new Uint8Array([4]) }]);
    expect(await collectTs(second.readLog(0))).toEqual([1, 2, 3, 4]);
    expect((await logItemTs(place.table, 'orphan')).slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('says an endpoint it cannot reach is unavailable and retryable', async () => {
    const port = await freePort();
    const pair = awsClients(`http://127.0.0.1:${port}`, `http://127.0.0.1:${port}`, 1);
    standIns.track(pair);
    const storage = dynamoStorage({ tableName: 'nowhere', bucket: 'nowhere', ...pair });
    const error = (await storage.open('app').catch((e: unknown) => e)) as StorageUnavailableError;
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/creating database app on DynamoDB table nowhere failed: .*ECONNREFUSED/);
    expect(error.message).not.toContain('S3RVER');
    await storage.close();
  });

  it('fails with a retryable error while DynamoDB is away and works again once it is back', async () => {
    const table = await standIns.aws.freshTable(newClients().dynamo);
    const proxy = await startTcpProxy(Number(new URL(standIns.aws.dynamoEndpoint).port));
    const pair = awsClients(`http://127.0.0.1:${proxy.port}`, standIns.aws.s3Endpoint, 1);
    standIns.track(pair);
    const storage = dynamoStorage({ tableName: table, bucket: standIns.aws.bucket, prefix: `${table}/`, ...pair });
    try {
      const db = await storage.open('outage');
      await db.append(0, [{ t: 1, data: new Uint8Array([1]) }]);
      await proxy.cut();
      const failed = (await db.append(1, [{ t: 2, data: new Uint8Array([2]) }]).catch((e: unknown) => e)) as Error;
      expect(failed).toBeInstanceOf(StorageUnavailableError);
      expect(failed.message).toMatch(new RegExp(`append to outage on DynamoDB table ${table} failed`));
      await proxy.restore();
      await db.append(1, [{ t: 2, data: new Uint8Array([2]) }]);
      expect(await collectTs(db.readLog(0))).toEqual([1, 2]);
    } finally {
      await storage.close();
      await proxy.stop();
    }
  });

  it('fails calls on a database after its storage closed', async () => {
    const storage = (await dynamoPlace()).storage();
    const db = await storage.open('gone');
    await storage.close();
    await expect(db.lastT()).rejects.toThrow(/storage of database gone is closed/);
    await expect(storage.open('gone')).rejects.toThrow(/is closed: cannot open gone/);
  });

  it('lists blobs across ListObjectsV2 pages, leaving log entries and pending lists in S3 out', async () => {
    const place = await dynamoPlace();
    const storage = dynamoStorage({ tableName: place.table, bucket: standIns.aws.bucket, prefix: place.prefix, listPageSize: 2, ...newClients() });
    try {
      const db = await storage.open('paged');
      // An entry too large for an item lands under <db>/log/, a pending list too large for the head under
      // <db>/pending/: beside the blobs, not among them.
      await db.append(0, [{ t: 1, data: new Uint8Array(100_000).fill(1) }]);
      await db.append(1, Array.from({ length: 80 }, (_, i) => ({ t: i + 2, data: new Uint8Array(1000).fill(i) })));
      const keys = await Promise.all(Array.from({ length: 5 }, (_, i) => db.putBlob(new Uint8Array([i]))));
      const listed: string[] = [];
      for await (const blob of db.listBlobs!()) listed.push(blob.key);
      expect(listed.sort()).toEqual([...keys].sort());
    } finally {
      await storage.close();
    }
  });

  it('checks its options', () => {
    expect(() => dynamoStorage({ tableName: '', bucket: 'b' })).toThrow(/tableName must be a non-empty string/);
    expect(() => dynamoStorage({ tableName: 't', bucket: '' })).toThrow(/bucket must be a non-empty string/);
    expect(() => dynamoStorage({ tableName: 't', bucket: 'b', listPageSize: 1001 })).toThrow(/listPageSize 1001 must be an integer from 1 to 1000/);
    expect(() => dynamoStorage({ tableName: 't', bucket: 'b', logObjectGraceMs: -1 })).toThrow(/logObjectGraceMs -1 must be an integer number of milliseconds >= 0/);
  });
});

async function collectTs(log: AsyncIterable<{ t: number }>): Promise<number[]> {
  const out: number[] = [];
  for await (const { t } of log) out.push(t);
  return out;
}
