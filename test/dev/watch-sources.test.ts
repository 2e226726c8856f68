import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchSources, type SourceWatcher } from '../../runtime/dev/watch-sources.js';

let dir: string;
let watcher: SourceWatcher | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ions-watch-'));
  await mkdir(join(dir, 'src/deep'), { recursive: true });
  await mkdir(join(dir, 'node_modules/pkg'), { recursive: true });
  await mkdir(join(dir, '.ions'), { recursive: true });
});
afterEach(async () => {
  watcher?.close();
  await rm(dir, { recursive: true, force: true });
});

function batches(): { seen: string[][]; next: () => Promise<string[]> } {
  const seen: string[][] = [];
  let wake: (() => void) | undefined;
  watcher = watchSources(
    dir,
    (files) => {
      seen.push(files.sort());
      wake?.();
    },
    50,
  );
  return {
    seen,
    next: () =>
      new Promise((resolve, reject) => {
        const count = seen.length;
        const timeout = setTimeout(() => reject(new Error('no change reported')), 5_000);
        wake = () => {
          if (seen.length > count) {
            clearTimeout(timeout);
            resolve(seen[seen.length - 1]!);
          }
        };
      }),
  };
}

describe('watchSources', () => {
  it('reports a burst of source changes once, nested files and serverless.yml included', async () => {
    const { next } = batches();
    const change = next();
    await writeFile(join(dir, 'src/deep/a.ts'), 'a');
    await writeFile(join(dir, 'src/b.ts'), 'b');
    await writeFile(join(dir, 'serverless.yml'), 'x');
    expect(await change).toEqual(expect.arrayContaining(['serverless.yml', join('src', 'b.ts'), join('src', 'deep', 'a.ts')]));
  });

  it('ignores dependencies and build output, and picks up new directories', async () => {
    const { seen, next } = batches();
    await writeFile(join(dir, 'node_modules/pkg/index.js'), 'x');
    await writeFile(join(dir, '.ions/out.mjs'), 'x');
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);

    let change = next();
    await mkdir(join(dir, 'lib'));
    await change;
    change = next();
    await writeFile(join(dir, 'lib/util.ts'), 'u');
    expect(await change).toContain(join('lib', 'util.ts'));
  });

  it('survives a watched directory being removed and reports it', async () => {
    const { next } = batches();
    const change = next();
    await rm(join(dir, 'src'), { recursive: true });
    expect(await change).toContain('src');
    await writeFile(join(dir, 'serverless.yml'), 'still watching');
    expect(await next()).toContain('serverless.yml');
  });
});
