// Pending lists too large for the DynamoDB head live in S3 objects; these tests hold the backend to
// deleting each once its head is replaced, to readers that race those deletes, and to the sweep of
// leftovers, against the dynalite and s3rver stand-ins. Failures are injected as middleware on real
// clients (the SDK's own seam), so every other call still reaches the stand-ins.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { StorageConflictError, StorageCorruptError, StorageUnavailableError, type LogRecord } from '../../../runtime/db/storage/index.js';
import { PENDING_LIST_GRACE_MS } from '../../../runtime/db/storage-dynamodb/pending-list.js';
import { castTapPerTest } from '../../support/cast-tap.js';
import { DB, expectLog, failDeletes, readAll, useDynamoPlaces, type Place } from './dynamodb-places.js';

const { clients, freshPlace } = useDynamoPlaces();

const tap = castTapPerTest();

/** `count` entries from t `from` + 1 whose pending list is too large for the head (over 64 KB), none too large for an item. */
function batch(from: number, count = 80): LogRecord[] {
  return Array.from({ length: count }, (_, i) => ({ t: from + i + 1, data: new Uint8Array(1000).fill((from + i) % 251) }));
}

const small = (t: number): LogRecord[] => [{ t, data: new Uint8Array([t % 256]) }];

/** The S3 key of the pending list the head names, if it names one. */
async function namedKey(place: Place): Promise<string | undefined> {
  const head = await clients().dynamo.send(new GetItemCommand({ TableName: place.table, Key: { pk: { S: DB }, sk: { N: '0' } }, ConsistentRead: true }));
  const name = head.Item?.pendingObject?.S;
  return name === undefined ? undefined : `${place.prefix}${DB}/pending/${name}`;
}

/** Appends `batches` one after another, each through its own storage instance when `instances` says so. */
async function appendAll(place: Place, batches: readonly LogRecord[][], instances: 'one' | 'each'): Promise<void> {
  let storage = place.storage();
  let lastT = 0;
  for (const entries of batches) {
    if (instances === 'each') {
      await storage.close();
      storage = place.storage();
    }
    await (await storage.open(DB)).append(lastT, entries);
    lastT = entries.at(-1)!.t;
  }
  await storage.close();
}

/**
 * Two large appends by a writer that cannot delete: the first one's list is left behind, as a writer
 * that died before deleting it would leave it; the second one's is the list the head names.
 */
async function leaveLeftover(place: Place): Promise<{ leftover: string; named: string }> {
  const crashed = place.storage({ s3: failDeletes });
  const db = await crashed.open(DB);
  await db.append(0, batch(0));
  const leftover = (await namedKey(place))!;
  await db.append(80, batch(80));
  const named = (await namedKey(place))!;
  await crashed.close();
  return { leftover, named };
}

/** Runs `meanwhile` before each of the client's first `times` reads of a pending list is sent. */
function beforePendingReads(s3: S3Client, meanwhile: () => Promise<void>, times = 1): void {
  let left = times;
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key ?? '';
      if (left > 0 && context.commandName === 'GetObjectCommand' && key.includes('/pending/')) {
        left--;
        await meanwhile();
      }
      return next(args);
    },
    { step: 'initialize', name: 'beforePendingReads' },
  );
}

/** Counts the client's listings of pending lists. */
function countLists(s3: S3Client, counted: () => void): void {
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ListObjectsV2Command' && ((args.input as { Prefix?: string }).Prefix ?? '').endsWith('/pending/')) counted();
      return next(args);
    },
    { step: 'initialize', name: 'countLists' },
  );
}

const swept = (): unknown[] => tap.records.filter((record) => record.msg === 'db.dynamodb/pending-lists-swept').map((record) => record.deleted);
const alerts = (): Record<string, unknown>[] => tap.records.filter((record) => record.type === 'alert');

