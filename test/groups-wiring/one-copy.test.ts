// A primary-group node holds each database once: its follower and its writer share their values.
// On the lease holder the follower takes the writer's values; on a standby the writer takes the
// follower's, so that a takeover starts from them instead of replaying the log into a second copy.
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../../runtime/db/storage/index.js';
import type { Database, TxReport } from '../../runtime/db/types.js';
import { primaryMember, type PrimaryMember } from '../../runtime/node/primary-member.js';
import { crashSchema, crashTx } from '../db/storage/crash-data.js';

const opened: PrimaryMember[] = [];
afterEach(async () => {
  for (const member of opened.splice(0).reverse()) await member.connection.close();
});

async function member(storage: ReturnType<typeof memoryStorage>): Promise<PrimaryMember> {
  const made = await primaryMember({ storage, db: 'app', functions: { resolve: () => undefined }, secret: 'one-copy-key', selfUrl: undefined, leaseMs: 1_000, renewEveryMs: 100, waitMs: 5_000 });
  opened.push(made);
  return made;
}

describe('a primary-group node', () => {
  it('reads, on the lease holder, the very values its transactions made', async () => {
    const storage = memoryStorage();
    const holder = await member(storage);
    const values: Database[] = [];
    holder.connection.listen((report: TxReport) => values.push(report.dbAfter));
    await holder.connection.transact(crashSchema);
    for (let n = 0; n < 10; n++) {
      const report = await holder.connection.transact(crashTx(n));
      expect(values.at(-1)).toBe(report.dbAfter);
      expect(holder.connection.db()).toBe(report.dbAfter);
    }
  });

  it('takes over, as a standby, from the values it followed, replaying nothing', async () => {
    const storage = memoryStorage();
    const holder = await member(storage);
    await holder.connection.transact(crashSchema);
    const standby = await member(storage);
    const followed: Database[] = [];
    standby.connection.listen((report: TxReport) => followed.push(report.dbAfter));
    for (let n = 0; n < 5; n++) await holder.connection.transact(crashTx(n));
    const last = await standby.connection.sync();
    expect(followed.at(-1)).toBe(last);
    await holder.connection.close();
    const report = await standby.connection.transact(crashTx(99));
    expect(report.dbBefore).toBe(last);
    expect(standby.connection.db()).toBe(report.dbAfter);
  });
});
