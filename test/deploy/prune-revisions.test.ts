// Retention on a node's disk: real files in a temp dir, revisions fetched from s3rver as the fetch hook
// does, then pruned as the validate hook does; every assertion is on exactly what remains.
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchRevision } from '../../runtime/deploy/fetch-revision.js';
import { pruneRevisions, type PruneReport } from '../../runtime/deploy/prune-revisions.js';
import { RECORDED_MANIFEST } from '../../runtime/deploy/revision-record.js';
import { sha256 } from '../../runtime/push/build-chunks.js';
import { startCodeBucket, type CodeBucket } from '../push/code-bucket.js';
import { deletable, hashesOf, leftoverPartial, nodeDisk, packageChunk, publish, pruneAsNodeUser, treeBytes, undeletable, type NodeDisk, type Published } from './node-disk.js';

let bucket: CodeBucket;
let disk: NodeDisk;
/** r[1]..r[6]: every one has src/shared.js; r1 and r2 also src/old.js; r1-r3 use dep@1, r4-r6 dep@2. */
const r: Published[] = [];

beforeAll(async () => {
  bucket = await startCodeBucket();
  const dep1 = { name: 'dep', version: '1.0.0', bytes: await packageChunk('dep', '1.0.0') };
  const dep2 = { name: 'dep', version: '2.0.0', bytes: await packageChunk('dep', '2.0.0') };
  for (let i = 1; i <= 6; i++) {
    const files: Record<string, string> = { 'src/version.js': `export const VERSION = ${i};\n`, 'src/shared.js': 'export const shared = true;\n' };
    if (i <= 2) files['src/old.js'] = 'export const old = true;\n';
    r[i] = await publish(bucket, `rev${i}`, files, i <= 3 ? dep1 : dep2);
  }
});

afterAll(async () => {
  await bucket?.close();
});

beforeEach(async () => {
  disk = await nodeDisk(bucket);
});

afterEach(async () => {
  await disk.remove();
});

const dirOf = (i: number): string => join(disk.revisionsDir, r[i]!.dirName);
const names = (...indexes: number[]): string[] => indexes.map((i) => r[i]!.dirName).sort();
const manifests = (...indexes: number[]) => indexes.map((i) => r[i]!.manifest);

const prune = (protect: string[], keepRecent: number, budgetMs?: number): Promise<PruneReport> =>
  pruneRevisions({ currentLink: disk.currentLink, cacheDir: disk.cacheDir, revisionsDir: disk.revisionsDir, protect, keepRecent, ...(budgetMs !== undefined && { budgetMs }) });

/** What the hooks do for revision i: fetch it, point `current` at it, then prune. */
async function deploy(i: number, keepRecent = 2, order = i): Promise<PruneReport> {
  const fetched = await disk.install(r[i]!.key, order);
  await disk.pointCurrent(fetched.dir);
  return prune([fetched.dir], keepRecent);
}

