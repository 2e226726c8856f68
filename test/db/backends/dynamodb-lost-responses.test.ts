// An append whose response is lost after it landed is sent again by the SDK, and DynamoDB refuses the
// retry: its condition (lastT at the expected t) no longer holds, because of the append itself. These
// tests hold the backend to telling that apart from a real refusal, against the dynalite and s3rver
// stand-ins: the lost response is a connection reset injected as middleware after the response came
// back, so the SDK's own retry logic sends the second attempt.
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { LeaseLostError, StorageConflictError, StorageUnavailableError, type LogRecord } from '../../../runtime/db/storage/index.js';
import { castTapPerTest } from '../../support/cast-tap.js';
import { DB, appendWith, expectLog, useDynamoPlaces, type Place } from './dynamodb-places.js';

const { clients, freshPlace } = useDynamoPlaces();

const tap = castTapPerTest();

/** An entry too large for an item (over 64 KB), so its bytes go to an object under <db>/log/. */
const big = (t: number, fill: number): LogRecord => ({ t, data: new Uint8Array(100_000).fill(fill) });
const small = (t: number): LogRecord => ({ t, data: new Uint8Array([t % 256]) });
/** Small entries from t `from` + 1 on, 80 KB in all: together too large for the head, so their list goes to <db>/pending/. */
const filler = (from: number): LogRecord[] => Array.from({ length: 80 }, (_, i) => ({ t: from + i + 1, data: new Uint8Array(1000).fill(i) }));

const isAppend = (input: unknown): boolean => String((input as { ConditionExpression?: string }).ConditionExpression).startsWith('lastT = :prev');

/**
 * Lets the client's first conditional append reach DynamoDB and land, runs `meanwhile`, then loses the
 * response as a reset connection would. The SDK retries the append, and its retry is refused.
 */
function loseFirstAppendResponse(dynamo: DynamoDBClient, meanwhile: () => Promise<void> = async () => {}): { lost(): boolean } {
  let lost = false;
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (lost || context.commandName !== 'UpdateItemCommand' || !isAppend(args.input)) return result;
      lost = true;
      await meanwhile();
      throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });
    },
    { step: 'deserialize', name: 'loseFirstAppendResponse' },
  );
  return { lost: () => lost };
}

