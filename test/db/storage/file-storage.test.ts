import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../../runtime/cast/index.js';
import { fileStorage, StorageConflictError, StorageCorruptError, type Storage } from '../../../runtime/db/storage/index.js';
import type { LogRecord } from '../../../runtime/db/storage/storage.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ions-file-storage-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const entry = (t: number): LogRecord => ({ t, data: new TextEncoder().encode(`transaction number ${t}`) });

async function ts(storage: Storage, db = 'app'): Promise<number[]> {
  const out: number[] = [];
  for await (const { t } of (await storage.open(db)).readLog(0)) out.push(t);
  return out;
}

async function writeLog(dir: string, count: number, options = {}): Promise<string> {
  const storage = fileStorage(dir, options);
  const db = await storage.open('app');
  for (let t = 1; t <= count; t++) await db.append(t - 1, [entry(t)]);
  await storage.close();
  const logDir = join(dir, 'app', 'log');
  return join(logDir, (await readdir(logDir)).sort().at(-1)!);
}

describe('file storage', () => {
  it('keeps the writer lease across a reopen, so a restarted node still fences the old epoch', async () => {
    const dir = await tempDir();
    const first = fileStorage(dir);
    const lease = { owner: 'node-a', epoch: 3, expiresAt: 1_000 };
    await (await first.open('app')).casLease(undefined, lease);
    await first.close();
    const second = fileStorage(dir);
    const reopened = await second.open('app');
    expect(await reopened.getLease()).toEqual(lease);
    await expect(reopened.append(0, [entry(1)], { epoch: 2 })).rejects.toThrow(/lease \(epoch 2\) was taken over by node-a at epoch 3/);
    await second.close();
    await writeFile(join(dir, 'app', 'lease.json'), '{"owner": "x", "epoch": -1}');
    const third = fileStorage(dir);
    await expect(third.open('app')).rejects.toThrow(/lease of app is not \{"owner": string, "epoch": integer, "expiresAt": integer\} \(lease of app: epoch must be an integer >= 1, got -1\) \(at .*lease\.json\)/);
    await third.close();
  });

  it('keeps the log, blobs and root across a close and reopen', async () => {
    const dir = await tempDir();
    const first = fileStorage(dir);
    const db = await first.open('app');
    await db.append(0, [entry(1), entry(2)]);
    const blob = await db.putBlob(Uint8Array.of(1, 2, 3));
    await db.casRoot(undefined, { t: 2, blob });
    await first.close();

    const second = fileStorage(dir);
    const reopened = await second.open('app');
    expect(await reopened.lastT()).toBe(2);
    expect(await ts(second)).toEqual([1, 2]);
    expect(await reopened.getRoot()).toEqual({ t: 2, blob });
    expect([...(await reopened.getBlob(blob))]).toEqual([1, 2, 3]);
    await reopened.append(2, [entry(3)]);
    expect(await ts(second)).toEqual([1, 2, 3]);
    await second.close();
  });

  it('removes temporary files a crash left behind when it opens', async () => {
    const dir = await tempDir();
    await writeLog(dir, 1);
    await writeFile(join(dir, 'app', '.root.json.abc.tmp'), 'half');
    await writeFile(join(dir, 'app', 'blobs', '.0123.def.tmp'), 'half');
    const storage = fileStorage(dir);
    await storage.open('app');
    expect(await readdir(join(dir, 'app'))).not.toContain('.root.json.abc.tmp');
    expect(await readdir(join(dir, 'app', 'blobs'))).toEqual([]);
    await storage.close();
  });

  it('shares one open database between storages of the same directory until the last one closes', async () => {
    const dir = await tempDir();
    const first = fileStorage(dir);
    const second = fileStorage(dir);
    const db = await first.open('app');
    expect(await second.open('app')).toBe(db);
    await db.append(0, [entry(1)]);
    await first.close();
    await db.append(1, [entry(2)]);
    await second.close();
    await expect(db.append(2, [entry(3)])).rejects.toThrow(/log of app is closed/);
    const third = fileStorage(dir);
    expect(await ts(third)).toEqual([1, 2]);
    await third.close();
  });

  it('calls onSync once per durable append with the entries it carried', async () => {
    const syncs: number[] = [];
    const storage = fileStorage(await tempDir(), { onSync: (info) => syncs.push(info.entries) });
    const db = await storage.open('app');
    await db.append(0, [entry(1), entry(2), entry(3)]);
    await db.append(3, [entry(4)]);
    expect(syncs).toEqual([3, 1]);
    await storage.close();
  });

  it('drops a torn tail (a record cut short) with a cast event and appends after it', async () => {
    const dir = await tempDir();
    const segment = await writeLog(dir, 3);
    const bytes = await readFile(segment);
    await writeFile(segment, bytes.subarray(0, bytes.length - 5));
    const tap = tapSink();
    const restore = redirect(tap);
    try {
      const storage = fileStorage(dir);
      const db = await storage.open('app');
      expect(await db.lastT()).toBe(2);
      expect(tap.records).toEqual([
        expect.objectContaining({ type: 'event', msg: 'db.storage/torn-tail-dropped', db: 'app', lastT: 2, reason: expect.stringMatching(/past the end/) }),
      ]);
      await db.append(2, [entry(3)]);
      expect(await ts(storage)).toEqual([1, 2, 3]);
      await storage.close();
    } finally {
      restore();
    }
  });

  it('drops a last record whose checksum fails and a trailing partial header', async () => {
    const dir = await tempDir();
    const segment = await writeLog(dir, 3);
    const bytes = Buffer.from(await readFile(segment));
    bytes[bytes.length - 1]! ^= 0xff;
    await writeFile(segment, Buffer.concat([bytes, Buffer.from([7, 7, 7])]));
    const restore = redirect(tapSink());
    try {
      const storage = fileStorage(dir);
      expect(await ts(storage)).toEqual([1, 2]);
      await storage.close();
    } finally {
      restore();
    }
  });

  it('drops every record of a torn batch when intact records of that same batch follow the damage', async () => {
    const dir = await tempDir();
    const storage = fileStorage(dir);
    const db = await storage.open('app');
    await db.append(0, [entry(1)]);
    await db.append(1, [entry(2), entry(3), entry(4)]);
    await storage.close();
    const segment = join(dir, 'app', 'log', (await readdir(join(dir, 'app', 'log')))[0]!);
    const bytes = Buffer.from(await readFile(segment));
    const recordBytes = bytes.length / 4;
    bytes[2 * recordBytes + 30]! ^= 0x01;
    await writeFile(segment, bytes);
    const restore = redirect(tapSink());
    try {
      const reopened = fileStorage(dir);
      expect(await ts(reopened)).toEqual([1, 2]);
      await reopened.close();
    } finally {
      restore();
    }
  });

  it('keeps exactly the records wholly written before a crash cut the log at any byte', async () => {
    const restore = redirect(tapSink());
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.nat(64),
          async (batches, cutAt, zeros) => {
            const dir = await tempDir();
            const storage = fileStorage(dir);
            const db = await storage.open('app');
            let t = 0;
            for (const batch of batches) {
              await db.append(t, batch.map((data, i) => ({ t: t + 1 + i, data })));
              t += batch.length;
            }
            await storage.close();
            const segment = join(dir, 'app', 'log', (await readdir(join(dir, 'app', 'log')))[0]!);
            const bytes = await readFile(segment);
            const cut = Math.floor(cutAt * bytes.length);
            const damaged = Buffer.concat([bytes.subarray(0, cut), Buffer.alloc(zeros)]);
            await writeFile(segment, damaged);
            // A record survives when its bytes are all there as written (zeros standing in for lost
            // zeros count: the record is then complete on disk).
            let start = 0;
            const whole: number[] = [];
            for (const data of batches.flat()) {
              const end = start + 24 + data.length;
              if (end > damaged.length || !damaged.subarray(start, end).equals(bytes.subarray(start, end))) break;
              whole.push(whole.length + 1);
              start = end;
            }
            const reopened = fileStorage(dir);
            expect(await ts(reopened)).toEqual(whole);
            await reopened.close();
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      restore();
    }
  });

  it('reopens cleanly after a crash left preallocated zeros after the last record', async () => {
    const dir = await tempDir();
    const segment = await writeLog(dir, 3);
    const bytes = await readFile(segment);
    await writeFile(segment, Buffer.concat([bytes, Buffer.alloc(4096)]));
    const tap = tapSink();
    const restore = redirect(tap);
    try {
      const storage = fileStorage(dir);
      const db = await storage.open('app');
      expect(await db.lastT()).toBe(3);
      await db.append(3, [entry(4)]);
      expect(await ts(storage)).toEqual([1, 2, 3, 4]);
      expect(tap.records).toEqual([]);
      await storage.close();
    } finally {
      restore();
    }
  });

  it('refuses to open a log damaged in the middle and says where', async () => {
    const dir = await tempDir();
    const segment = await writeLog(dir, 3);
    const bytes = Buffer.from(await readFile(segment));
    const recordBytes = bytes.length / 3;
    bytes[recordBytes + 20]! ^= 0x01;
    await writeFile(segment, bytes);
    const open = fileStorage(dir).open('app');
    await expect(open).rejects.toBeInstanceOf(StorageCorruptError);
    await expect(open).rejects.toThrow(
      new RegExp(`damaged in the middle \\(checksum mismatch\\); an intact record of a later batch \\(t 3 at byte ${2 * recordBytes}\\).*at ${segment}, byte ${recordBytes}\\)`),
    );
  });

  it('rolls over to new segments and reads across them from any t', async () => {
    const dir = await tempDir();
    await writeLog(dir, 20, { segmentBytes: 120 });
    const segments = (await readdir(join(dir, 'app', 'log'))).sort();
    expect(segments.length).toBeGreaterThan(3);
    expect(segments[1]).toMatch(/^0{15}[1-9]\.log$|^0{14}\d\d\.log$/);
    const storage = fileStorage(dir, { segmentBytes: 120 });
    const db = await storage.open('app');
    const tail: number[] = [];
    for await (const { t } of db.readLog(13, 17)) tail.push(t);
    expect(tail).toEqual([14, 15, 16, 17]);
    expect(await ts(storage)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await storage.close();
  });

  it('reads no file when asked for what comes after the end of the log', async () => {
    const dir = await tempDir();
    const storage = fileStorage(dir);
    const db = await storage.open('app');
    for (let t = 1; t <= 3; t++) await db.append(t - 1, [entry(t)]);
    const logDir = join(dir, 'app', 'log');
    for (const name of await readdir(logDir)) await rm(join(logDir, name));
    const after: number[] = [];
    for await (const { t } of db.readLog(3)) after.push(t);
    expect(after).toEqual([]);
    await expect(ts(storage)).rejects.toThrow(/ENOENT/);
    await storage.close();
  });

  it('reports damage in an older segment when the log is read', async () => {
    const dir = await tempDir();
    await writeLog(dir, 20, { segmentBytes: 120 });
    const first = join(dir, 'app', 'log', (await readdir(join(dir, 'app', 'log'))).sort()[0]!);
    const bytes = Buffer.from(await readFile(first));
    bytes[20]! ^= 0x01;
    await writeFile(first, bytes);
    const storage = fileStorage(dir, { segmentBytes: 120 });
    await expect(ts(storage)).rejects.toThrow(new RegExp(`log of app is damaged: checksum mismatch \\(at ${first}, byte 0\\)`));
    await storage.close();
  });

  it('refuses a database another live process holds, and takes over from a dead one', async () => {
    const dir = await tempDir();
    await writeLog(dir, 1);
    await writeFile(join(dir, 'app', 'LOCK'), String(process.ppid));
    await expect(fileStorage(dir).open('app')).rejects.toThrow(StorageConflictError);
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    await writeFile(join(dir, 'app', 'LOCK'), String(gone));
    const storage = fileStorage(dir);
    expect(await ts(storage)).toEqual([1]);
    await storage.close();
  });

  it('detects a blob whose bytes no longer match their key', async () => {
    const dir = await tempDir();
    const storage = fileStorage(dir);
    const db = await storage.open('app');
    const key = await db.putBlob(Uint8Array.of(1, 2, 3));
    await writeFile(join(dir, 'app', 'blobs', key), Uint8Array.of(1, 2, 4));
    await expect(db.getBlob(key)).rejects.toThrow(/does not match its SHA-256/);
    await storage.close();
  });
});
