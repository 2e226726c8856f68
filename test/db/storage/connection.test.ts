import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../../runtime/cast/index.js';
import { connect, type Connection } from '../../../runtime/db/connection.js';
import { kw } from '../../../runtime/db/edn-names.js';
import { applyTxData, emptyDb } from '../../../runtime/db/rebuild.js';
import {
  decodeTx,
  encodeSnapshot,
  encodeTx,
  fileStorage,
  memoryStorage,
  StorageUnavailableError,
  type DatabaseStorage,
  type Storage,
} from '../../../runtime/db/storage/index.js';
import { transact } from '../../../runtime/db/transact/transact.js';
import type { Database, TxReport } from '../../../runtime/db/types.js';
import { crashSchema as schema, crashTx as entityTx } from './crash-data.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ions-connection-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const numbers = (db: Database): number[] => [...db.datoms('aevt', db.entid(kw(':crash/n'))!)].map((d) => d.v as number).sort((a, b) => a - b);

/** Every datom a value holds, history included, as comparable text. */
const everything = (db: Database): string[] => [...db.history().datoms('eavt')].map((d) => `${d.e} ${d.a} ${String(d.v)} ${d.tx} ${d.added}`);

/** A storage whose databases count the log entries read and can be told to fail appends. */
function instrumented(inner: Storage): Storage & { entriesRead: number; failAppends: number } {
  const wrapper = {
    entriesRead: 0,
    failAppends: 0,
    async open(db: string): Promise<DatabaseStorage> {
      const store = await inner.open(db);
      return Object.assign(Object.create(store) as DatabaseStorage, {
        async *readLog(afterT: number, untilT?: number) {
          for await (const entry of store.readLog(afterT, untilT)) {
            wrapper.entriesRead += 1;
            yield entry;
          }
        },
        append(expectedLastT: number, entries: Parameters<DatabaseStorage['append']>[1]) {
          if (wrapper.failAppends > 0) {
            wrapper.failAppends -= 1;
            return Promise.reject(new StorageUnavailableError('storage is down'));
          }
          return store.append(expectedLastT, entries);
        },
      });
    },
    close: () => inner.close(),
  };
  return wrapper;
}

