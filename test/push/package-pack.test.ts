// Dependency packs: deterministic bytes for the same files, an exact round trip, and refusal of a pack
// that would write outside its directory.
import fc from 'fast-check';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { packDirectory, unpack } from '../../runtime/push/package-pack.js';

const made: string[] = [];
const temp = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), `ions-pack-${prefix}-`));
  made.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function writeTree(dir: string, files: Record<string, Uint8Array>): Promise<void> {
  for (const [path, body] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), body);
  }
}

async function readTree(dir: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) tree[join(entry.parentPath, entry.name).slice(dir.length + 1)] = (await readFile(join(entry.parentPath, entry.name))).toString('hex');
  }
  return tree;
}

const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/).filter((name) => name !== 'node_modules');
const files = fc.dictionary(
  fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `${parts.join('/')}.js`),
  fc.uint8Array({ maxLength: 200 }),
  { maxKeys: 8 },
);

describe('dependency packs', () => {
  it('round-trip any tree exactly, and the same tree always packs to the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(files, async (tree) => {
        const one = await temp('one');
        const two = await temp('two');
        await writeTree(one, tree);
        await writeTree(two, Object.fromEntries(Object.entries(tree).reverse()));
        const pack = await packDirectory(one);
        expect((await packDirectory(two)).equals(pack)).toBe(true);
        const out = await temp('out');
        await unpack(pack, out, 'tree');
        expect(await readTree(out)).toEqual(Object.fromEntries(Object.entries(tree).map(([path, body]) => [path, Buffer.from(body).toString('hex')])));
      }),
      { numRuns: 25 },
    );
  });

  it('leaves out nested node_modules and type declarations, and keeps executables executable', async () => {
    const dir = await temp('skip');
    await writeTree(dir, {
      'index.js': Buffer.from('x'),
      'index.d.ts': Buffer.from('t'),
      'node_modules/dep/index.js': Buffer.from('d'),
      'bin/tool': Buffer.from('#!/bin/sh'),
    });
    await chmod(join(dir, 'bin/tool'), 0o755);
    const out = await temp('skip-out');
    await unpack(await packDirectory(dir), out, 'skip');
    expect(Object.keys(await readTree(out)).sort()).toEqual(['bin/tool', 'index.js']);
    expect((await stat(join(out, 'bin/tool'))).mode & 0o111).not.toBe(0);
  });

  it('refuses a pack whose paths leave the target directory, or whose sizes do not add up', async () => {
    const pack = (entries: unknown[], body: string) => {
      const header = Buffer.from(JSON.stringify(entries));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(header.length);
      return gzipSync(Buffer.concat([length, header, Buffer.from(body)]));
    };
    const out = await temp('evil');
    await expect(unpack(pack([{ path: '../escape.js', size: 1, mode: 0o644 }], 'x'), out, 'evil@1.0.0')).rejects.toThrow(
      'evil@1.0.0: file ../escape.js would land outside',
    );
    await expect(unpack(pack([{ path: 'a.js', size: 5, mode: 0o644 }], 'x'), out, 'short@1.0.0')).rejects.toThrow('short@1.0.0: truncated at a.js');
    await expect(unpack(pack([{ path: 'a.js', size: 1, mode: 0o644 }], 'xyz'), out, 'long@1.0.0')).rejects.toThrow('long@1.0.0: 2 bytes after the last file');
  });
});
