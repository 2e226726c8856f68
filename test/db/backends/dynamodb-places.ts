// What the tests of the DynamoDB+S3 storage's S3 objects share: a fresh table and key prefix per test
// against the dynalite and s3rver stand-ins, storage instances over it as separate processes would have
// them (clients of their own; failures are injected as middleware on them, the SDK's own seam, so every
// other call still reaches the stand-ins), and what the tests read back.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import type { DatabaseStorage, LogRecord, Storage } from '../../../runtime/db/storage/index.js';
import { dynamoStorage } from '../../../runtime/db/storage-dynamodb/index.js';
import { useAwsStandIns } from './aws-stand-ins-per-file.js';

export const DB = 'ledger';

export interface PlaceOptions {
  readonly now?: () => number;
  readonly logObjectGraceMs?: number;
  /** Called with the instance's clients before it uses them, to add middleware. */
  readonly s3?: (s3: S3Client) => void;
  readonly dynamo?: (dynamo: DynamoDBClient) => void;
}

export interface Place {
  readonly table: string;
  readonly bucket: string;
  readonly prefix: string;
  /** A storage instance over the place, as another process would have. */
  storage(options?: PlaceOptions): Storage;
  /** Keys of the objects of DB under `folder`, sorted. */
  keys(folder: 'log' | 'pending'): Promise<string[]>;
}

/** Starts the stand-ins for the test file; call at its top level. */
export function useDynamoPlaces(): { clients(): { dynamo: DynamoDBClient; s3: S3Client }; freshPlace(): Promise<Place> } {
  const standIns = useAwsStandIns();
  const clients = (): { dynamo: DynamoDBClient; s3: S3Client } => standIns.track(standIns.aws.clients());
  return {
    clients,
    async freshPlace() {
      const table = await standIns.aws.freshTable(clients().dynamo);
      const prefix = `${table}/`;
      const bucket = standIns.aws.bucket;
      return {
        table,
        bucket,
        prefix,
        storage({ now, logObjectGraceMs, s3, dynamo } = {}) {
          const pair = clients();
          s3?.(pair.s3);
          dynamo?.(pair.dynamo);
          return dynamoStorage({ tableName: table, bucket, prefix, ...pair, ...(now && { now }), ...(logObjectGraceMs !== undefined && { logObjectGraceMs }) });
        },
        async keys(folder) {
          const page = await clients().s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}${DB}/${folder}/` }));
          return (page.Contents ?? []).map((object) => object.Key!).sort();
        },
      };
    },
  };
}

export async function readAll(db: DatabaseStorage): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const record of db.readLog(0)) out.push({ t: record.t, data: Uint8Array.from(record.data) });
  return out;
}

/** Appends through a new storage instance and closes it, so its copies, deletes and sweeps are done. */
export async function appendWith(place: Place, expectedLastT: number, entries: LogRecord[], options: PlaceOptions = {}): Promise<void> {
  const storage = place.storage(options);
  try {
    await (await storage.open(DB)).append(expectedLastT, entries);
  } finally {
    await storage.close();
  }
}

/** Reads the whole log through a new storage instance and compares it, entry by entry, with `expected`. */
export async function expectLog(place: Place, expected: readonly LogRecord[]): Promise<void> {
  const storage = place.storage();
  try {
    const log = await readAll(await storage.open(DB));
    expect(log.map((record) => record.t)).toEqual(expected.map((record) => record.t));
    expect(log.every((record, i) => Buffer.from(record.data).equals(Buffer.from(expected[i]!.data)))).toBe(true);
  } finally {
    await storage.close();
  }
}

/** Makes every DeleteObject of the client fail as S3 refusing it would, while `failing` says so. */
export function failDeletes(s3: S3Client, failing: () => boolean = () => true): void {
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteObjectCommand' && failing()) throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      return next(args);
    },
    { step: 'initialize', name: 'failDeletes' },
  );
}
