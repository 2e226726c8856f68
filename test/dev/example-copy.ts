// A private copy of examples/event-signup in a temp dir, for tests that edit sources or keep data.
// node_modules is linked in; the example imports serverless-ions by name, which a revision resolves to
// the node's own modules wherever it lives.
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
export const exampleDir = join(repo, 'examples/event-signup');

export interface ExampleCopy {
  dir: string;
  edit(file: string, change: (text: string) => string): Promise<void>;
  remove(): Promise<void>;
}

export async function copyExample(): Promise<ExampleCopy> {
  const dir = await mkdtemp(join(tmpdir(), 'ions-example-'));
  await cp(exampleDir, dir, { recursive: true, filter: (source) => !source.includes('/.ions') && !source.endsWith('params.local.json') });
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'));
  const edit = async (file: string, change: (text: string) => string) => {
    const path = join(dir, file);
    await writeFile(path, change(await readFile(path, 'utf8')));
  };
  return { dir, edit, remove: () => rm(dir, { recursive: true, force: true }) };
}
