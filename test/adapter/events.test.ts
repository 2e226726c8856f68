// Event ions and the helpers for AWS's sharp edges: partial batch failures for SQS and streams,
// URL-encoded S3 keys, JSON messages, DynamoDB attribute values, encoded Kinesis and Logs payloads.
import type { DynamoDBStreamEvent, KinesisStreamEvent, S3Event, SNSEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  decodeLogs,
  eventIon,
  type EventBridgeIon,
  type S3Ion,
  type SqsIon,
  kinesisData,
  s3ObjectKey,
  s3Objects,
  snsMessageJson,
  sqsBatch,
  sqsBodyJson,
  streamBatch,
  unmarshallImage,
  unmarshallValue,
} from '../../adapter/index.js';
import { context, loadFixture } from './support/fixtures.js';
import { castTapPerTest } from '../support/cast-tap.js';

const tap = castTapPerTest();

const alerts = (): Record<string, unknown>[] => tap.records.filter((r) => r.type === 'alert') as Record<string, unknown>[];

function sqsEvent(ids: string[], queue = 'arn:aws:sqs:us-east-1:123456789012:orders'): SQSEvent {
  const template = loadFixture<SQSEvent>('sqs-event.json').Records[0]!;
  return { Records: ids.map((id) => ({ ...template, messageId: id, body: JSON.stringify({ id }), eventSourceARN: queue })) };
}

describe('eventIon', () => {
  it('casts an alert and rethrows so that AWS retries', async () => {
    const handler = eventIon<SQSEvent, void>(() => {
      throw new Error('queue handler broke');
    });
    await expect(handler(sqsEvent(['1']), context)).rejects.toThrow('queue handler broke');
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]).toMatchObject({ msg: 'event ion failed', requestId: 'test-request-id' });
  });

  it('refuses something that is not a function', () => {
    expect(() => eventIon(42 as never)).toThrow(/needs a function/);
  });
});

describe('typed event ions', () => {
  it('run as plain Lambda handlers on their events', async () => {
    const keys: string[] = [];
    const onUpload: S3Ion = ({ event }) => void keys.push(...s3Objects(event).map((o) => o.key));
    await eventIon(onUpload)(loadFixture('s3-event.json'), context);
    expect(keys).toEqual(['Happy Face.jpg']);

    type Deployment = { deploymentId: string; state: string };
    const onDeploy: EventBridgeIon<'CodeDeploy Deployment State-change Notification', Deployment> = ({ event }) =>
      `${event.detail.deploymentId} ${event.detail.state}`;
    expect(await eventIon(onDeploy)(loadFixture('codedeploy-deployment-event.json'), context)).toBe('d-123456789 SUCCESS');

    const onMessages: SqsIon = sqsBatch(() => undefined);
    expect(await eventIon(onMessages)(loadFixture('sqs-event.json'), context)).toEqual({ batchItemFailures: [] });
  });
});

