// The failure behaviour of the primary and query groups, run against every storage backend: a killed
// primary replaced by another with nothing acknowledged lost, a paused primary fenced off, a restarted
// query node catching up, and storage cut off. A backend hands in a way to make a fresh, empty place.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { kw } from '../../../runtime/db/edn-names.js';
import { follow, localForwarder, SyncTimeoutError, type Follower } from '../../../runtime/db/follow/index.js';
import { NotPrimaryError, startPrimary, type Primary, type PrimaryOptions } from '../../../runtime/db/lease/index.js';
import { LeaseLostError, StorageUnavailableError, type Storage } from '../../../runtime/db/storage/index.js';
import type { Database } from '../../../runtime/db/types.js';
import { crashSchema, crashTx } from '../storage/crash-data.js';
import { partitioned, type Partitioned } from './partition.js';
import { SPEC_ENV, type StorageSpec } from './storage-spec.js';

export interface GroupPlace {
  /** A new storage instance over this place's data, as another node would open it. */
  storage(): Storage;
  /** How a child process opens this place; absent when its data cannot leave this process (memory). */
  readonly spec?: StorageSpec;
  /** A storage over this place whose link to it can be cut; default: cut at the storage seam. */
  partition?(): Promise<Partitioned>;
}

export interface GroupBackend {
  readonly name: string;
  /** Whether another process can open a place (its places then have a spec): the kill -9 test needs it. */
  readonly multiProcess: boolean;
  /** A fresh, empty place; called inside tests, so it may use servers started in beforeAll. */
  fresh(): Promise<GroupPlace>;
}

const DB = 'groups';
const LEASE_MS = 300;
const CHILD = join(import.meta.dirname, 'primary-child.ts');
const KILL_ROUNDS = 3;
/** No kill round starts after this (past the first two); the test stays bounded on a loaded machine. */
const KILL_BUDGET_MS = 20_000;
/** Transactions the load test makes at most, so it stays bounded however fast the backend is. */
const MAX_LOAD = 5_000;

/** Entity numbers of the :crash/n entities, each checked to be whole (its :crash/check is there too). */
function wholeNumbers(db: Database): number[] {
  const n = db.entid(kw(':crash/n'));
  const check = db.entid(kw(':crash/check'));
  if (n === undefined || check === undefined) return [];
  const numbers: number[] = [];
  for (const d of db.datoms('aevt', n)) {
    const checks = [...db.datoms('eavt', d.e, check)].map((c) => c.v);
    expect(checks, `entity ${String(d.v)} is whole`).toEqual([-(d.v as number)]);
    numbers.push(d.v as number);
  }
  return numbers.sort((a, b) => a - b);
}

interface ChildRun {
  readonly acked: number[];
  readonly epoch: number;
}

// One primary process, killed with SIGKILL at a random moment 50-350 ms after it is ready.
function runPrimaryChild(spec: StorageSpec, start: number): Promise<ChildRun> {
  const args = ['--import', 'tsx', CHILD, '4', String(LEASE_MS), String(start)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, [SPEC_ENV]: JSON.stringify(spec) } });
  const acked: number[] = [];
  let epoch = 0;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), 50 + Math.random() * 300);
    else if (line.startsWith('lease ')) epoch = Number(line.slice(6));
    else if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ acked, epoch });
      else reject(new Error(`primary exited with ${code} before it was killed: ${stderr}`));
    });
  });
}