describe('pruning a node after a deploy', () => {
  it('keeps the served revision and the two most recently fetched others, and exactly the chunks they were fetched from', async () => {
    for (let i = 1; i <= 3; i++) await deploy(i);
    expect(await disk.revisions()).toEqual(names(1, 2, 3));
    const rev1Bytes = await treeBytes(dirOf(1));

    const fourth = await deploy(4);
    // rev1's own version.js goes; old.js is rev2's too, and dep@1 rev2's and rev3's.
    expect(fourth).toEqual({
      kept: [r[4]!.dirName, r[3]!.dirName, r[2]!.dirName],
      unrecorded: [],
      removed: { revisions: [r[1]!.dirName], partials: [], chunks: 1, bytes: rev1Bytes + r[1]!.manifest.files[0]!.size },
      deferred: [],
      failures: [],
    });
    expect(await disk.revisions()).toEqual(names(2, 3, 4));
    expect(await disk.chunks()).toEqual(hashesOf(...manifests(2, 3, 4)));

    await deploy(5);
    await deploy(6);
    expect(await disk.revisions()).toEqual(names(4, 5, 6));
    expect(await disk.chunks()).toEqual(hashesOf(...manifests(4, 5, 6)));
    const shared = sha256(Buffer.from('export const shared = true;\n'));
    expect(await disk.chunks()).toContain(shared);
    expect(await disk.chunks()).not.toContain(sha256(Buffer.from('export const old = true;\n')));
  });

  it('keeps the revision current links even when it is the least recently fetched (after a rollback)', async () => {
    for (let i = 1; i <= 4; i++) await deploy(i);
    await disk.pointCurrent(dirOf(2));
    const report = await prune([], 1);
    expect(report.kept).toEqual([r[4]!.dirName, r[2]!.dirName]);
    expect(await disk.revisions()).toEqual(names(2, 4));
    expect(await disk.chunks()).toEqual(hashesOf(...manifests(2, 4)));
  });

  it('counts a re-fetched revision as the most recent', async () => {
    for (let i = 1; i <= 3; i++) await deploy(i);
    // Fetched again now, as a rollback to it would; the others were dated a day ago.
    await fetchRevision({ s3: bucket.s3, bucket: bucket.bucket, manifestKey: r[1]!.key, cacheDir: disk.cacheDir, revisionsDir: disk.revisionsDir });
    await deploy(4, 1);
    expect(await disk.revisions()).toEqual(names(1, 4));
    expect(await disk.chunks()).toEqual(hashesOf(...manifests(1, 4)));
  });

  it('with no revisions to keep besides the served one, keeps only it and its chunks', async () => {
    await deploy(1, 0);
    await deploy(2, 0);
    expect(await disk.revisions()).toEqual(names(2));
    expect(await disk.chunks()).toEqual(hashesOf(...manifests(2)));
  });

  it('removes partial directories and crashed chunk downloads, and leaves alone what it does not recognise', async () => {
    await deploy(1);
    const partial = await leftoverPartial(disk.revisionsDir, 'rev9-0123456789ab');
    const download = `${r[1]!.manifest.files[0]!.sha256}.9f0e4c1a-3b2d-4e5f-8a6b-7c8d9e0f1a2b`;
    await writeFile(join(disk.cacheDir, download), 'half a chunk');
    await writeFile(join(disk.revisionsDir, 'notes.txt'), 'an operator was here');
    await writeFile(join(disk.cacheDir, 'README'), 'an operator was here');

    const report = await deploy(2);
    expect(report.removed).toEqual({ revisions: [], partials: [partial.slice(disk.revisionsDir.length + 1)], chunks: 1, bytes: 'export const half ='.length + 'half a chunk'.length });
    expect(await disk.revisions()).toEqual([...names(1, 2), 'notes.txt'].sort());
    expect(await disk.chunks()).toEqual([...hashesOf(...manifests(1, 2)), 'README'].sort());
  });

  it('is harmless to run twice', async () => {
    for (let i = 1; i <= 4; i++) await deploy(i);
    const before = { revisions: await disk.revisions(), chunks: await disk.chunks() };
    expect(await prune([dirOf(4)], 2)).toEqual({ kept: [r[4]!.dirName, r[3]!.dirName, r[2]!.dirName], unrecorded: [], removed: { revisions: [], partials: [], chunks: 0, bytes: 0 }, deferred: [], failures: [] });
    expect({ revisions: await disk.revisions(), chunks: await disk.chunks() }).toEqual(before);
  });
});

describe('a prune out of time', () => {
  it('renames every revision it deletes, leaves the deleting to the next prune, and the next prune does it', async () => {
    for (let i = 1; i <= 3; i++) await deploy(i);
    const leftover = await leftoverPartial(disk.revisionsDir, 'rev9-0123456789ab');
    const late = await prune([dirOf(3)], 0, 0);
    expect(late.removed).toEqual({ revisions: [], partials: [], chunks: expect.any(Number), bytes: expect.any(Number) });
    const partials = (await disk.revisions()).filter((name) => name.includes('.partial-'));
    expect(late.deferred.sort()).toEqual(partials);
    expect(partials).toEqual([expect.stringMatching(new RegExp(`^${r[1]!.dirName}\\.partial-`)), expect.stringMatching(new RegExp(`^${r[2]!.dirName}\\.partial-`)), expect.stringMatching(/^rev9-/)]);
    expect(partials).toContain(leftover.slice(disk.revisionsDir.length + 1));
    // Chunks are not held back: they are files, and what is kept is already known.
    expect(await disk.chunks()).toEqual(hashesOf(...manifests(3)));

    const next = await prune([dirOf(3)], 0);
    expect(next.removed.partials.sort()).toEqual(partials);
    expect(next.deferred).toEqual([]);
    expect(await disk.revisions()).toEqual(names(3));
  });
});

