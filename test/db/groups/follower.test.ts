import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptValue, connect, type Connection } from '../../../runtime/db/connection.js';
import { kw } from '../../../runtime/db/edn-names.js';
import { follow, localForwarder, SyncTimeoutError, type Follower } from '../../../runtime/db/follow/index.js';
import { startPrimary } from '../../../runtime/db/lease/index.js';
import { memoryStorage } from '../../../runtime/db/storage/index.js';
import type { Storage } from '../../../runtime/db/storage/storage.js';
import type { Database, TxReport } from '../../../runtime/db/types.js';
import { crashSchema, crashTx } from '../storage/crash-data.js';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

async function writer(storage: Storage): Promise<Connection> {
  const conn = await connect({ storage, db: 'app' });
  opened.push(conn);
  await conn.transact(crashSchema);
  return conn;
}

async function follower(options: Omit<Parameters<typeof follow>[0], 'db'>): Promise<Follower> {
  const made = await follow({ db: 'app', ...options });
  opened.push(made);
  return made;
}

function numbers(db: Database): number[] {
  const a = db.entid(kw(':crash/n'));
  return a === undefined ? [] : [...db.datoms('aevt', a)].map((d) => d.v as number).sort((x, y) => x - y);
}

describe('follow', () => {
  it('recovers from the checkpoint and the log, then reads new transactions as they land', async () => {
    const storage = memoryStorage();
    const conn = await writer(storage);
    for (let n = 0; n < 3; n++) await conn.transact(crashTx(n));
    await conn.checkpoint();
    await conn.transact(crashTx(3));
    const f = await follower({ storage, pollMs: 10 });
    expect(f.db().basisT).toBe(conn.db().basisT);
    expect(numbers(f.db())).toEqual([0, 1, 2, 3]);
    const seen: number[] = [];
    const landed = new Promise<void>((resolve) =>
      f.listen((report: TxReport) => {
        seen.push(report.dbAfter.basisT);
        expect(report.dbBefore.basisT).toBe(report.dbAfter.basisT - 1);
        expect(report.txData.length).toBeGreaterThan(0);
        if (seen.length === 2) resolve();
      }),
    );
    await conn.transact(crashTx(4));
    const last = await conn.transact(crashTx(5));
    await landed;
    expect(seen).toEqual([last.dbAfter.basisT - 1, last.dbAfter.basisT]);
    expect(numbers(f.db())).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('syncTo reads at once instead of waiting for the next poll, and times out with the t it reached', async () => {
    const storage = memoryStorage();
    const conn = await writer(storage);
    const f = await follower({ storage, pollMs: 60_000 });
    const report = await conn.transact(crashTx(7));
    const db = await f.syncTo(report.dbAfter.basisT, 1_000);
    expect(numbers(db)).toEqual([7]);
    const late = f.syncTo(report.dbAfter.basisT + 1, 50);
    await expect(late).rejects.toBeInstanceOf(SyncTimeoutError);
    await expect(late).rejects.toThrow(`follower of app has seen up to t ${report.dbAfter.basisT}, not t ${report.dbAfter.basisT + 1}, after 50 ms`);
    await expect(f.syncTo(-1)).rejects.toThrow(/t must be a non-negative integer, got -1/);
  });

  it('sync reads everything acknowledged before it was called', async () => {
    const storage = memoryStorage();
    const conn = await writer(storage);
    const f = await follower({ storage, pollMs: 60_000 });
    await conn.transact(crashTx(1));
    expect(numbers(await f.sync())).toEqual([1]);
  });

  it('forwards transactions to the primary and reads its own writes in the report and after', async () => {
    const storage = memoryStorage();
    const conn = await writer(storage);
    const f = await follower({ storage, pollMs: 60_000, forward: localForwarder(conn) });
    const reports = await Promise.all([f.transact([{ ':db/id': 'x', ':crash/n': 1, ':crash/check': -1 }]), f.transact(crashTx(2))]);
    const [first, second] = reports;
    expect(first.tempids.x).toBeDefined();
    expect(first.dbAfter.entity(first.tempids.x!)?.get(':crash/n')).toBe(1);
    expect(numbers(first.dbBefore)).not.toContain(1);
    expect(numbers(second.dbAfter)).toContain(2);
    expect(numbers(f.db())).toEqual([1, 2]);
  });

  it('says why it cannot transact', async () => {
    const storage = memoryStorage();
    await writer(storage);
    const alone = await follower({ storage });
    await expect(alone.transact(crashTx(1))).rejects.toThrow(/follower of app cannot transact: follow\(\{ forward \}\) was not given a way/);
    const lying = await follower({ storage, forward: async () => ({ t: 0, tempids: {} }) });
    await expect(lying.transact(crashTx(1))).rejects.toThrow(/answered a transaction of app with t 0, which must be an integer above 1/);
    const failing = await follower({ storage, forward: async () => Promise.reject(new Error('primary said no')) });
    await expect(failing.transact(crashTx(1))).rejects.toThrow('primary said no');
    await expect(follow({ storage, db: 'app', pollMs: 0 })).rejects.toThrow(/pollMs must be a positive number of milliseconds, got 0/);
    await expect(alone.checkpoint()).rejects.toThrow('follower of app does not write checkpoints: the primary of app does');
  });

  it('fails pending waits when closed', async () => {
    const storage = memoryStorage();
    await writer(storage);
    const f = await follow({ storage, db: 'app', pollMs: 60_000 });
    const waiting = f.syncTo(99, 10_000);
    await f.close();
    await expect(waiting).rejects.toThrow(/follower of app closed while waiting for t 99/);
    await expect(f.syncTo(100)).rejects.toThrow(/closed/);
  });

  it('reaches the writer value whatever the interleaving of writes, polls and waits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('write', 'wait', 'sync'), { minLength: 1, maxLength: 12 }), async (steps) => {
        const storage = memoryStorage();
        const conn = await connect({ storage, db: 'app' });
        await conn.transact(crashSchema);
        const f = await follow({ storage, db: 'app', pollMs: 1 });
        try {
          const pending: Array<Promise<unknown>> = [];
          let n = 0;
          for (const step of steps) {
            if (step === 'write') pending.push(conn.transact(crashTx(n++)));
            else if (step === 'wait') pending.push(f.syncTo(conn.db().basisT, 2_000));
            else pending.push(f.sync());
          }
          await Promise.all(pending);
          const db = await f.syncTo(conn.db().basisT, 2_000);
          expect(numbers(db)).toEqual(numbers(conn.db()));
        } finally {
          await f.close();
          await conn.close();
        }
      }),
      { numRuns: 30 },
    );
  });

  it('starts from a value the node holds and shares the values of the node\'s writer instead of replaying them', async () => {
    const storage = memoryStorage();
    const conn = await writer(storage);
    const f = await follower({ storage, pollMs: 5, start: conn.db() });
    expect(f.db()).toBe(conn.db());
    const seen: TxReport[] = [];
    f.listen((report) => seen.push(report));
    conn.listen((report) => f.adopt(report));
    for (let n = 0; n < 20; n++) {
      const report = await conn.transact(crashTx(n));
      // The report is the writer's, its value shared, its tempids left out as for any transaction read from the log.
      expect(seen.at(-1)).toEqual({ ...report, tempids: {} });
      expect(f.db()).toBe(report.dbAfter);
      // Polls that read the log meanwhile skip what was adopted.
      if (n % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 12));
    }
    expect(seen.map((r) => r.dbAfter.basisT)).toEqual(Array.from({ length: 20 }, (_, i) => conn.db().basisT - 19 + i));
    expect(numbers(await f.sync())).toEqual(numbers(conn.db()));
  });

  it('adopts only the report of the transaction right after its basis', async () => {
    const storage = memoryStorage();
    const conn = await writer(storage);
    const f = await follower({ storage, pollMs: 60_000, start: conn.db() });
    const first = await conn.transact(crashTx(1));
    const second = await conn.transact(crashTx(2));
    expect(f.adopt(second)).toBe(false);
    expect(f.db().basisT).toBe(first.dbBefore.basisT);
    expect(f.adopt(first)).toBe(true);
    expect(f.adopt(first)).toBe(false);
    expect(f.adopt(second)).toBe(true);
    expect(f.db()).toBe(second.dbAfter);
    // A read of the log under way when a report is adopted passes over the adopted transaction.
    const third = await conn.transact(crashTx(3));
    const reading = f.sync();
    expect(f.adopt(third)).toBe(true);
    expect(await reading).toBe(third.dbAfter);
  });

  it('lets an idle standby connection move on to a newer value read from the log, so a takeover replays nothing', async () => {
    const storage = memoryStorage();
    const holder = await startPrimary({ storage, db: 'app', owner: 'holder', leaseMs: 2_000 });
    opened.push(holder);
    await holder.whenPrimary(2_000);
    const standby = await startPrimary({ storage, db: 'app', owner: 'standby', leaseMs: 2_000 });
    opened.push(standby);
    await holder.connection.transact(crashSchema);
    const before = standby.connection.db();
    for (let n = 0; n < 3; n++) await holder.connection.transact(crashTx(n));
    const f = await follower({ storage, pollMs: 60_000 });
    const read = await f.sync();
    expect(adoptValue(standby.connection, before)).toBe(false);
    expect(adoptValue(standby.connection, read)).toBe(true);
    expect(adoptValue(standby.connection, read)).toBe(false);
    expect(standby.connection.db()).toBe(read);
    await holder.close();
    await standby.whenPrimary(5_000);
    expect(standby.connection.db()).toBe(read);
    const next = await standby.connection.transact(crashTx(9));
    expect(next.dbBefore).toBe(read);
    expect(() => adoptValue(f, read)).toThrow('adoptValue needs a connection made by connect()');
  });
});
