// serverless-ions/runtime and /adapter are the host node's own modules inside a revision, never a
// bundled copy; the plugin is no app import at all.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as hostRuntime from '../../runtime/index.js';
import { buildRevision, loadRevision } from '../../runtime/revision/index.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function service(source: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ions-host-modules-'));
  made.push(dir);
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src/fns.js'), source);
  return dir;
}

const config = { app: 'host', allow: ['src/fns.same'] };

describe('host modules in a revision', () => {
  it('resolves serverless-ions/runtime to the very modules of the host, with nothing of the runtime bundled', async () => {
    const dir = await service("import { kw, getAppInfo } from 'serverless-ions/runtime';\nexport const same = () => ({ kw, getAppInfo });\n");
    const outDir = join(dir, 'out');
    await buildRevision({ serviceDir: dir, config, outDir, name: 'h1' });
    const built = (await readdir(outDir, { recursive: true })).filter((file) => file.endsWith('.mjs'));
    const code = (await Promise.all(built.map((file) => readFile(join(outDir, file), 'utf8')))).join('\n');
    expect(code).not.toContain('node-context');
    const revision = await loadRevision(outDir);
    const exported = (revision.resolve('src/fns.same') as unknown as () => Record<string, unknown>)();
    expect(exported.kw).toBe(hostRuntime.kw);
    expect(exported.getAppInfo).toBe(hostRuntime.getAppInfo);
  });

  it('refuses an app import of the plugin, naming the importing file', async () => {
    const dir = await service("import plugin from 'serverless-ions';\nexport const same = () => plugin;\n");
    await expect(buildRevision({ serviceDir: dir, config, outDir: join(dir, 'out'), name: 'h2' })).rejects.toThrow(
      'imports "serverless-ions": app code may import only serverless-ions/runtime and serverless-ions/adapter',
    );
  });
});
