import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRevision } from '../../runtime/revision/index.js';
import type { RevisionManifest } from '../../runtime/revision/index.js';
import { buildFixture, configA, fixture, tempDirs } from './helpers.js';
import { buildRevision } from '../../runtime/revision/index.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const oddConfig = (refs: string[]) => ({ app: 'odd', allow: refs });

describe('buildRevision', () => {
  it('bundles every referenced module and writes ions.json with the config and a content-addressed entry per reference', async () => {
    const dir = await buildFixture(dirs, 'service-a', configA(), 'rev-a');
    const manifest = JSON.parse(await readFile(join(dir, 'ions.json'), 'utf8')) as RevisionManifest;
    expect(manifest.revision).toBe('rev-a');
    expect(manifest.config).toEqual(configA());
    expect(Object.keys(manifest.entries).sort()).toEqual(
      ['src/direct.handler', 'src/events.consume', 'src/events.explode', 'src/events.slow', 'src/events.wrapped', 'src/fns.add', 'src/info.appInfo', 'src/web.handler'].sort(),
    );
    expect(manifest.entries['src/events.slow']).toBe(manifest.entries['src/events.consume']);
    expect(manifest.entries['src/web.handler']).toMatch(/^src\/web-[A-Z0-9]+\.mjs$/);
  });

  it('names the reference, its place in the config and the paths tried when a module is missing', async () => {
    const outDir = await dirs.make('missing');
    const config = configA({ lambdas: { ghost: { fn: 'src/ghost.handler' } } });
    await expect(buildRevision({ serviceDir: fixture('service-a'), config, outDir, name: 'x' })).rejects.toThrow(
      /ions\.lambdas\.ghost\.fn \("src\/ghost\.handler"\): module src\/ghost not found in .*service-a \(looked for src\/ghost\{\.ts,/,
    );
  });

  it('refuses a reference without an export name', async () => {
    const outDir = await dirs.make('badref');
    await expect(buildRevision({ serviceDir: fixture('service-a'), config: oddConfig(['src/fns']), outDir, name: 'x' })).rejects.toThrow(
      'ions.allow[0]: "src/fns" is not a function reference like src/web.handler',
    );
  });

  it('makes bundled CommonJS code work (require, __dirname) next to app code declaring its own require', async () => {
    const dir = await buildFixture(dirs, 'odd-modules', oddConfig(['src/uses-cjs.directory', 'src/uses-cjs.ownRequire']), 'cjs');
    const revision = await loadRevision(dir);
    expect((revision.resolve('src/uses-cjs.directory') as () => string)()).toBe('src');
    expect((revision.resolve('src/uses-cjs.ownRequire') as () => string)()).toBe('function');
  });
});

describe('loadRevision', () => {
  it('resolves every reference of the config to its function', async () => {
    const dir = await buildFixture(dirs, 'service-a', configA(), 'load-a');
    const revision = await loadRevision(dir);
    expect(revision.name).toBe('load-a');
    expect(revision.config.app).toBe('fixture-app');
    expect((revision.resolve('src/fns.add') as (a: number, b: number) => number)(2, 3)).toBe(5);
    expect(() => revision.resolve('src/fns.secret')).toThrow('revision load-a has no function src/fns.secret: the config references only');
  });

  it('evaluates the modules afresh on every load, even from the same directory', async () => {
    const dir = await buildFixture(dirs, 'service-a', configA(), 'twice');
    const first = await loadRevision(dir);
    const second = await loadRevision(dir);
    expect(second.resolve('src/fns.add')).not.toBe(first.resolve('src/fns.add'));
  });

  it('says which reference, which file and which exports exist when an export is missing', async () => {
    const dir = await buildFixture(dirs, 'odd-modules', oddConfig(['src/exports.absent']), 'no-export');
    await expect(loadRevision(dir)).rejects.toThrow(
      /revision no-export: ions\.allow\[0\] \("src\/exports\.absent"\): src\/exports-\w+\.mjs has no export "absent"; its function exports are: present/,
    );
  });

  it('refuses an export that is not a function', async () => {
    const dir = await buildFixture(dirs, 'odd-modules', oddConfig(['src/exports.notAFunction']), 'not-fn');
    await expect(loadRevision(dir)).rejects.toThrow(/exports a non-function as "notAFunction"/);
  });

  it('reports a module that throws while loading, naming the file and the reference', async () => {
    const dir = await buildFixture(dirs, 'odd-modules', oddConfig(['src/throws.anything']), 'throws');
    await expect(loadRevision(dir)).rejects.toThrow(
      /revision throws: loading src\/throws-\w+\.mjs for ions\.allow\[0\] \("src\/throws\.anything"\) failed: this module fails while loading/,
    );
  });

  it('refuses a directory without a revision, and a manifest that is not one', async () => {
    const empty = await dirs.make('empty');
    await expect(loadRevision(empty)).rejects.toThrow(/no revision in .*: cannot read ions\.json/);
    await writeFile(join(empty, 'ions.json'), JSON.stringify({ revision: 'r', entries: {} }));
    await expect(loadRevision(empty)).rejects.toThrow(/"config" must be an ions config with an "app" name/);
  });
});