export function groupFailures(backend: GroupBackend): void {
  describe(`${backend.name}: primary and query groups under failure`, () => {
    const cleanup: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const step of cleanup.splice(0).reverse()) await step();
    });
    function storageOf(place: GroupPlace): Storage {
      const storage = place.storage();
      cleanup.push(() => storage.close());
      return storage;
    }
    async function primary(options: Omit<PrimaryOptions, 'db'>): Promise<Primary> {
      const started = await startPrimary({ db: DB, ...options });
      cleanup.push(() => started.close());
      return started;
    }
    async function cuttable(place: GroupPlace): Promise<Partitioned> {
      const net = place.partition === undefined ? partitioned(place.storage()) : await place.partition();
      cleanup.push(async () => {
        await net.storage.close();
        await net.stop?.();
      });
      return net;
    }
    async function follower(options: Omit<Parameters<typeof follow>[0], 'db'>): Promise<Follower> {
      const started = await follow({ db: DB, ...options });
      cleanup.push(() => started.close());
      return started;
    }

    it('of two nodes starting together exactly one writes; the other takes over when it leaves', async () => {
      const place = await backend.fresh();
      const options = { leaseMs: 5_000, renewEveryMs: 20 };
      const nodes = await Promise.all([primary({ storage: storageOf(place), owner: 'x', ...options }), primary({ storage: storageOf(place), owner: 'y', ...options })]);
      await Promise.any(nodes.map((node) => node.whenPrimary(3_000)));
      const holders = nodes.filter((node) => node.lease() !== undefined);
      expect(holders).toHaveLength(1);
      const [first, standby] = holders[0] === nodes[0] ? nodes : [nodes[1]!, nodes[0]!];
      await first!.connection.transact(crashSchema);
      await first!.connection.transact(crashTx(0));
      const refused = standby!.connection.transact(crashSchema);
      await expect(refused).rejects.toBeInstanceOf(NotPrimaryError);
      await expect(refused).rejects.toThrow(`${standby!.owner} is not the primary of ${DB}: ${first!.owner} holds the lease (epoch 1)`);
      await first!.close();
      const started = Date.now();
      expect(await standby!.whenPrimary(2_000)).toMatchObject({ owner: standby!.owner, epoch: 2 });
      expect(Date.now() - started, 'took over on release, not on expiry').toBeLessThan(options.leaseMs);
      await standby!.connection.transact(crashTx(1));
      expect(wholeNumbers(standby!.connection.db())).toEqual([0, 1]);
    });

    it('a paused primary cannot append once another took over, and then knows it is not the primary', async () => {
      const place = await backend.fresh();
      // A process paused (GC, SIGSTOP, a VM freeze) neither renews nor sees time pass.
      const pausedAt = Date.now();
      const paused = await primary({ storage: storageOf(place), owner: 'paused', leaseMs: LEASE_MS, renewEveryMs: 60_000, now: () => pausedAt });
      await paused.whenPrimary(2_000);
      await paused.connection.transact(crashSchema);
      await paused.connection.transact(crashTx(0));
      const successor = await primary({ storage: storageOf(place), owner: 'successor', leaseMs: LEASE_MS, renewEveryMs: 25 });
      expect(await successor.whenPrimary(5_000)).toMatchObject({ owner: 'successor', epoch: 2 });
      await successor.connection.transact(crashTx(1));

      expect(paused.lease(), 'the paused node still believes it is the primary').toBeDefined();
      const resumed = paused.connection.transact(crashTx(100));
      await expect(resumed).rejects.toBeInstanceOf(LeaseLostError);
      await expect(resumed).rejects.toMatchObject({ retryable: true, fence: 1, lease: { owner: 'successor', epoch: 2 } });
      expect(paused.lease()).toBeUndefined();
      await expect(paused.connection.transact(crashTx(101))).rejects.toThrow(/paused is not the primary of groups: successor holds the lease \(epoch 2\)/);

      await successor.connection.transact(crashTx(2));
      expect(wholeNumbers(successor.connection.db())).toEqual([0, 1, 2]);
      const reader = await follower({ storage: storageOf(place) });
      expect(wholeNumbers(reader.db())).toEqual([0, 1, 2]);
    });

    it('a query node restarted under load catches up and reads its own writes', { timeout: 30_000 }, async () => {
      const place = await backend.fresh();
      const writer = await primary({ storage: storageOf(place), leaseMs: 2_000 });
      await writer.whenPrimary(2_000);
      await writer.connection.transact(crashSchema);
      let stop = false;
      let next = 0;
      const acked: number[] = [];
      const load = Promise.all(
        Array.from({ length: 3 }, async () => {
          while (!stop && next < MAX_LOAD) {
            const n = next++;
            await writer.connection.transact(crashTx(n));
            acked.push(n);
            // Clients reach a node through I/O; a loop of memory-only awaits would starve the timers.
            await new Promise(setImmediate);
          }
        }),
      );
      try {
        const before = await follower({ storage: storageOf(place), pollMs: 20 });
        await before.syncTo(10, 10_000);
        await before.close();
        await sleep(100);
        const after = await follower({ storage: storageOf(place), pollMs: 20, forward: localForwarder(writer.connection) });
        await sleep(100);
        const own = await after.transact([{ ':db/id': 'mine', ':crash/n': -1, ':crash/check': 1 }]);
        expect(own.dbAfter.entity(own.tempids.mine!)?.get(':crash/n')).toBe(-1);
        expect(after.db().basisT).toBeGreaterThanOrEqual(own.dbAfter.basisT);
        stop = true;
        await load;
        const db = await after.syncTo(writer.connection.db().basisT, 10_000);
        const numbers = wholeNumbers(db);
        expect(numbers).toEqual(wholeNumbers(writer.connection.db()));
        expect(numbers).toEqual(expect.arrayContaining(acked));
        expect(acked.length).toBeGreaterThan(10);
      } finally {
        stop = true;
        await load;
      }
    });

    it('with storage unreachable, transactions fail with a clear, retryable error while cached reads go on', async () => {
      const place = await backend.fresh();
      const writerNet = await cuttable(place);
      const readerNet = await cuttable(place);
      const writer = await primary({ storage: writerNet.storage, leaseMs: LEASE_MS, renewEveryMs: 50 });
      await writer.whenPrimary(2_000);
      await writer.connection.transact(crashSchema);
      await writer.connection.transact(crashTx(0));
      const reader = await follower({ storage: readerNet.storage, pollMs: 20, forward: localForwarder(writer.connection) });
      await reader.syncTo(writer.connection.db().basisT, 5_000);

      await writerNet.cut();
      await readerNet.cut();
      const failed = writer.connection.transact(crashTx(1));
      await expect(failed).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(failed).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/groups.*(unreachable|failed)/) });
      const forwarded = reader.transact(crashTx(2));
      await expect(forwarded).rejects.toBeInstanceOf(StorageUnavailableError);
      const seen = reader.db().basisT;
      const waited = reader.syncTo(seen + 1, 1_000);
      await expect(waited).rejects.toBeInstanceOf(SyncTimeoutError);
      await expect(waited).rejects.toThrow(/after 1000 ms; last storage error: .*groups/);
      expect(wholeNumbers(writer.connection.db())).toEqual([0]);
      expect(wholeNumbers(reader.db())).toEqual([0]);
      expect(reader.db().entity([kw(':crash/n'), 0])?.get(':crash/check')).toBe(-0);
      await sleep(LEASE_MS * 1.5);

      await writerNet.heal();
      await readerNet.heal();
      const report = await writer.connection.transact(crashTx(3));
      expect(writer.lease()?.epoch, 'the lease was kept: nobody took it meanwhile').toBe(1);
      expect(wholeNumbers(await reader.syncTo(report.dbAfter.basisT, 5_000))).toEqual([0, 3]);
      expect(wholeNumbers((await reader.transact(crashTx(4))).dbAfter)).toEqual([0, 3, 4]);
    });

    if (!backend.multiProcess) return;
    it('a second primary takes over after kill -9 of the first, with every acknowledged transaction and no partial one', { timeout: 60_000 }, async () => {
      const place = await backend.fresh();
      const spec = place.spec;
      if (spec === undefined) throw new Error(`${backend.name} is multiProcess but its place has no spec for the child process`);
      const started = Date.now();
      let count = 0;
      let totalAcked = 0;
      for (let round = 0; round < KILL_ROUNDS && (round < 2 || Date.now() - started < KILL_BUDGET_MS); round++) {
        const { acked, epoch } = await runPrimaryChild(spec, count);
        totalAcked += acked.length;
        const storage = place.storage();
        try {
          const left = await (await storage.open(DB)).getLease();
          expect(left?.epoch, 'the killed primary held the lease').toBe(epoch);
          const successor = await startPrimary({ storage, db: DB, owner: `successor-${round}`, leaseMs: LEASE_MS, renewEveryMs: 50 });
          try {
            const lease = await successor.whenPrimary(LEASE_MS * 20);
            expect(Date.now(), 'took over only once the lease of the killed primary ran out').toBeGreaterThanOrEqual(left!.expiresAt);
            expect(lease.epoch, 'a new epoch: the killed primary is fenced off').toBe(epoch + 1);
            const numbers = wholeNumbers(successor.connection.db());
            expect(numbers, 'a prefix of the attempted sequence').toEqual(numbers.map((_, i) => i));
            expect(numbers, 'every acknowledged transaction').toEqual(expect.arrayContaining(acked));
            await successor.connection.transact(crashTx(numbers.length));
            count = numbers.length + 1;
          } finally {
            await successor.close();
          }
        } finally {
          await storage.close();
        }
      }
      expect(totalAcked).toBeGreaterThan(0);
    });
  });
}
