import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalParamsFile } from '../../runtime/params/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ions-params-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function fileWith(text: string): Promise<string> {
  const file = join(dir, `p-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, text);
  return file;
}

describe('readLocalParamsFile', () => {
  it('reads full parameter names to values', async () => {
    const file = await fileWith(JSON.stringify({ '/app/dev/a': '1', '/app/dev/b/c': '2' }));
    expect(await readLocalParamsFile(file)).toEqual({ '/app/dev/a': '1', '/app/dev/b/c': '2' });
  });

  it('gives undefined when there is no file', async () => {
    expect(await readLocalParamsFile(join(dir, 'missing.json'))).toBeUndefined();
  });

  it.each([
    ['{', 'not valid JSON'],
    ['[1]', 'expected an object of parameter names to string values'],
    ['{"app/x": "1"}', 'parameter name "app/x" must start with "/"'],
  ])('rejects %s', async (text, message) => {
    const file = await fileWith(text);
    await expect(readLocalParamsFile(file)).rejects.toThrow(`${file}: ${message}`);
  });

  it('names the key of a bad value but never shows the value', async () => {
    const file = await fileWith(JSON.stringify({ '/app/secret': { nested: 'hunter2' } }));
    const err = (await readLocalParamsFile(file).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('the value of "/app/secret" must be a string');
    expect(err.message).not.toContain('hunter2');
  });
});