describe('connection', () => {
  it('publishes each durable transaction as the new value and hands listeners every report in order', async () => {
    const conn = await connect({ storage: memoryStorage(), db: 'app' });
    const seen: number[] = [];
    const stop = conn.listen((report) => seen.push(report.dbAfter.basisT));
    const report = await conn.transact(schema);
    expect(report.dbBefore.basisT).toBe(0);
    expect(conn.db()).toBe(report.dbAfter);
    const reports = await Promise.all([1, 2, 3].map((n) => conn.transact(entityTx(n))));
    expect(reports.map((r) => r.dbAfter.basisT)).toEqual([2, 3, 4]);
    expect(reports[1]!.dbBefore).toBe(reports[0]!.dbAfter);
    stop();
    await conn.transact(entityTx(4));
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(numbers(conn.db())).toEqual([1, 2, 3, 4]);
    await conn.close();
  });

  it('casts an alert for a listener that throws and still calls the others', async () => {
    const tap = tapSink();
    const restore = redirect(tap);
    try {
      const conn = await connect({ storage: memoryStorage(), db: 'app' });
      const seen: number[] = [];
      conn.listen(() => {
        throw new Error('listener bug');
      });
      conn.listen((report) => seen.push(report.dbAfter.basisT));
      await conn.transact(schema);
      expect(seen).toEqual([1]);
      expect(tap.records).toContainEqual(
        expect.objectContaining({ type: 'alert', msg: 'db.connection/listener-failed', t: 1, ex: expect.objectContaining({ message: 'listener bug' }) }),
      );
      await conn.close();
    } finally {
      restore();
    }
  });

  it('rejects a failing transaction without a trace while its batch-mates commit', async () => {
    const storage = memoryStorage();
    const conn = await connect({ storage, db: 'app' });
    await conn.transact(schema);
    const results = await Promise.allSettled([
      conn.transact(entityTx(1)),
      conn.transact([{ ':crash/n': 'not a number' }]),
      conn.transact(entityTx(2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/:crash\/n expects a long/);
    expect(conn.db().basisT).toBe(3);
    expect(await (await storage.open('app')).lastT()).toBe(3);
    expect(numbers(conn.db())).toEqual([1, 2]);
    await conn.close();
  });

  it('commits transactions that arrive during an fsync together, acknowledging each after its fsync', async () => {
    const events: string[] = [];
    let syncs = 0;
    const storage = fileStorage(await tempDir(), {
      onSync: ({ entries }) => {
        syncs += 1;
        events.push(`sync ${entries}`);
      },
    });
    const conn = await connect({ storage, db: 'app' });
    await conn.transact(schema);
    syncs = 0;
    events.length = 0;
    const reports = await Promise.all(
      Array.from({ length: 60 }, (_, n) => conn.transact(entityTx(n)).then((r) => (events.push(`ack ${r.dbAfter.basisT}`), r))),
    );
    expect(reports.map((r) => r.dbAfter.basisT)).toEqual(Array.from({ length: 60 }, (_, i) => i + 2));
    expect(syncs).toBeLessThan(60);
    expect(syncs).toBeGreaterThanOrEqual(1);
    // Every ack comes after the sync of the batch holding its transaction.
    let durable = 1;
    for (const event of events) {
      const [kind, count] = event.split(' ');
      if (kind === 'sync') durable += Number(count);
      else expect(Number(count), event).toBeLessThanOrEqual(durable);
    }
    await conn.close();
    await storage.close();
  });

  it('recovers from a checkpoint plus the log tail to the same value a full replay gives', async () => {
    const dir = await tempDir();
    const first = fileStorage(dir);
    const conn = await connect({ storage: first, db: 'app', checkpoint: { everyTransactions: 10 } });
    await conn.transact(schema);
    for (let n = 0; n < 34; n++) {
      await conn.transact(entityTx(n));
      if (n % 3 === 0) await conn.transact([[':db/retract', conn.db().entid([kw(':crash/n'), n])!, ':crash/check', -n]]);
    }
    const before = conn.db();
    const root = await conn.checkpoint();
    await conn.transact(entityTx(100));
    await conn.transact(entityTx(101));
    const expected = conn.db();
    await conn.close();
    await first.close();

    const second = instrumented(fileStorage(dir));
    const recovered = (await connect({ storage: second, db: 'app', checkpoint: false })).db();
    expect(root.t).toBe(before.basisT);
    expect(second.entriesRead).toBe(2);
    expect(recovered.basisT).toBe(expected.basisT);
    expect(everything(recovered)).toEqual(everything(expected));

    let replayed: Database = emptyDb();
    const store = await second.open('app');
    for await (const entry of store.readLog(0)) replayed = applyTxData(replayed, decodeTx(entry.data, `t=${entry.t}`));
    expect(everything(recovered)).toEqual(everything(replayed));
    await second.close();
  });

  it('writes checkpoints in the background by policy and casts each', async () => {
    const tap = tapSink();
    const restore = redirect(tap);
    try {
      const storage = memoryStorage();
      const conn = await connect({ storage, db: 'app', checkpoint: { everyTransactions: 5 } });
      await conn.transact(schema);
      for (let n = 0; n < 3; n++) await conn.transact(entityTx(n));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await (await storage.open('app')).getRoot()).toBeUndefined();
      await conn.transact(entityTx(3));
      await conn.close();
      expect((await (await storage.open('app')).getRoot())?.t).toBe(5);
      expect(tap.records).toContainEqual(expect.objectContaining({ msg: 'db.connection/checkpoint-written', db: 'app', t: 5 }));
    } finally {
      restore();
    }
  });

  it('catches up on what another writer appended and retries the batch', async () => {
    const storage = memoryStorage();
    const conn = await connect({ storage, db: 'app' });
    await conn.transact(schema);
    const other = transact(conn.db(), entityTx(7));
    await (await storage.open('app')).append(1, [{ t: 2, data: encodeTx(other.txData) }]);
    const report = await conn.transact(entityTx(8));
    expect(report.dbAfter.basisT).toBe(3);
    expect(numbers(conn.db())).toEqual([7, 8]);
    await conn.close();
  });

  it('sync takes in transactions another writer appended', async () => {
    const storage = memoryStorage();
    const conn = await connect({ storage, db: 'app' });
    await conn.transact(schema);
    const other = transact(conn.db(), entityTx(9));
    await (await storage.open('app')).append(1, [{ t: 2, data: encodeTx(other.txData) }]);
    expect(conn.db().basisT).toBe(1);
    const db = await conn.sync();
    expect(db.basisT).toBe(2);
    expect(numbers(conn.db())).toEqual([9]);
    await conn.close();
  });

  it('casts an alert when a background checkpoint fails, and transactions go on', async () => {
    const tap = tapSink();
    const restore = redirect(tap);
    try {
      const inner = memoryStorage();
      const storage: Storage = {
        async open(db) {
          const store = await inner.open(db);
          return Object.assign(Object.create(store) as DatabaseStorage, { putBlob: () => Promise.reject(new StorageUnavailableError('blob store is down')) });
        },
        close: () => inner.close(),
      };
      const conn = await connect({ storage, db: 'app', checkpoint: { everyTransactions: 2 } });
      await conn.transact(schema);
      await conn.transact(entityTx(1));
      await conn.transact(entityTx(2));
      await conn.close();
      expect(numbers(conn.db())).toEqual([1, 2]);
      expect(tap.records).toContainEqual(
        expect.objectContaining({ type: 'alert', msg: 'db.connection/checkpoint-failed', db: 'app', ex: expect.objectContaining({ message: 'blob store is down' }) }),
      );
    } finally {
      restore();
    }
  });

  it('rejects transactions with a retryable error while storage is down, then goes on', async () => {
    const storage = instrumented(memoryStorage());
    const conn = await connect({ storage, db: 'app' });
    await conn.transact(schema);
    storage.failAppends = 1;
    await expect(conn.transact(entityTx(1))).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(conn.db().basisT).toBe(1);
    await conn.transact(entityTx(2));
    expect(numbers(conn.db())).toEqual([2]);
    await conn.close();
  });

  it('reads the log by t range and refuses transactions once closed', async () => {
    const conn: Connection = await connect({ storage: memoryStorage(), db: 'app' });
    await conn.transact(schema);
    const pending: Promise<TxReport>[] = [1, 2, 3].map((n) => conn.transact(entityTx(n)));
    await conn.close();
    expect((await Promise.all(pending)).length).toBe(3);
    const ts: number[] = [];
    for await (const entry of conn.txRange(2, 4)) ts.push(entry.t);
    expect(ts).toEqual([2, 3]);
    await expect(conn.transact(entityTx(4))).rejects.toThrow(/connection to app is closed/);
  });

  it('gives the same connection to every connect for one database until it is closed', async () => {
    const storage = memoryStorage();
    const a = await connect({ storage, db: 'app' });
    expect(await connect({ storage, db: 'app' })).toBe(a);
    await a.close();
    expect(await connect({ storage, db: 'app' })).not.toBe(a);
  });

  it('runs allow-listed transaction functions against the latest value, before and after recovery', async () => {
    const storage = memoryStorage();
    const next = (db: Database): unknown[] => entityTx(Math.max(0, ...numbers(db)) + 1) as unknown[];
    const functions = { resolve: (name: string) => (name === 'app.tx/next' ? (next as never) : undefined) };
    const conn = await connect({ storage, db: 'app', functions });
    await conn.transact(schema);
    await conn.transact(entityTx(5));
    await Promise.all([conn.transact([['app.tx/next']]), conn.transact([['app.tx/next']])]);
    expect(numbers(conn.db())).toEqual([5, 6, 7]);
    await conn.checkpoint();
    await conn.close();
    const reopened = await connect({ storage, db: 'app', functions });
    await reopened.transact([['app.tx/next']]);
    expect(numbers(reopened.db())).toEqual([5, 6, 7, 8]);
    await expect(reopened.transact([['app.tx/other']])).rejects.toThrow(/app.tx\/other is neither a built-in op nor an allow-listed transaction function/);
  });

  it('says what is wrong with bad connect options', async () => {
    await expect(connect({ db: 'app' } as never)).rejects.toThrow(/connect needs \{ storage, db \}/);
    await expect(connect({ storage: memoryStorage(), db: 'no/slashes' })).rejects.toThrow(/bad database name "no\/slashes"/);
    await expect(connect({ storage: memoryStorage(), db: 'app', checkpoint: { everyTransactions: 0 } })).rejects.toThrow(
      /checkpoint.everyTransactions must be a positive integer, got 0/,
    );
  });

  it('refuses a checkpoint whose t differs from its root pointer', async () => {
    const storage = memoryStorage();
    const store = await storage.open('app');
    const first = transact(emptyDb(), schema);
    await store.append(0, [{ t: 1, data: encodeTx(first.txData) }]);
    const blob = await store.putBlob(await encodeSnapshot(0, []));
    await store.casRoot(undefined, { t: 1, blob });
    await expect(connect({ storage, db: 'app' })).rejects.toThrow(/checkpoint holds t 0, but the root pointer says t 1/);
  });

  it('refuses a log with a gap', async () => {
    const storage = memoryStorage();
    const store = await storage.open('app');
    const first = transact(emptyDb(), schema);
    await store.append(0, [{ t: 1, data: encodeTx(first.txData) }]);
    await store.append(1, [{ t: 3, data: encodeTx(transact(first.dbAfter, entityTx(1)).txData) }]);
    await expect(connect({ storage, db: 'app' })).rejects.toThrow(/the log skips from t 1 to t 3 \(at log of app, entry t=3\)/);
  });
});
