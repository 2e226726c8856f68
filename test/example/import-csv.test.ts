// The CSV import ion reading a real upload from s3rver on loopback.
import { readFile } from 'node:fs/promises';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection } from '../../runtime/app/context.js';
import { q } from '../../runtime/db/query/index.js';
import type { Storage } from '../../runtime/db/storage/storage.js';
import { localLambdaContext } from '../../runtime/dev/lambda-context.js';
import { handler } from '../../examples/event-signup/src/import-csv.js';
import { closeExampleContext, useExampleContext } from './example-context.js';
import { startS3, type S3StandIn } from './s3-stand-in.js';

const BUCKET = 'event-signup-imports';
let s3: S3StandIn;
let storage: Storage;

beforeAll(async () => {
  s3 = await startS3([BUCKET]);
  storage = useExampleContext({ S3_ENDPOINT: s3.endpoint, EVENT_CAPACITY: '3' });
});
afterAll(async () => {
  await closeExampleContext(storage);
  await s3?.close();
});

async function uploadEvent(rawKey: string): Promise<S3Event> {
  const fixture = JSON.parse(await readFile('/work/shared/fixtures/aws-events/s3-event.json', 'utf8')) as S3Event;
  const record = fixture.Records[0]!;
  return {
    Records: [{ ...record, eventName: 'ObjectCreated:Put', s3: { ...record.s3, bucket: { ...record.s3.bucket, name: BUCKET }, object: { ...record.s3.object, key: rawKey } } }],
  };
}

describe('CSV import from an S3 upload', () => {
  it('decodes the key, signs up the good rows, reports the bad ones by line, and stops at capacity', async () => {
    // A key with a space and a plus arrives form-encoded in the event: `+` for the space, %2B for the plus.
    await s3.put(BUCKET, 'uploads/march list+extra.csv', 'name,email\nAda Lovelace,ada@example.com\nNo Mail,\n"Hopper, Grace",GRACE@example.com\nAlan Turing,alan@example.com\nLate Comer,late@example.com\n');
    const reports = await handler({ event: await uploadEvent('uploads/march+list%2Bextra.csv'), context: localLambdaContext('import-csv') });
    expect(reports).toEqual([
      {
        bucket: BUCKET,
        key: 'uploads/march list+extra.csv',
        imported: 3,
        failed: [
          { line: 3, error: 'email is required' },
          { line: 6, error: 'the event is full: all 3 seats are taken' },
        ],
      },
    ]);
    const db = (await getConnection('event-signup')).db();
    const rows = q('[:find ?email ?source :where [?a :attendee/email ?email] [?a :attendee/source ?s] [(name ?s) ?source]]', db) as string[][];
    expect(rows.sort()).toEqual([
      ['ada@example.com', 'csv'],
      ['alan@example.com', 'csv'],
      ['grace@example.com', 'csv'],
    ]);
  });

  it('fails the invocation, so that AWS retries, when the object cannot be read', async () => {
    await expect(handler({ event: await uploadEvent('uploads/missing.csv'), context: localLambdaContext('import-csv') })).rejects.toThrow(/NoSuchKey|does not exist/);
  });
});