describe('dynamodb+s3 pending lists', () => {
  it('keeps only the pending list the head names through a run of appends, and every entry readable', async () => {
    for (const instances of ['one', 'each'] as const) {
      const place = await freshPlace();
      // An entry too large for an item lives in S3 under log/ for good, referenced from its log item.
      const oversized = { t: 162, data: new Uint8Array(100_000).fill(9) };
      const batches = [batch(0), batch(80), small(161), [oversized, ...batch(162)], batch(242), batch(322)];
      await appendAll(place, batches, instances);
      const named = await namedKey(place);
      expect(named).toMatch(/\/pending\/[0-9a-f]{64}-[0-9a-f]{16}$/);
      expect(await place.keys('pending')).toEqual([named]);
      await expectLog(place, batches.flat());
    }
    expect(alerts()).toEqual([]);
  });

  it('leaves no pending list once a small append replaces a large one', async () => {
    const place = await freshPlace();
    await appendAll(place, [batch(0), small(81)], 'each');
    expect(await namedKey(place)).toBeUndefined();
    expect(await place.keys('pending')).toEqual([]);
    await expectLog(place, [...batch(0), ...small(81)]);
  });

  it('lets a reader whose head was replaced twice, its list deleted, go on from the new head', async () => {
    const place = await freshPlace();
    const writer = place.storage();
    const written = await writer.open(DB);
    await written.append(0, batch(0));
    const first = await namedKey(place);
    let raced = false;
    const reader = place.storage({
      s3: (s3) =>
        beforePendingReads(s3, async () => {
          await written.append(80, batch(80));
          await written.append(160, batch(160));
          await writer.close();
          // The reader is about to fetch the list it read in the head, which is gone now.
          expect(await place.keys('pending')).toEqual([await namedKey(place)]);
          expect(await place.keys('pending')).not.toContain(first);
          raced = true;
        }),
    });
    try {
      const log = await readAll(await reader.open(DB));
      expect(raced).toBe(true);
      expect(log.map((record) => record.t)).toEqual(batch(0, 240).map((record) => record.t));
      expect(log.every((record) => record.data.length === 1000 && record.data[0] === (record.t - 1) % 251)).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('refuses an append as a conflict, not corruption, when the list it read was deleted by a writer that went ahead', async () => {
    const place = await freshPlace();
    await appendAll(place, [batch(0)], 'one');
    const ahead = place.storage();
    const behind = place.storage({
      s3: (s3) =>
        beforePendingReads(s3, async () => {
          await (await ahead.open(DB)).append(80, batch(80));
          await ahead.close();
        }),
    });
    try {
      const error = await (await behind.open(DB)).append(80, small(81)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageConflictError);
      expect((error as Error).message).toMatch(/log of ledger ends at t 160, not at the expected 80/);
    } finally {
      await behind.close();
    }
    await expectLog(place, batch(0, 160));
  });

  it('says a head that still names a missing pending list is corrupt', async () => {
    const place = await freshPlace();
    await appendAll(place, [batch(0)], 'one');
    const named = (await namedKey(place))!;
    await clients().s3.send(new DeleteObjectCommand({ Bucket: place.bucket, Key: named }));
    const storage = place.storage();
    try {
      const error = await readAll(await storage.open(DB)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageCorruptError);
      expect((error as Error).message).toBe(`the head of ledger names a pending list that is missing (at S3 ${place.bucket}/${named})`);
    } finally {
      await storage.close();
    }
  });

  it('gives up with a retryable error, saying how often, when appends keep deleting the list it is about to read', async () => {
    const place = await freshPlace();
    await appendAll(place, [batch(0)], 'one');
    let lastT = 80;
    const reader = place.storage({
      s3: (s3) =>
        beforePendingReads(
          s3,
          async () => {
            const writer = place.storage();
            await (await writer.open(DB)).append(lastT, batch(lastT));
            await writer.close();
            lastT += 80;
          },
          Number.POSITIVE_INFINITY,
        ),
    });
    try {
      const error = await readAll(await reader.open(DB)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toBe(
        'reading the log of ledger: read the head of ledger 5 times, and each time the pending list it named was replaced and deleted before it could be read; appends outpace this reader, try again',
      );
    } finally {
      await reader.close();
    }
    expect(lastT).toBe(80 + 5 * 80);
    await expectLog(place, batch(0, lastT));
  });

  it('casts a failed delete as an alert naming the object, and the append succeeds', async () => {
    const place = await freshPlace();
    const storage = place.storage({ s3: failDeletes });
    const db = await storage.open(DB);
    await db.append(0, batch(0));
    const replaced = await namedKey(place);
    await db.append(80, batch(80));
    expect(await db.lastT()).toBe(160);
    await storage.close();
    const failed = alerts();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ msg: 'db.dynamodb/pending-list-delete-failed', db: DB, bucket: place.bucket, key: replaced });
    expect(JSON.stringify(failed[0]!.ex)).toContain('Access Denied');
    // The data is safe; the object waits for the sweep.
    expect(await place.keys('pending')).toEqual([replaced, await namedKey(place)].sort());
    await expectLog(place, batch(0, 160));
  });

  it('sweeps a leftover pending list once it is older than the grace period, never sooner', async () => {
    const place = await freshPlace();
    const { leftover } = await leaveLeftover(place);
    tap.clear();

    let lastT = 160;
    const appendAt = async (offsetMs: number): Promise<void> => {
      // Each writer sweeps on its first append, judging ages by its own clock.
      const storage = place.storage({ now: () => Date.now() + offsetMs });
      await (await storage.open(DB)).append(lastT, small(lastT + 1));
      await storage.close();
      lastT++;
    };
    for (const offset of [0, PENDING_LIST_GRACE_MS - 60_000]) {
      await appendAt(offset);
      expect(await place.keys('pending')).toEqual([leftover]);
    }
    expect(swept()).toEqual([]);
    await appendAt(PENDING_LIST_GRACE_MS + 2000);
    expect(await place.keys('pending')).toEqual([]);
    expect(swept()).toEqual([[leftover]]);
    expect(alerts()).toEqual([]);
    await expectLog(place, [...batch(0, 160), ...small(161), ...small(162), ...small(163)]);
  });

  it('sweeps on a writer’s first append and then once per grace period', async () => {
    const place = await freshPlace();
    const { leftover } = await leaveLeftover(place);
    tap.clear();
    let clock = Date.now();
    let lists = 0;
    const storage = place.storage({ now: () => clock, s3: (s3) => countLists(s3, () => lists++) });
    const writer = await storage.open(DB);
    await writer.append(160, small(161));
    clock += PENDING_LIST_GRACE_MS - 60_000;
    await writer.append(161, small(162));
    clock += 60_000 + 2000;
    await writer.append(162, small(163));
    await storage.close();
    expect(lists).toBe(2);
    // One sweep deleted something: the leftover, and perhaps the list the writer's first append
    // replaced, when the writer's own delete of it (in the background) had not landed yet.
    expect(swept()).toHaveLength(1);
    expect(swept()[0]).toContain(leftover);
    expect(await place.keys('pending')).toEqual([]);
  });

  it('never sweeps the pending list the head names, however old', async () => {
    const place = await freshPlace();
    const { leftover, named: replacedToo } = await leaveLeftover(place);
    tap.clear();
    // To this writer's clock every object is ten grace periods old, the one its own append just named too.
    const storage = place.storage({ now: () => Date.now() + 10 * PENDING_LIST_GRACE_MS });
    await (await storage.open(DB)).append(160, batch(160));
    await storage.close();
    const named = (await namedKey(place))!;
    expect(await place.keys('pending')).toEqual([named]);
    const deleted = swept().flat();
    expect(deleted).toContain(leftover);
    expect(deleted).not.toContain(named);
    // The list the append replaced goes by the writer's own delete, or by the sweep if it lists it first.
    expect([leftover, replacedToo]).toEqual(expect.arrayContaining(deleted as string[]));
    await expectLog(place, batch(0, 240));
  });
});
