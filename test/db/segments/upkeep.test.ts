import { describe, expect, it } from 'vitest';
import { SegmentCache, startSegmentUpkeep, type GarbageResult, type UpkeepTimers } from '../../../runtime/db/segments/index.js';
import { memoryStorage, type DatabaseStorage, type StoredBlob } from '../../../runtime/db/storage/index.js';
import { castTapPerTest } from '../../support/cast-tap.js';

const tap = castTapPerTest();

/** Timers that fire only when the test says so, recording every wait asked for. */
function manualTimers(): UpkeepTimers & { pending: Map<number, { run: () => void; ms: number }>; fire(ms: number): void } {
  let next = 0;
  const pending = new Map<number, { run: () => void; ms: number }>();
  return {
    pending,
    setTimeout(run, ms) {
      pending.set(++next, { run, ms });
      return next;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    /** Runs the one pending timer that waits `ms`. */
    fire(ms) {
      const found = [...pending].filter(([, timer]) => timer.ms === ms);
      expect(found, `one pending timer of ${ms} ms among ${JSON.stringify([...pending.values()].map((t) => t.ms))}`).toHaveLength(1);
      pending.delete(found[0]![0]);
      found[0]![1].run();
    },
  };
}

const waits = (timers: ReturnType<typeof manualTimers>): number[] => [...timers.pending.values()].map((timer) => timer.ms).sort((a, b) => a - b);
const alerts = (): unknown[] => tap.records.filter((record) => record.type === 'alert').map((record) => record.msg);
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

/** Waits until a run has finished, which it shows by scheduling the next one. */
async function rescheduled(timers: ReturnType<typeof manualTimers>): Promise<void> {
  for (let i = 0; timers.pending.size === 0; i++) {
    if (i === 400) throw new Error('no run was scheduled within 2 s');
    await settle();
  }
}

async function storeWithGarbage(): Promise<DatabaseStorage> {
  const store = await memoryStorage().open('upkeep');
  await store.putBlob(new Uint8Array([1, 2, 3]));
  // Past a grace period of 0 ms: a blob stored in the same millisecond as a collection counts as young.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return store;
}

/** A store whose listings wait until the test releases them, so a collection can be held mid-run. */
function heldListing(store: DatabaseStorage): { store: DatabaseStorage; release(): void } {
  let release!: () => void;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const held: DatabaseStorage = Object.assign(Object.create(store) as DatabaseStorage, {
    async *listBlobs(): AsyncIterable<StoredBlob> {
      await gate;
      yield* store.listBlobs!();
    },
  });
  return {
    store: held,
    release() {
      release();
      gate = new Promise<void>((resolve) => (release = resolve));
    },
  };
}

describe('segment upkeep', () => {
  it('collects garbage after jittered periods, scheduling the next run only once one has finished', async () => {
    const { store, release } = heldListing(await storeWithGarbage());
    const timers = manualTimers();
    const results: GarbageResult[] = [];
    const randoms = [0, 0.75];
    const upkeep = startSegmentUpkeep({
      store,
      collectEveryMs: 1000,
      jitter: 0.2,
      random: () => randoms.shift() ?? 0.5,
      garbage: { graceMs: 0 },
      timers,
      onCollected: (result) => results.push(result),
    });
    // Factor 1 - 0.2 + 0.4 * random: 0.8 for the first wait, 1.1 for the second.
    expect(waits(timers)).toEqual([800]);
    timers.fire(800);
    await settle();
    // The collection is held in its listing: no other run may be scheduled meanwhile.
    expect(waits(timers)).toEqual([]);
    release();
    await rescheduled(timers);
    expect(results).toEqual([{ liveRoots: 0, liveBlobs: 0, deleted: 1 }]);
    expect(waits(timers)).toEqual([1100]);
    await upkeep.stop();
    expect(waits(timers)).toEqual([]);
  });

  it('casts a failed collection as an alert and collects again a period later', async () => {
    const store = await storeWithGarbage();
    let failures = 1;
    const failing: DatabaseStorage = Object.assign(Object.create(store) as DatabaseStorage, {
      listBlobs(): AsyncIterable<StoredBlob> {
        if (failures-- > 0) throw new Error('bucket listing refused');
        return store.listBlobs!();
      },
    });
    const timers = manualTimers();
    const results: GarbageResult[] = [];
    const upkeep = startSegmentUpkeep({ store: failing, collectEveryMs: 100, jitter: 0, garbage: { graceMs: 0 }, timers, onCollected: (r) => results.push(r) });
    timers.fire(100);
    await rescheduled(timers);
    const failure = tap.records.find((record) => record.msg === 'db.segments/garbage-collection-failed')!;
    expect(failure).toMatchObject({ type: 'alert', db: 'upkeep' });
    expect(JSON.stringify(failure.ex)).toMatch(/bucket listing refused/);
    expect(results).toEqual([]);
    timers.fire(100);
    await rescheduled(timers);
    expect(results.map((r) => r.deleted)).toEqual([1]);
    await upkeep.stop();
  });

  it('collects only while told it is active, keeping to its schedule meanwhile', async () => {
    const store = await storeWithGarbage();
    const timers = manualTimers();
    let holdsLease = false;
    const results: GarbageResult[] = [];
    const upkeep = startSegmentUpkeep({ store, collectEveryMs: 100, jitter: 0, garbage: { graceMs: 0 }, active: () => holdsLease, timers, onCollected: (r) => results.push(r) });
    timers.fire(100);
    await rescheduled(timers);
    expect(results).toEqual([]);
    expect(await store.listBlobs!()[Symbol.asyncIterator]().next()).toMatchObject({ done: false });
    holdsLease = true;
    timers.fire(100);
    await rescheduled(timers);
    expect(results.map((r) => r.deleted)).toEqual([1]);
    await upkeep.stop();
  });

  it('reports the segment cache metrics every period, and stops reporting when stopped', async () => {
    const store = await storeWithGarbage();
    const timers = manualTimers();
    const upkeep = startSegmentUpkeep({ store, cache: new SegmentCache(store, { memory: 1 << 20 }), collectEveryMs: 3_600_000, jitter: 0, timers });
    expect(waits(timers)).toEqual([60_000, 3_600_000]);
    const fetchReports = (): number => tap.records.filter((record) => 'db.segments/storage-fetches' in record).length;
    timers.fire(60_000);
    timers.fire(60_000);
    expect(fetchReports()).toBe(2);
    await upkeep.stop();
    expect(waits(timers)).toEqual([]);
    await upkeep.stop();
  });

  it('reports metrics only, collecting nothing, when collect is false, even on a storage that cannot list blobs', async () => {
    const store = await storeWithGarbage();
    const limited = Object.assign(Object.create(store) as DatabaseStorage, { listBlobs: undefined, deleteBlob: undefined });
    const timers = manualTimers();
    const upkeep = startSegmentUpkeep({ store: limited, cache: new SegmentCache(store), collect: false, collectEveryMs: 50, jitter: 0, timers });
    expect(waits(timers)).toEqual([60_000]);
    await upkeep.stop();
    expect(waits(timers)).toEqual([]);
  });

  it('waits on stop for a collection in progress, then schedules nothing more', async () => {
    const { store, release } = heldListing(await storeWithGarbage());
    const timers = manualTimers();
    const results: GarbageResult[] = [];
    const upkeep = startSegmentUpkeep({ store, collectEveryMs: 50, jitter: 0, garbage: { graceMs: 0 }, timers, onCollected: (r) => results.push(r) });
    timers.fire(50);
    let stopped = false;
    const stopping = upkeep.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(results.map((r) => r.deleted)).toEqual([1]);
    expect(waits(timers)).toEqual([]);
  });

  it('runs on real timers with short periods until stopped', async () => {
    const store = await storeWithGarbage();
    const results: GarbageResult[] = [];
    const upkeep = startSegmentUpkeep({ store, cache: new SegmentCache(store), collectEveryMs: 10, metricsEveryMs: 10, garbage: { graceMs: 0 }, onCollected: (r) => results.push(r) });
    for (let i = 0; i < 200 && results.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await upkeep.stop();
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results[0]!.deleted).toBe(1);
    expect(tap.records.some((record) => 'db.segments/storage-fetches' in record)).toBe(true);
    const after = results.length;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(results.length).toBe(after);
    expect(alerts()).toEqual([]);
  });

  it('refuses a storage that cannot list or delete blobs, and bad periods', async () => {
    const store = await memoryStorage().open('plain');
    const limited = Object.assign(Object.create(store) as DatabaseStorage, { listBlobs: undefined });
    expect(() => startSegmentUpkeep({ store: limited })).toThrow(/storage of plain cannot list and delete blobs/);
    expect(() => startSegmentUpkeep({ store, collectEveryMs: 0 })).toThrow(/collectEveryMs must be a positive number of milliseconds, got 0/);
    expect(() => startSegmentUpkeep({ store, metricsEveryMs: Number.NaN })).toThrow(/metricsEveryMs must be a positive/);
    expect(() => startSegmentUpkeep({ store, jitter: 1 })).toThrow(/jitter must be at least 0 and below 1, got 1/);
  });
});