describe('what pruning cannot prove unneeded stays', () => {
  it('keeps a revision without a recorded manifest by its age, and every chunk while it is kept', async () => {
    for (let i = 1; i <= 3; i++) await deploy(i);
    // As laid out before nodes recorded manifests, and as old as it was.
    await rm(join(dirOf(2), RECORDED_MANIFEST));
    await disk.date(dirOf(2), 2);

    const fourth = await deploy(4);
    expect(fourth.unrecorded).toEqual([r[2]!.dirName]);
    expect(fourth.failures).toEqual([]);
    expect(await disk.revisions()).toEqual(names(2, 3, 4));
    // rev1's directory is gone, but its chunks stay: rev2 may have been fetched from any of them.
    expect(await disk.chunks()).toEqual(hashesOf(...manifests(1, 2, 3, 4)));

    await deploy(5);
    expect(await disk.revisions()).toEqual(names(3, 4, 5));
    expect(await disk.chunks()).toEqual(hashesOf(...manifests(3, 4, 5)));
  });

  it('records the manifest of such a revision when it is fetched again', async () => {
    await deploy(1);
    await rm(join(dirOf(1), RECORDED_MANIFEST));
    await disk.install(r[1]!.key, 2);
    expect(await readFile(join(dirOf(1), RECORDED_MANIFEST), 'utf8')).toBe(JSON.stringify(r[1]!.manifest));
  });

  it('keeps a revision whose recorded manifest cannot be read, keeps every chunk, and reports it', async () => {
    for (let i = 1; i <= 3; i++) await deploy(i);
    await writeFile(join(dirOf(2), RECORDED_MANIFEST), 'not json');

    const fourth = await deploy(4);
    expect(fourth.unrecorded).toEqual([r[2]!.dirName]);
    expect(fourth.failures).toEqual([{ path: dirOf(2), error: expect.stringMatching(/^cannot read its recorded manifest: .*\.push-manifest\.json is not JSON/) }]);
    expect(await disk.revisions()).toEqual(names(2, 3, 4));
    expect(await disk.chunks()).toEqual(hashesOf(...manifests(1, 2, 3, 4)));
  });

  it('deletes nothing when current is not a link, since what the node serves is then unknown', async () => {
    for (let i = 1; i <= 3; i++) await deploy(i);
    await rm(disk.currentLink);
    await mkdir(disk.currentLink);
    const before = { revisions: await disk.revisions(), chunks: await disk.chunks() };
    await expect(prune([], 0)).rejects.toThrow(`${disk.currentLink} is not a symbolic link, so which revision the node serves is unknown; nothing was pruned`);
    expect({ revisions: await disk.revisions(), chunks: await disk.chunks() }).toEqual(before);
  });

  it('refuses a count of revisions to keep that is not a whole number', async () => {
    await expect(prune([], -1)).rejects.toThrow('keepRecent must be a whole number of revisions, got -1');
  });
});

describe('a delete that fails', () => {
  it('is reported, the rest still goes, and the next prune finishes it', async () => {
    await disk.install(r[1]!.key, 1);
    await disk.pointCurrent((await disk.install(r[2]!.key, 2)).dir);
    const locked = join(dirOf(1), 'src');
    await undeletable(disk.home, locked);
    let report: PruneReport;
    try {
      report = await pruneAsNodeUser({ currentLink: disk.currentLink, cacheDir: disk.cacheDir, revisionsDir: disk.revisionsDir, protect: [dirOf(2)], keepRecent: 0 });
    } finally {
      // Wherever the prune moved it, so that the next prune (and the test's cleanup) can delete it.
      const moved = (await disk.revisions()).find((name) => name.startsWith(`${r[1]!.dirName}.partial-`));
      await deletable(moved === undefined ? locked : join(disk.revisionsDir, moved, 'src'));
    }
    const doomed = (await disk.revisions()).find((name) => name.includes('.partial-'))!;
    // Renamed first: a half-deleted revision is never taken for one again.
    expect(doomed).toMatch(new RegExp(`^${r[1]!.dirName}\\.partial-`));
    expect(report.failures).toEqual([{ path: join(disk.revisionsDir, doomed), error: expect.stringMatching(/^EACCES: permission denied, .*\/src\//) }]);
    expect(report.removed.revisions).toEqual([]);
    expect(await disk.revisions()).toEqual([doomed, ...names(2)].sort());
    expect(await disk.chunks()).toEqual(hashesOf(...manifests(2)));

    const again = await prune([dirOf(2)], 0);
    expect(again.removed.partials).toEqual([doomed]);
    expect(again.failures).toEqual([]);
    expect(await disk.revisions()).toEqual(names(2));
  });
});

describe('fetch records what pruning needs', () => {
  it('refuses a revision that ships a file where the node records its manifest', async () => {
    const dep = { name: 'dep', version: '1.0.0', bytes: await packageChunk('dep', '1.0.0') };
    const bad = await publish(bucket, 'rev-bad', { [RECORDED_MANIFEST]: '{}' }, dep);
    await expect(disk.install(bad.key, 1)).rejects.toThrow(`revision rev-bad ships a file ${RECORDED_MANIFEST}, a name the node keeps for the manifest it records`);
    expect(existsSync(disk.revisionsDir)).toBe(false);
  });

  it('holds, over any series of deploys and rollbacks, exactly the served and most recent revisions and their chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 3 }), async (series, keep) => {
        await rm(disk.home, { recursive: true, force: true });
        const fetchedAt = new Map<number, number>();
        for (const [step, i] of series.entries()) {
          await deploy(i, keep, step);
          fetchedAt.set(i, step);
          const others = [...fetchedAt.keys()].filter((j) => j !== i).sort((a, b) => fetchedAt.get(b)! - fetchedAt.get(a)!);
          for (const gone of others.slice(keep)) fetchedAt.delete(gone);
          const kept = [...fetchedAt.keys()];
          expect(await disk.revisions()).toEqual(names(...kept));
          expect(await disk.chunks()).toEqual(hashesOf(...manifests(...kept)));
          expect(await readFile(join(dirOf(i), 'src/version.js'), 'utf8')).toBe(`export const VERSION = ${i};\n`);
        }
      }),
      { numRuns: 12 },
    );
  });
});
