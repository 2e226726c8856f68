// Which packages a revision ships: the imported ones and what they depend on, each at its place.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dependencyClosure, packageName } from '../../runtime/push/dependency-closure.js';

const repo = resolve(import.meta.dirname, '../..');
const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('dependency closure', () => {
  it('names packages by their first path segment, or two for a scope', () => {
    expect(['yaml', 'yaml/util', '@aws-sdk/client-s3', '@aws-sdk/client-s3/dist/x'].map(packageName)).toEqual([
      'yaml',
      'yaml',
      '@aws-sdk/client-s3',
      '@aws-sdk/client-s3',
    ]);
  });

  it('follows dependencies transitively, once each, and places them as installed', async () => {
    const importer = join(repo, 'test/push/fixtures/service/src/web.js');
    // debug depends on ms, which the app imports too: it is shipped once.
    const closure = await dependencyClosure([
      { specifier: 'debug', importer },
      { specifier: 'ms', importer },
    ]);
    const installed = (name: string) => (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    expect(closure.map((pkg) => `${pkg.path}@${pkg.version}`)).toEqual([`node_modules/debug@${installed('debug')}`, `node_modules/ms@${installed('ms')}`]);
    expect(closure.map((pkg) => pkg.dir)).toEqual([join(repo, 'node_modules/debug'), join(repo, 'node_modules/ms')]);
  });

  it('says which importer needs a package that is not installed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ions-closure-'));
    made.push(dir);
    await expect(dependencyClosure([{ specifier: 'no-such-package-here', importer: join(dir, 'src/web.js') }])).rejects.toThrow(
      `${join(dir, 'src/web.js')} needs package no-such-package-here, which is not installed (no node_modules/no-such-package-here above ${join(dir, 'src')}); run npm install`,
    );
  });
});
