// Log entries too large for a DynamoDB item live in S3 objects of their own; these tests hold the backend
// to deleting the objects of refused appends, to sweeping those a writer left behind once they are older
// than the grace period, and to never taking one a log entry names, against the dynalite and s3rver
// stand-ins.
import { GetItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { LeaseLostError, StorageConflictError, StorageCorruptError, StorageUnavailableError, type DatabaseStorage, type LogRecord, type Storage } from '../../../runtime/db/storage/index.js';
import { LOG_OBJECT_GRACE_MS } from '../../../runtime/db/storage-dynamodb/log-object.js';
import { castTapPerTest } from '../../support/cast-tap.js';
import { DB, appendWith, expectLog, failDeletes, readAll, useDynamoPlaces, type Place, type PlaceOptions } from './dynamodb-places.js';

const { clients, freshPlace } = useDynamoPlaces();

const tap = castTapPerTest();

/** An entry too large for an item (over 64 KB), so its bytes go to an object under <db>/log/. */
const big = (t: number, fill: number): LogRecord => ({ t, data: new Uint8Array(100_000).fill(fill) });
const small = (t: number): LogRecord => ({ t, data: new Uint8Array([t % 256]) });
/** Small entries from t `from` + 1 on, 80 KB in all: together too large for the head, so their list goes to <db>/pending/. */
const filler = (from: number): LogRecord[] => Array.from({ length: 80 }, (_, i) => ({ t: from + i + 1, data: new Uint8Array(1000).fill(i) }));

/** The S3 keys of the log objects the log items name; after a storage closed, every entry is in an item. */
async function namedLogKeys(place: Place): Promise<string[]> {
  const result = await clients().dynamo.send(
    new QueryCommand({ TableName: place.table, KeyConditionExpression: 'pk = :pk AND sk > :zero', ExpressionAttributeValues: { ':pk': { S: DB }, ':zero': { N: '0' } }, ConsistentRead: true }),
  );
  return (result.Items ?? []).flatMap((item) => (item.s?.S === undefined ? [] : [`${place.prefix}${DB}/log/${item.s.S}`])).sort();
}

/**
 * A writer that appended t 1 and believes its head is still the last one, so its next append uploads
 * before it learns otherwise, while other writers appended `others`, one append each, from t 2 on.
 */
async function leftBehind(place: Place, others: LogRecord[][], options: PlaceOptions = {}): Promise<{ storage: Storage; db: DatabaseStorage }> {
  const storage = place.storage(options);
  const db = await storage.open(DB);
  await db.append(0, [small(1)]);
  for (const entries of others) await appendWith(place, entries[0]!.t - 1, entries);
  return { storage, db };
}

/** Makes the client's conditional appends fail before they reach DynamoDB, as a writer that dies after its uploads would leave things. */
function dieBeforeAppending(dynamo: DynamoDBClient): void {
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateItemCommand' && String((args.input as { ConditionExpression?: string }).ConditionExpression).startsWith('lastT = :prev')) {
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'dieBeforeAppending' },
  );
}

/** Uploads `entries`' oversized objects as a writer does, then dies before its conditional append; the keys it left. */
async function crashAfterUpload(place: Place, expectedLastT: number, entries: LogRecord[]): Promise<string[]> {
  const before = await place.keys('log');
  const error = await appendWith(place, expectedLastT, entries, { dynamo: dieBeforeAppending }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageUnavailableError);
  const left = (await place.keys('log')).filter((key) => !before.includes(key));
  expect(left.length).toBeGreaterThan(0);
  return left;
}

/** Counts the log items the client reads by key (the judging of objects against their entries). */
function countItemReads(dynamo: DynamoDBClient, read: (ts: number[]) => void): void {
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchGetItemCommand') {
        const requests = (args.input as { RequestItems: Record<string, { Keys: { sk: { N: string } }[] }> }).RequestItems;
        read(Object.values(requests).flatMap((request) => request.Keys.map((key) => Number(key.sk.N))));
      }
      return next(args);
    },
    { step: 'initialize', name: 'countItemReads' },
  );
}

