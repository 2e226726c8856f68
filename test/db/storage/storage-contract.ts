// The behaviour every Storage backend owes the connection. Each backend's test file calls
// storageContract(name, makeStorage); makeStorage must return a storage holding no databases yet
// (a fresh directory, schema or table prefix), because the cases reuse database names.
import { describe, expect, it } from 'vitest';
import { LeaseLostError, StorageConflictError, StorageCorruptError, type Storage } from '../../../runtime/db/storage/index.js';
import type { LogRecord } from '../../../runtime/db/storage/storage.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const entry = (t: number, text = `tx ${t}`): LogRecord => ({ t, data: bytes(text) });

async function collect(log: AsyncIterable<LogRecord>): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for await (const { t, data } of log) out.push([t, new TextDecoder().decode(data)]);
  return out;
}

export function storageContract(backend: string, makeStorage: () => Promise<Storage>): void {
  describe(`${backend} storage contract`, () => {
    it('appends in t order and reads the log from any t', async () => {
      const storage = await makeStorage();
      const db = await storage.open('contract');
      expect(await db.lastT()).toBe(0);
      await db.append(0, [entry(1), entry(2)]);
      await db.append(2, [entry(5)]);
      expect(await db.lastT()).toBe(5);
      expect(await collect(db.readLog(0))).toEqual([[1, 'tx 1'], [2, 'tx 2'], [5, 'tx 5']]);
      expect(await collect(db.readLog(1, 2))).toEqual([[2, 'tx 2']]);
      expect(await collect(db.readLog(5))).toEqual([]);
      await storage.close();
    });

    it('lets exactly one of two writers expecting the same tail append', async () => {
      const storage = await makeStorage();
      const db = await storage.open('race');
      await db.append(0, [entry(1)]);
      const results = await Promise.allSettled([db.append(1, [entry(2, 'a')]), db.append(1, [entry(2, 'b')])]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(StorageConflictError);
      expect(lost.reason.message).toMatch(/ends at t 2, not at the expected 1/);
      expect((await collect(db.readLog(0))).map(([t]) => t)).toEqual([1, 2]);
      await storage.close();
    });

    it('refuses entries whose t does not increase past the expected tail', async () => {
      const storage = await makeStorage();
      const db = await storage.open('order');
      await expect(db.append(0, [entry(2), entry(2)])).rejects.toThrow(/entry 1 has t 2, which must be an integer above 2/);
      await expect(db.append(3, [entry(3)])).rejects.toThrow(/entry 0 has t 3/);
      expect(await db.lastT()).toBe(0);
      await storage.close();
    });

    it('keeps blobs by content and detects unknown keys', async () => {
      const storage = await makeStorage();
      const db = await storage.open('blobs');
      const key = await db.putBlob(bytes('snapshot'));
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(await db.putBlob(bytes('snapshot'))).toBe(key);
      expect(new TextDecoder().decode(await db.getBlob(key))).toBe('snapshot');
      await expect(db.getBlob('0'.repeat(64))).rejects.toBeInstanceOf(StorageCorruptError);
      await expect(db.getBlob('../etc/passwd')).rejects.toThrow(/bad blob key/);
      await storage.close();
    });

    it('moves the root pointer only by compare-and-set', async () => {
      const storage = await makeStorage();
      const db = await storage.open('root');
      const blob = await db.putBlob(bytes('x'));
      expect(await db.getRoot()).toBeUndefined();
      await db.casRoot(undefined, { t: 3, blob });
      await expect(db.casRoot(undefined, { t: 4, blob })).rejects.toBeInstanceOf(StorageConflictError);
      await expect(db.casRoot({ t: 2, blob }, { t: 4, blob })).rejects.toBeInstanceOf(StorageConflictError);
      await db.casRoot({ t: 3, blob }, { t: 4, blob });
      expect(await db.getRoot()).toEqual({ t: 4, blob });
      await storage.close();
    });

    it('moves the writer lease only by compare-and-set, never back in epoch', async () => {
      const storage = await makeStorage();
      const db = await storage.open('lease');
      const first = { owner: 'node-a', epoch: 1, expiresAt: 1_000 };
      expect(await db.getLease()).toBeUndefined();
      await db.casLease(undefined, first);
      await expect(db.casLease(undefined, { owner: 'node-b', epoch: 2, expiresAt: 2_000 })).rejects.toBeInstanceOf(StorageConflictError);
      await expect(db.casLease({ ...first, expiresAt: 999 }, { ...first, expiresAt: 3_000 })).rejects.toBeInstanceOf(StorageConflictError);
      await expect(db.casLease(first, { ...first, epoch: 0 })).rejects.toThrow(/epoch must be an integer >= 1, got 0/);
      await expect(db.casLease(first, { ...first, owner: '' })).rejects.toThrow(/owner must be a string/);
      const renewed = { ...first, expiresAt: 3_000 };
      await db.casLease(first, renewed);
      const taken = { owner: 'node-b', epoch: 2, expiresAt: 4_000 };
      await db.casLease(renewed, taken);
      await expect(db.casLease(taken, { ...taken, epoch: 1 })).rejects.toThrow(/epoch must be an integer >= 2/);
      expect(await db.getLease()).toEqual(taken);
      await storage.close();
    });

    it('fences appends by the lease epoch, before the tail check', async () => {
      const storage = await makeStorage();
      const db = await storage.open('fence');
      await expect(db.append(0, [entry(1)], { epoch: 1 })).rejects.toBeInstanceOf(LeaseLostError);
      const a = { owner: 'node-a', epoch: 1, expiresAt: 1_000 };
      await db.casLease(undefined, a);
      await db.append(0, [entry(1)], { epoch: 1 });
      await db.casLease(a, { owner: 'node-b', epoch: 2, expiresAt: 2_000 });
      const lost = db.append(1, [entry(2, 'stale')], { epoch: 1 });
      await expect(lost).rejects.toBeInstanceOf(LeaseLostError);
      await expect(lost).rejects.toThrow(/lease \(epoch 1\) was taken over by node-b at epoch 2/);
      await expect(db.append(0, [entry(2, 'stale')], { epoch: 1 })).rejects.toBeInstanceOf(LeaseLostError);
      await db.append(1, [entry(2, 'b')], { epoch: 2 });
      await db.append(2, [entry(3, 'unfenced')]);
      expect(await collect(db.readLog(0))).toEqual([[1, 'tx 1'], [2, 'b'], [3, 'unfenced']]);
      await storage.close();
    });

    it('keeps databases apart by name and rejects unsafe names', async () => {
      const storage = await makeStorage();
      const a = await storage.open('a');
      const b = await storage.open('b');
      await a.append(0, [entry(1)]);
      expect(await b.lastT()).toBe(0);
      expect(await storage.open('a')).toBe(a);
      await expect(storage.open('../x')).rejects.toThrow(/bad database name/);
      await expect(storage.open('')).rejects.toThrow(/bad database name/);
      await storage.close();
    });
  });
}
