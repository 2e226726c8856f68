import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseKeeper, NotPrimaryError } from '../../../runtime/db/lease/index.js';
import { LeaseLostError, memoryStorage, StorageUnavailableError } from '../../../runtime/db/storage/index.js';
import type { DatabaseStorage, Lease } from '../../../runtime/db/storage/storage.js';

const entry = (t: number) => ({ t, data: new TextEncoder().encode(`tx ${t}`) });

const keepers: LeaseKeeper[] = [];
function keeper(store: DatabaseStorage, options: ConstructorParameters<typeof LeaseKeeper>[1]): LeaseKeeper {
  const made = new LeaseKeeper(store, options);
  keepers.push(made);
  return made;
}
afterEach(async () => {
  for (const made of keepers.splice(0)) await made.release();
});

describe('LeaseKeeper', () => {
  it('takes a free lease and renews it under the same epoch', async () => {
    const store = await memoryStorage().open('db');
    const a = keeper(store, { owner: 'a', leaseMs: 300, renewEveryMs: 30 });
    a.start();
    const lease = await a.whenHeld(1_000);
    expect(lease).toMatchObject({ owner: 'a', epoch: 1 });
    await sleep(120);
    const renewed = await store.getLease();
    expect(renewed).toMatchObject({ owner: 'a', epoch: 1 });
    expect(renewed!.expiresAt).toBeGreaterThan(lease.expiresAt);
    expect(await a.fence()).toEqual({ epoch: 1 });
  });

  it('takes over a dead holder only once its lease has expired, at a higher epoch', async () => {
    const store = await memoryStorage().open('db');
    const deadUntil = Date.now() + 300;
    await store.casLease(undefined, { owner: 'dead', epoch: 4, expiresAt: deadUntil });
    const b = keeper(store, { owner: 'b', leaseMs: 300, renewEveryMs: 25 });
    b.start();
    await expect(b.fence()).rejects.toThrow(/b is not the primary of db: dead holds the lease \(epoch 4\)/);
    const lease = await b.whenHeld(3_000);
    expect(Date.now()).toBeGreaterThanOrEqual(deadUntil);
    expect(lease).toMatchObject({ owner: 'b', epoch: 5 });
  });

  it('hands the lease over at once on release', async () => {
    const store = await memoryStorage().open('db');
    const a = keeper(store, { owner: 'a', leaseMs: 60_000 });
    a.start();
    await a.whenHeld(1_000);
    const b = keeper(store, { owner: 'b', leaseMs: 60_000, renewEveryMs: 20 });
    b.start();
    await expect(b.whenHeld(100)).rejects.toThrow(/b is not the primary of db after waiting 100 ms: a holds the lease \(epoch 1\)/);
    await a.release();
    expect(a.current()).toBeUndefined();
    expect(await b.whenHeld(1_000)).toMatchObject({ owner: 'b', epoch: 2 });
  });

  it('cannot tell its lease was taken over until storage refuses the append it fences', async () => {
    const store = await memoryStorage().open('db');
    const a = keeper(store, { owner: 'a', leaseMs: 60_000 });
    const fence = await a.fence();
    await store.append(0, [entry(1)], fence);
    await store.casLease(a.current(), { owner: 'b', epoch: 2, expiresAt: Date.now() + 60_000 });
    const stale = await a.fence();
    expect(stale).toEqual({ epoch: 1 });
    await expect(store.append(1, [entry(2)], stale)).rejects.toBeInstanceOf(LeaseLostError);
    a.lost(stale.epoch);
    expect(a.current()).toBeUndefined();
    const refused = a.fence();
    await expect(refused).rejects.toBeInstanceOf(NotPrimaryError);
    await expect(refused).rejects.toMatchObject({ retryable: true, holder: { owner: 'b', epoch: 2 } });
    expect(await store.lastT()).toBe(1);
  });

  it('renews a lease past its time only if nobody took it meanwhile', async () => {
    const store = await memoryStorage().open('db');
    let now = 1_000;
    const a = keeper(store, { owner: 'a', leaseMs: 100, now: () => now });
    expect(await a.fence()).toEqual({ epoch: 1 });
    now = 5_000;
    expect(await a.fence()).toEqual({ epoch: 1 });
    expect(await store.getLease()).toEqual({ owner: 'a', epoch: 1, expiresAt: 5_100 });
    await store.casLease(await store.getLease(), { owner: 'b', epoch: 2, expiresAt: 5_150 });
    now = 5_120;
    await expect(a.fence()).rejects.toThrow(/a is not the primary of db: b holds the lease \(epoch 2\)/);
    now = 5_150;
    expect(await a.fence()).toEqual({ epoch: 3 });
  });

  it('keeps a lease whose renewal or acquisition landed though the answer was lost', async () => {
    const store = await memoryStorage().open('db');
    let loseNext = false;
    // Storage that applies a lease change and then fails the call, as a connection cut mid-answer would.
    const lossy = new Proxy(store, {
      get(target, key) {
        if (key === 'casLease') {
          return async (expected: Lease | undefined, next: Lease) => {
            await target.casLease(expected, next);
            if (loseNext) {
              loseNext = false;
              throw new StorageUnavailableError('answer lost');
            }
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    let now = 1_000;
    const a = keeper(lossy, { owner: 'a', leaseMs: 100, now: () => now });
    loseNext = true;
    await expect(a.fence()).rejects.toThrow('answer lost');
    expect(await a.fence()).toEqual({ epoch: 1 });
    now = 2_000;
    loseNext = true;
    await expect(a.fence()).rejects.toThrow('answer lost');
    now = 2_050;
    expect(await a.fence()).toEqual({ epoch: 1 });
    expect(await store.getLease()).toEqual({ owner: 'a', epoch: 1, expiresAt: 2_100 });
  });

  it('rejects lease timings that are not positive', async () => {
    const store = await memoryStorage().open('db');
    expect(() => new LeaseKeeper(store, { leaseMs: 0 })).toThrow(/leaseMs must be a positive number of milliseconds, got 0/);
    expect(() => new LeaseKeeper(store, { renewEveryMs: Number.NaN })).toThrow(/renewEveryMs must be a positive number/);
  });
});