describe('sqsBatch', () => {
  it('reports exactly the failed messages of a standard queue and casts each failure', async () => {
    const seen: string[] = [];
    const ion = sqsBatch(({ record }) => {
      seen.push(record.messageId);
      if (record.messageId.startsWith('bad')) throw new Error(`cannot process ${record.messageId}`);
    });
    const result = await eventIon(ion)(sqsEvent(['ok1', 'bad1', 'ok2', 'bad2']), context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad1' }, { itemIdentifier: 'bad2' }]);
    expect(seen.sort()).toEqual(['bad1', 'bad2', 'ok1', 'ok2']);
    expect(alerts().map((a) => a.messageId)).toEqual(['bad1', 'bad2']);
    expect(alerts()[0]).toMatchObject({ msg: 'sqs record failed', ex: expect.objectContaining({ message: 'cannot process bad1' }) });
  });

  it('reports nothing when every message succeeds', async () => {
    const result = await sqsBatch(async () => undefined)({ event: sqsEvent(['a', 'b']), context });
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('works through the fixture message', async () => {
    const bodies: string[] = [];
    const result = await sqsBatch(({ record }) => void bodies.push(record.body))({ event: loadFixture<SQSEvent>('sqs-event.json'), context });
    expect(bodies).toEqual(['Message Body']);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('stops a FIFO batch at the first failure and reports the rest unprocessed, in order', async () => {
    const seen: string[] = [];
    const ion = sqsBatch(({ record }) => {
      seen.push(record.messageId);
      if (record.messageId === 'm2') throw new Error('m2 failed');
    });
    const result = await ion({ event: sqsEvent(['m1', 'm2', 'm3', 'm4'], 'arn:aws:sqs:us-east-1:123456789012:orders.fifo'), context });
    expect(seen).toEqual(['m1', 'm2']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }, { itemIdentifier: 'm4' }]);
    expect(alerts()).toHaveLength(1);
  });

  it('runs at most `concurrency` messages at once', async () => {
    let running = 0;
    let peak = 0;
    const ion = sqsBatch(
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
      },
      { concurrency: 3 },
    );
    await ion({ event: sqsEvent(Array.from({ length: 10 }, (_, i) => `m${i}`)), context });
    expect(peak).toBe(3);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => sqsBatch(() => undefined, { concurrency: 0 })).toThrow(/concurrency must be a positive integer, got 0/);
  });
});

describe('streamBatch', () => {
  it('stops a Kinesis batch at the first failure and reports its sequence number', async () => {
    const event = loadFixture<KinesisStreamEvent>('kinesis-event.json');
    const seen: string[] = [];
    const result = await streamBatch<KinesisStreamEvent>(({ record }) => {
      seen.push(record.kinesis.sequenceNumber);
      if (seen.length === 1) throw new Error('first record failed');
    })({ event, context });
    expect(seen).toEqual([event.Records[0]!.kinesis.sequenceNumber]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.kinesis.sequenceNumber }]);
    expect(alerts()[0]).toMatchObject({ msg: 'stream record failed', sequenceNumber: event.Records[0]!.kinesis.sequenceNumber });
  });

  it('reports a DynamoDB record by its SequenceNumber', async () => {
    const event = loadFixture<DynamoDBStreamEvent>('dynamodb-event.json');
    const result = await streamBatch<DynamoDBStreamEvent>(({ record }) => {
      if (record.eventID === event.Records[1]!.eventID) throw new Error('second failed');
    })({ event, context });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1405400000000002063282832' }]);
  });

  it('reports nothing when every record succeeds', async () => {
    const result = await streamBatch<KinesisStreamEvent>(() => undefined)({ event: loadFixture('kinesis-event.json'), context });
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('fails the whole batch, loudly, when a failed record has no sequence number to report', async () => {
    const event = { Records: [{ eventID: 'e1', dynamodb: {} }] } as DynamoDBStreamEvent;
    const ion = streamBatch<DynamoDBStreamEvent>(() => {
      throw new Error('failed');
    });
    await expect(ion({ event, context })).rejects.toThrow(/stream record e1 has no sequence number/);
  });
});

describe('S3 object keys', () => {
  const withKey = (key: string): S3Event => {
    const event = loadFixture<S3Event>('s3-event.json');
    event.Records[0]!.s3.object.key = key;
    return event;
  };

  it('decodes the fixture key', () => {
    expect(s3ObjectKey(loadFixture<S3Event>('s3-event.json').Records[0]!)).toBe('Happy Face.jpg');
  });

  it.each([
    ['my+file.txt', 'my file.txt'],
    ['a%2Bb.txt', 'a+b.txt'],
    ['dir/%E2%9C%93+%28copy%29.csv', 'dir/✓ (copy).csv'],
  ])('decodes %s to %s', (raw, decoded) => {
    expect(s3ObjectKey(withKey(raw).Records[0]!)).toBe(decoded);
  });

  it('says which key was malformed', () => {
    expect(() => s3ObjectKey(withKey('bad%ZZ').Records[0]!)).toThrow(/S3 object key 'bad%ZZ' in bucket sourcebucket is not validly URL-encoded/);
  });

  it('lists the objects of an event with decoded keys', () => {
    expect(s3Objects(loadFixture<S3Event>('s3-event.json'))).toEqual([
      expect.objectContaining({ bucket: 'sourcebucket', key: 'Happy Face.jpg', size: 1024, versionId: 'version', eventName: 'ObjectCreated:Put' }),
    ]);
  });
});

describe('JSON messages', () => {
  it('parses an SNS message', () => {
    const event = loadFixture<SNSEvent>('sns-event.json');
    event.Records[0]!.Sns.Message = '{"order":7}';
    expect(snsMessageJson(event.Records[0]!)).toEqual({ order: 7 });
  });

  it('names the SNS message that is not JSON', () => {
    expect(() => snsMessageJson(loadFixture<SNSEvent>('sns-event.json').Records[0]!)).toThrow(
      /SNS message 95df01b4-ee98-5cb9-9903-4c221d41eb5e is not JSON/,
    );
  });

  it('parses an SQS body and names the one that is not JSON', () => {
    expect(sqsBodyJson(sqsEvent(['x']).Records[0]!)).toEqual({ id: 'x' });
    expect(() => sqsBodyJson(loadFixture<SQSEvent>('sqs-event.json').Records[0] as SQSRecord)).toThrow(/SQS message MessageID_1 is not JSON/);
  });
});

describe('DynamoDB attribute values', () => {
  it('unmarshalls every type in the fixture image', () => {
    const image = loadFixture<DynamoDBStreamEvent>('dynamodb-event.json').Records[1]!.dynamodb!.NewImage!;
    const item = unmarshallImage(image);
    const bytes = Buffer.from([0, 1, 42, 65]);
    // Each binary set member is its own Buffer, so equal bytes stay separate members.
    const fresh = (): Buffer => Buffer.from(bytes);
    expect(item).toEqual({
      val: 'data',
      asdf1: bytes,
      b2: Buffer.from('test', 'base64'),
      asdf2: new Set([fresh(), Buffer.from([65, 42, 1, 0]), fresh()]),
      key: 'binary',
      Binary: bytes,
      Boolean: true,
      BinarySet: new Set([fresh(), fresh()]),
      List: ['Cookies', 'Coffee', 3.14159],
      Map: { Name: 'Joe', Age: 35 },
      FloatNumber: 123.45,
      IntegerNumber: 123,
      NumberSet: new Set([1234, 567.8]),
      Null: null,
      String: 'Hello',
      StringSet: new Set(['Giraffe', 'Zebra']),
      EmptyStringSet: new Set(),
    });
  });

  it('refuses a number that a JS number cannot hold, pointing at it and at the way out', () => {
    const image = { order: { M: { total: { N: '12345678901234567890' } } } };
    expect(() => unmarshallImage(image)).toThrow(/number at order\.total \(12345678901234567890\) does not fit.*numbers: 'string'/);
    expect(unmarshallImage(image, { numbers: 'string' })).toEqual({ order: { total: '12345678901234567890' } });
  });

  it('keeps numbers with many digits that a JS number holds exactly', () => {
    expect(unmarshallValue({ N: '9007199254740991' })).toBe(9007199254740991);
    expect(unmarshallValue({ N: '1.50000000000000000000' })).toBe(1.5);
  });

  it('keeps a key named __proto__ as a plain key', () => {
    const item = unmarshallImage({ ['__proto__']: { S: 'x' } } as never);
    expect(Object.keys(item)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
  });

  it('says where an attribute without a type tag is', () => {
    expect(() => unmarshallImage({ a: { L: [{}] } } as never)).toThrow(/attribute at a\[0\] has no known type tag/);
  });
});

describe('encoded payloads', () => {
  it('decodes Kinesis data', () => {
    expect(kinesisData(loadFixture<KinesisStreamEvent>('kinesis-event.json').Records[0]!).toString()).toBe('Hello World');
  });

  it('decodes a CloudWatch Logs subscription payload', () => {
    const logs = decodeLogs(loadFixture('cloudwatch-logs-event.json'));
    expect(logs).toMatchObject({ messageType: 'DATA_MESSAGE', logGroup: expect.any(String), logEvents: expect.any(Array) });
    expect(logs.logEvents.length).toBeGreaterThan(0);
  });
});
