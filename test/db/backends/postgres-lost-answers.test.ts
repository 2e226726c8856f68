// A PostgreSQL append whose connection breaks with the statement out may have committed: these tests
// hold the backend to telling, by the append's id in the log, an append that landed (reported done)
// from one that did not (reported unavailable, as before), against a real server. The loss is made by
// a relay on the wire (postgres-relay.ts) that drops the append statement or the server's answer to it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailableError, type DatabaseStorage, type LogRecord, type Storage } from '../../../runtime/db/storage/index.js';
import { postgresStorage } from '../../../runtime/db/storage-postgres/index.js';
import { lostMidStatement } from '../../../runtime/db/storage-postgres/postgres-errors.js';
import { castTapPerTest } from '../../support/cast-tap.js';
import { startPostgresRelay, type PostgresRelay } from './postgres-relay.js';
import { startPostgres, type PostgresServer } from './servers.js';

const DB = 'ledger';
const entry = (t: number): LogRecord => ({ t, data: new Uint8Array([t, 7, 7]) });

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

const tap = castTapPerTest();
const landed = (): unknown[] => tap.records.filter((record) => record.msg === 'db.postgres/append-landed-answer-lost');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface Place {
  /** The database through the relay, as the writer under test sees it. */
  readonly db: DatabaseStorage;
  readonly relay: PostgresRelay;
  /** Another storage of the same schema, straight to the server: another writer, or a reader of what is stored. */
  readonly direct: DatabaseStorage;
}

async function freshPlace(): Promise<Place> {
  const schema = server.freshSchema();
  const url = new URL(server.connectionString);
  // The backend prepares its append statement under this name.
  const relay = await startPostgresRelay(Number(url.port), (statement) => statement === `ions-${schema}-append`);
  url.port = String(relay.port);
  const storages: Storage[] = [postgresStorage({ connectionString: url.toString(), schema }), postgresStorage({ connectionString: server.connectionString, schema })];
  cleanups.push(async () => {
    for (const storage of storages) await storage.close();
    await relay.stop();
  });
  const [db, direct] = await Promise.all(storages.map((storage) => storage.open(DB)));
  return { db: db!, relay, direct: direct! };
}

async function log(db: DatabaseStorage): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const { t, data } of db.readLog(0)) records.push({ t, data: new Uint8Array(data) });
  return records;
}

describe('postgres appends whose connection broke with the statement out', () => {
  it('reports an append that committed before its answer was lost as done, and appends on after it', async () => {
    const { db, relay, direct } = await freshPlace();
    await db.append(0, [entry(1)]);
    const lost = relay.loseNext('answer');
    await db.append(1, [entry(2), entry(3)]);
    await lost;
    expect(relay.lost).toBe(1);
    expect(landed()).toEqual([expect.objectContaining({ db: DB, t: 3 })]);
    expect(await log(direct)).toEqual([entry(1), entry(2), entry(3)]);
    await db.append(3, [entry(4)]);
    expect(await log(db)).toEqual([entry(1), entry(2), entry(3), entry(4)]);
  });

  it('reports a fenced append that committed before its answer was lost as done', async () => {
    const { db, relay, direct } = await freshPlace();
    await db.casLease(undefined, { owner: 'writer-a', epoch: 1, expiresAt: Date.now() + 60_000 });
    const lost = relay.loseNext('answer');
    await db.append(0, [entry(1)], { epoch: 1 });
    await lost;
    expect(relay.lost).toBe(1);
    expect(await log(direct)).toEqual([entry(1)]);
  });

  it('reports an append whose statement never reached the server as unavailable, and appends nothing', async () => {
    const { db, relay, direct } = await freshPlace();
    await db.append(0, [entry(1)]);
    const lost = relay.loseNext('statement');
    const failed = (await db.append(1, [entry(2)]).catch((error: unknown) => error)) as StorageUnavailableError;
    await lost;
    expect(relay.lost).toBe(1);
    expect(failed).toBeInstanceOf(StorageUnavailableError);
    expect(failed.retryable).toBe(true);
    expect(failed.message).toMatch(/^append to ledger on PostgreSQL ions@127\.0\.0\.1:\d+\/postgres failed: /);
    expect(failed.message).not.toMatch(/may have landed/);
    expect(landed()).toEqual([]);
    expect(await log(direct)).toEqual([entry(1)]);
    await db.append(1, [entry(2)]);
    expect(await log(direct)).toEqual([entry(1), entry(2)]);
  });

  it('takes an equal entry another writer appended at the same t for no sign of its own append', async () => {
    const { db, relay, direct } = await freshPlace();
    const lost = relay.loseNext('statement', { meanwhile: () => direct.append(0, [entry(1)]) });
    const failed = await db.append(0, [entry(1)]).catch((error: unknown) => error);
    await lost;
    expect(failed).toBeInstanceOf(StorageUnavailableError);
    expect(landed()).toEqual([]);
    expect(await log(direct)).toEqual([entry(1)]);
  });

  it('reports unavailable, with the failed read as cause, when the log cannot be read back to tell', async () => {
    const { db, relay, direct } = await freshPlace();
    const lost = relay.loseNext('answer', { thenDown: true });
    const failed = (await db.append(0, [entry(1)]).catch((error: unknown) => error)) as StorageUnavailableError;
    await lost;
    expect(failed).toBeInstanceOf(StorageUnavailableError);
    expect(failed.retryable).toBe(true);
    expect(failed.message).toMatch(/^append to ledger on PostgreSQL .* failed: .*; the connection broke with the append out, so it may have landed, and reading the log back to tell failed$/);
    expect(failed.cause).toBeInstanceOf(StorageUnavailableError);
    expect((failed.cause as Error).message).toMatch(/ECONNREFUSED/);
    expect(landed()).toEqual([]);
    // It had landed: only the answer was lost.
    expect(await log(direct)).toEqual([entry(1)]);
  });

  it('reads back only after failures that leave unknown whether the statement committed', () => {
    const failure = (message: string, code?: string): Error => Object.assign(new Error(message), code === undefined ? {} : { code });
    const unknown = [
      failure('Connection terminated unexpectedly'),
      failure('read ECONNRESET', 'ECONNRESET'),
      failure('write EPIPE', 'EPIPE'),
      failure('read ETIMEDOUT', 'ETIMEDOUT'),
      failure('terminating connection due to administrator command', '57P01'),
      failure('connection failure', '08006'),
    ];
    const answered = [
      failure('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      failure('Client has encountered a connection error and is not queryable'),
      failure('duplicate key value violates unique constraint "ions_log_pkey"', '23505'),
      failure('could not serialize access due to concurrent update', '40001'),
      failure('sorry, too many clients already', '53300'),
    ];
    expect(unknown.map(lostMidStatement)).toEqual(unknown.map(() => true));
    expect(answered.map(lostMidStatement)).toEqual(answered.map(() => false));
    expect(lostMidStatement('Connection terminated')).toBe(false);
  });
});