/** Makes the client's reads of log items by key fail as an overloaded DynamoDB would, while `failing` says so. */
function failItemReads(dynamo: DynamoDBClient, failing: () => boolean = () => true): void {
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchGetItemCommand' && failing()) throw Object.assign(new Error('We encountered an internal error'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
      return next(args);
    },
    { step: 'initialize', name: 'failItemReads' },
  );
}

/** Waits, 2 s at most, until `done` holds: for what a storage goes on doing after an append returned. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    if (waited >= 2000) throw new Error('waited 2 s in vain');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const swept = (): unknown[] => tap.records.filter((record) => record.msg === 'db.dynamodb/log-objects-swept').map((record) => record.deleted);
const alerts = (): Record<string, unknown>[] => tap.records.filter((record) => record.type === 'alert');

describe('dynamodb+s3 log objects', () => {
  it('deletes the objects of an append refused because another writer won, even of equal bytes for the same t', async () => {
    const place = await freshPlace();
    // The winner takes t 2 with the very bytes the loser is about to upload for it.
    const loser = await leftBehind(place, [[big(2, 7)]]);
    const won = await place.keys('log');
    expect(won).toHaveLength(1);
    const error = await loser.db.append(1, [big(2, 7), small(3), big(4, 8)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageConflictError);
    expect((error as Error).message).toBe('log of ledger ends at t 2, not at the expected 1');
    await loser.storage.close();
    expect(await place.keys('log')).toEqual(won);
    expect(await namedLogKeys(place)).toEqual(won);
    expect(alerts()).toEqual([]);
    await expectLog(place, [small(1), big(2, 7)]);
  });

  it('deletes the objects and the pending list of an append refused because its writer lost the lease', async () => {
    const place = await freshPlace();
    const fenced = place.storage();
    const db = await fenced.open(DB);
    const lease = { owner: 'first', epoch: 1, expiresAt: Date.now() + 60_000 };
    await db.casLease(undefined, lease);
    await db.append(0, [small(1)], { epoch: 1 });
    const taker = place.storage();
    await (await taker.open(DB)).casLease(lease, { owner: 'second', epoch: 2, expiresAt: Date.now() + 60_000 });
    await taker.close();
    const error = await db.append(1, [big(2, 1), ...filler(2)], { epoch: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    await fenced.close();
    expect(await place.keys('log')).toEqual([]);
    expect(await place.keys('pending')).toEqual([]);
    expect(alerts()).toEqual([]);
    await expectLog(place, [small(1)]);
  });

  it('alerts when it cannot delete a refused append’s object, still refuses the append, and leaves the object to the sweep', async () => {
    const place = await freshPlace();
    const loser = await leftBehind(place, [[small(2)]], { s3: failDeletes });
    const error = await loser.db.append(1, [big(2, 5)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageConflictError);
    await loser.storage.close();
    const [leftover, ...others] = await place.keys('log');
    expect(others).toEqual([]);
    const failed = alerts();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ msg: 'db.dynamodb/log-object-delete-failed', db: DB, bucket: place.bucket, key: leftover });
    expect(JSON.stringify(failed[0]!.ex)).toContain('Access Denied');
    tap.clear();
    await appendWith(place, 2, [small(3)], { now: () => Date.now() + LOG_OBJECT_GRACE_MS - 60_000 });
    expect(await place.keys('log')).toEqual([leftover]);
    await appendWith(place, 3, [small(4)], { now: () => Date.now() + LOG_OBJECT_GRACE_MS + 2000 });
    expect(await place.keys('log')).toEqual([]);
    expect(swept()).toEqual([[leftover]]);
    expect(alerts()).toEqual([]);
    await expectLog(place, [1, 2, 3, 4].map(small));
  });

  it('alerts when it cannot tell whether a refused append’s object is named, still refuses the append, and keeps the object', async () => {
    const place = await freshPlace();
    const loser = await leftBehind(place, [[small(2)], [small(3)]], { dynamo: failItemReads });
    // t 2 is in a log item now: whether that names the loser's object takes a read, which fails.
    const error = await loser.db.append(1, [big(2, 5)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageConflictError);
    await loser.storage.close();
    expect(await place.keys('log')).toHaveLength(1);
    const failed = alerts();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ msg: 'db.dynamodb/refused-append-cleanup-failed', db: DB, bucket: place.bucket });
    expect(JSON.stringify(failed[0]!.ex)).toContain('internal error');
    await expectLog(place, [1, 2, 3].map(small));
  });

  it('goes over the same objects again in its next sweep when a sweep could not finish', async () => {
    const place = await freshPlace();
    await appendWith(place, 0, [small(1)]);
    const [leftover] = await crashAfterUpload(place, 1, [big(2, 1)]);
    await appendWith(place, 1, [small(2)]);
    tap.clear();
    let clock = Date.now() + LOG_OBJECT_GRACE_MS + 2000;
    let failing: 'deletes' | 'reads' | 'nothing' = 'deletes';
    const storage = place.storage({
      now: () => clock,
      s3: (s3) => failDeletes(s3, () => failing === 'deletes'),
      dynamo: (dynamo) => failItemReads(dynamo, () => failing === 'reads'),
    });
    const writer = await storage.open(DB);
    await writer.append(2, [small(3)]);
    await until(() => alerts().length === 1);
    failing = 'reads';
    clock += LOG_OBJECT_GRACE_MS;
    await writer.append(3, [small(4)]);
    await until(() => alerts().length === 2);
    failing = 'nothing';
    clock += LOG_OBJECT_GRACE_MS;
    await writer.append(4, [small(5)]);
    await storage.close();
    expect(alerts().map((record) => record.msg)).toEqual(['db.dynamodb/log-object-delete-failed', 'db.dynamodb/log-object-sweep-failed']);
    expect(swept()).toEqual([[leftover]]);
    expect(await place.keys('log')).toEqual([]);
    await expectLog(place, [1, 2, 3, 4, 5].map(small));
  });

  it('sweeps what a writer that died between upload and append left, once older than the grace period and never sooner', async () => {
    const place = await freshPlace();
    await appendWith(place, 0, [small(1)]);
    // Left for t 2, which another append then takes: its log item names another object.
    const [forTaken] = await crashAfterUpload(place, 1, [big(2, 1)]);
    await appendWith(place, 1, [big(2, 2)]);
    // Left for t 20, beyond the end of the log.
    const [beyond] = await crashAfterUpload(place, 2, [...Array.from({ length: 17 }, (_, i) => small(i + 3)), big(20, 3)]);
    // Left for t 5, which the sweeping append takes last: the head's pending list names another object.
    const [forPending] = await crashAfterUpload(place, 2, [small(3), small(4), big(5, 4)]);
    const leftovers = [forTaken!, beyond!, forPending!];
    tap.clear();

    await appendWith(place, 2, [small(3)]);
    await appendWith(place, 3, [small(4)], { now: () => Date.now() + LOG_OBJECT_GRACE_MS - 60_000 });
    expect(await place.keys('log')).toEqual(expect.arrayContaining(leftovers));
    expect(swept()).toEqual([]);
    await appendWith(place, 4, [big(5, 5)], { now: () => Date.now() + LOG_OBJECT_GRACE_MS + 2000 });
    const named = await namedLogKeys(place);
    expect(named).toHaveLength(2);
    expect(await place.keys('log')).toEqual(named);
    expect(swept()).toEqual([[...leftovers].sort()]);
    expect(alerts()).toEqual([]);
    await expectLog(place, [small(1), big(2, 2), small(3), small(4), big(5, 5)]);
  });

  it('never sweeps an object a log entry names, in a log item, the head or a pending list, however old', async () => {
    const place = await freshPlace();
    const expected: LogRecord[] = [];
    let lastT = 0;
    // Each append sweeps first thing in a new instance, with every object already of age.
    const append = async (entries: LogRecord[]): Promise<void> => {
      await appendWith(place, lastT, entries, { logObjectGraceMs: 0, now: () => Date.now() + 1000 });
      expected.push(...entries);
      lastT = entries.at(-1)!.t;
    };
    await append([big(1, 1), small(2), big(3, 2)]);
    // A name the backend does not make (as content-addressed entries once were named) is not the sweep's to judge.
    const foreign = `${place.prefix}${DB}/log/${'ab'.repeat(32)}`;
    await clients().s3.send(new PutObjectCommand({ Bucket: place.bucket, Key: foreign, Body: new Uint8Array([1]) }));
    const [leftover] = await crashAfterUpload(place, 3, [big(4, 9)]);
    await append([big(4, 3)]);
    expect(await place.keys('log')).not.toContain(leftover);
    for (let round = 0; round < 3; round++) {
      // An append whose list stays in the head, then one whose list goes to S3, both naming objects.
      await append([big(lastT + 1, round)]);
      await append([big(lastT + 1, round + 100), ...filler(lastT + 1)]);
      await append([small(lastT + 1)]);
    }
    expect(swept().flat()).toEqual([leftover]);
    const named = await namedLogKeys(place);
    expect(named).toHaveLength(3 + 6);
    expect(await place.keys('log')).toEqual([...named, foreign].sort());
    expect(alerts()).toEqual([]);
    await expectLog(place, expected);
  });

  it('judges each object once per writer: a later sweep reads the log only for objects that came of age since', async () => {
    const place = await freshPlace();
    await appendWith(place, 0, [big(1, 1), big(2, 2), big(3, 3)]);
    await appendWith(place, 3, [small(4)]);
    // S3 dates objects in whole seconds: make those above of age by a margin a new leftover is not.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    let clock = Date.now() + LOG_OBJECT_GRACE_MS - 1000;
    const reads: number[][] = [];
    const storage = place.storage({ now: () => clock, dynamo: (dynamo) => countItemReads(dynamo, (ts) => reads.push(ts)) });
    const writer = await storage.open(DB);
    await writer.append(4, [small(5)]);
    const [leftover] = await crashAfterUpload(place, 5, [big(6, 6)]);
    await appendWith(place, 5, [small(6)]);
    clock += LOG_OBJECT_GRACE_MS + 2000;
    await writer.append(6, [small(7)]);
    await storage.close();
    expect(reads).toEqual([[1, 2, 3], [6]]);
    expect(swept()).toEqual([[leftover]]);
    expect(await place.keys('log')).toEqual(await namedLogKeys(place));
  });

  it('says a log entry naming an object uploaded for another t is corrupt', async () => {
    const place = await freshPlace();
    await appendWith(place, 0, [big(1, 1), big(2, 2), small(3)]);
    await appendWith(place, 3, [small(4)]);
    const { dynamo } = clients();
    const key = (t: number): Record<string, { S: string } | { N: string }> => ({ pk: { S: DB }, sk: { N: String(t) } });
    const first = await dynamo.send(new GetItemCommand({ TableName: place.table, Key: key(1), ConsistentRead: true }));
    await dynamo.send(new PutItemCommand({ TableName: place.table, Item: { ...key(2), s: first.Item!.s! } }));
    const storage = place.storage();
    try {
      const error = await readAll(await storage.open(DB)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageCorruptError);
      expect((error as Error).message).toBe(
        `log entry t=2 names log object ${first.Item!.s!.S}, which was uploaded for t 1 (at S3 ${place.bucket}/${place.prefix}${DB}/log/${first.Item!.s!.S})`,
      );
    } finally {
      await storage.close();
    }
  });
});