/** Makes the client's GetItems of the items `which` picks by sk (0 is the head) fail as an overloaded DynamoDB would, while `failing` says so. */
function failGets(dynamo: DynamoDBClient, which: (sk: number) => boolean, failing: () => boolean): void {
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const sk = Number((args.input as { Key?: { sk?: { N?: string } } }).Key?.sk?.N);
      if (context.commandName === 'GetItemCommand' && which(sk) && failing()) {
        throw Object.assign(new Error('We encountered an internal error'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'failGets' },
  );
}

/** The head item's lastT and prevT as DynamoDB holds them. */
async function headTs(place: Place): Promise<{ lastT: number; prevT: number }> {
  const head = await clients().dynamo.send(new GetItemCommand({ TableName: place.table, Key: { pk: { S: DB }, sk: { N: '0' } }, ConsistentRead: true }));
  return { lastT: Number(head.Item?.lastT?.N), prevT: Number(head.Item?.prevT?.N) };
}

/** The S3 keys of the log object the log item at `t` names: none when its bytes are in the item. */
async function namedAt(place: Place, t: number): Promise<string[]> {
  const item = await clients().dynamo.send(new GetItemCommand({ TableName: place.table, Key: { pk: { S: DB }, sk: { N: String(t) } }, ConsistentRead: true }));
  expect(item.Item).toBeDefined();
  const name = item.Item?.s?.S;
  return name === undefined ? [] : [`${place.prefix}${DB}/log/${name}`];
}

const alerts = (): Record<string, unknown>[] => tap.records.filter((record) => record.type === 'alert');
const confirmed = (): unknown[] => tap.records.filter((record) => record.msg === 'db.dynamodb/append-landed-before-refused-retry');

describe('dynamodb+s3 appends whose response was lost', () => {
  it('reports an inline append that landed before its retry was refused as done, as a plain append would', async () => {
    const place = await freshPlace();
    await appendWith(place, 0, [small(1)]);
    let injected: { lost(): boolean } | undefined;
    const storage = place.storage({ dynamo: (dynamo) => (injected = loseFirstAppendResponse(dynamo)) });
    const db = await storage.open(DB);
    await db.append(1, [small(2), small(3)]);
    expect(injected!.lost()).toBe(true);
    expect(await db.lastT()).toBe(3);
    // The writer goes on from the t it was told it appended, as after any append.
    await db.append(3, [small(4)]);
    await storage.close();
    expect(confirmed()).toEqual([expect.objectContaining({ db: DB, t: 3 })]);
    expect(alerts()).toEqual([]);
    await expectLog(place, [1, 2, 3, 4].map(small));
  });

  it('keeps the objects of an oversized append that landed before its retry was refused, and reports it done', async () => {
    const place = await freshPlace();
    await appendWith(place, 0, [small(1)]);
    const entries = [big(2, 3), ...filler(2)];
    await appendWith(place, 1, entries, { dynamo: (dynamo) => loseFirstAppendResponse(dynamo) });
    const objects = await place.keys('log');
    expect(objects).toHaveLength(1);
    expect(await place.keys('pending')).toHaveLength(1);
    await expectLog(place, [small(1), ...entries]);
    // The next writer copies the landed append to log items, which name its object, and replaces its list.
    await appendWith(place, 82, [small(83)]);
    expect(await place.keys('log')).toEqual(objects);
    expect(await place.keys('pending')).toEqual([]);
    expect(alerts()).toEqual([]);
    await expectLog(place, [small(1), ...entries, small(83)]);
  });

  it('reports an append done that landed although other appends followed it before its retry was refused', async () => {
    const place = await freshPlace();
    await appendWith(place, 0, [small(1)]);
    const entries = [small(2), big(3, 4)];
    await appendWith(place, 1, entries, {
      dynamo: (dynamo) =>
        loseFirstAppendResponse(dynamo, async () => {
          await appendWith(place, 3, [small(4)]);
          await appendWith(place, 4, [small(5)]);
        }),
    });
    // The landed append is in log items by now: the head holds the last of the others.
    expect(await headTs(place)).toEqual({ lastT: 5, prevT: 4 });
    expect(await place.keys('log')).toHaveLength(1);
    expect(alerts()).toEqual([]);
    await expectLog(place, [small(1), ...entries, small(4), small(5)]);
  });

  it('reports a fenced append done that landed before its writer lost the lease and its retry was refused', async () => {
    const place = await freshPlace();
    const first = { owner: 'first', epoch: 1, expiresAt: Date.now() + 60_000 };
    const setup = place.storage();
    await (await setup.open(DB)).casLease(undefined, first);
    await setup.close();
    const storage = place.storage({
      dynamo: (dynamo) =>
        loseFirstAppendResponse(dynamo, async () => {
          const taker = place.storage();
          const db = await taker.open(DB);
          await db.casLease(first, { owner: 'second', epoch: 2, expiresAt: Date.now() + 60_000 });
          await db.append(2, [small(3)], { epoch: 2 });
          await taker.close();
        }),
    });
    try {
      await (await storage.open(DB)).append(0, [small(1), big(2, 6)], { epoch: 1 });
    } finally {
      await storage.close();
    }
    expect(await place.keys('log')).toHaveLength(1);
    expect(alerts()).toEqual([]);
    await expectLog(place, [small(1), big(2, 6), small(3)]);
  });

  it('still refuses an append when another writer appended the very same bytes at its t, inline or oversized', async () => {
    for (const entry of [small(2), big(2, 9)]) {
      const place = await freshPlace();
      await appendWith(place, 0, [small(1)]);
      // The winner's append lands while the loser's first attempt is lost before it reaches DynamoDB.
      let raced = false;
      const storage = place.storage({
        dynamo: (dynamo) =>
          dynamo.middlewareStack.add(
            (next, context) => async (args) => {
              if (!raced && context.commandName === 'UpdateItemCommand' && isAppend(args.input)) {
                raced = true;
                await appendWith(place, 1, [entry]);
                throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });
              }
              return next(args);
            },
            { step: 'deserialize', name: 'loseFirstAppendRequest' },
          ),
      });
      const error = await (await storage.open(DB)).append(1, [entry]).catch((e: unknown) => e);
      await storage.close();
      expect(raced).toBe(true);
      expect(error).toBeInstanceOf(StorageConflictError);
      expect((error as Error).message).toBe('log of ledger ends at t 2, not at the expected 1');
      // The loser's own upload went, if it had one; the winner's stays.
      expect(await place.keys('log')).toEqual(await namedAt(place, 2));
      await expectLog(place, [small(1), entry]);
    }
    expect(confirmed()).toEqual([]);
    expect(alerts()).toEqual([]);
  });

  it('still refuses an append when others appended the very same bytes at its t and more after it', async () => {
    const place = await freshPlace();
    await appendWith(place, 0, [small(1)]);
    const storage = place.storage();
    const db = await storage.open(DB);
    await db.append(1, [small(2)]);
    // Another writer takes t 3 with the bytes this one is about to send for it, and t 4 on top.
    await appendWith(place, 2, [small(3)]);
    await appendWith(place, 3, [small(4)]);
    const error = await db.append(2, [small(3)]).catch((e: unknown) => e);
    await storage.close();
    expect(error).toBeInstanceOf(StorageConflictError);
    expect(confirmed()).toEqual([]);
    await expectLog(place, [1, 2, 3, 4].map(small));
  });

  it('still refuses a fenced append whose writer had lost the lease, when the new writer appended the very same bytes at its t', async () => {
    const place = await freshPlace();
    const first = { owner: 'first', epoch: 1, expiresAt: Date.now() + 60_000 };
    const old = place.storage();
    const db = await old.open(DB);
    await db.casLease(undefined, first);
    // The old writer wrote the head last, so its next append goes straight to the conditional update.
    await db.append(0, [small(1)], { epoch: 1 });
    const taker = place.storage();
    const newer = await taker.open(DB);
    await newer.casLease(first, { owner: 'second', epoch: 2, expiresAt: Date.now() + 60_000 });
    await newer.append(1, [small(2)], { epoch: 2 });
    await taker.close();
    const error = await db.append(1, [small(2)], { epoch: 1 }).catch((e: unknown) => e);
    await old.close();
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(confirmed()).toEqual([]);
    await expectLog(place, [1, 2].map(small));
  });

  it('says the outcome is unknown, with the read failure as the cause, when it cannot read back whether a refused append landed', async () => {
    for (const [what, which] of [
      ['the head', (sk: number) => sk === 0],
      ['the log item at its last t', (sk: number) => sk === 3],
    ] as const) {
      const place = await freshPlace();
      await appendWith(place, 0, [small(1)]);
      let injected: { lost(): boolean } | undefined;
      const storage = place.storage({
        dynamo: (dynamo) => {
          // Registered first, so the loss (and the others' appends) happen before the reads fail.
          injected = loseFirstAppendResponse(dynamo, async () => {
            await appendWith(place, 3, [small(4)]);
            await appendWith(place, 4, [small(5)]);
          });
          failGets(dynamo, which, () => injected!.lost());
        },
      });
      const error = await (await storage.open(DB)).append(1, [small(2), big(3, 7)]).catch((e: unknown) => e);
      await storage.close();
      expect(error, what).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message, what).toBe(
        'append to ledger: DynamoDB refused its condition, perhaps on a retry after the append had landed, and reading the log back to tell failed, ' +
          `so the append may be in the log${which(0) ? '' : ' (or refused: log of ledger ends at t 5, not at the expected 1)'}`,
      );
      const cause = (error as Error).cause as Error;
      expect(cause, what).toBeInstanceOf(StorageUnavailableError);
      expect(cause.message, what).toMatch(/InternalServerError: We encountered an internal error/);
      // It did land: nothing of it may go.
      expect(await place.keys('log'), what).toHaveLength(1);
      await expectLog(place, [small(1), small(2), big(3, 7), small(4), small(5)]);
    }
    expect(confirmed()).toEqual([]);
  });
});
