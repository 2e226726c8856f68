// `ions hook`: what a CodeDeploy script runs; mistakes in its arguments are usage errors.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../runtime/cli/cli.js';

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(args, { stdout: () => undefined, stderr: (text) => void (stderr += text) });
  return { code, stderr };
}

describe('ions hook', () => {
  it('needs a known phase and a spec file', async () => {
    expect(await cli(['hook', 'install', '--spec', 'x.json'])).toMatchObject({ code: 2, stderr: expect.stringContaining('ions hook needs one phase: fetch, swap or validate') });
    expect(await cli(['hook', 'fetch'])).toMatchObject({ code: 2, stderr: expect.stringContaining('ions hook needs --spec ions-revision.json') });
  });

  it('reads the spec from standard input with --spec -, as a hook that drops to the node user passes it', async () => {
    const home = await mkdtemp(join(tmpdir(), 'ions-hook-stdin-'));
    try {
      await writeFile(join(home, 'fetched.json'), JSON.stringify({ revision: 'fetched-rev', dir: join(home, 'revisions', 'fetched-rev') }));
      const spec = { bucket: 'code', app: 'signup', revision: 'spec-rev', manifestKey: 'ions/signup/spec-rev.json', runtime: { sha256: 'a'.repeat(64), version: '0.1.0' } };
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../runtime/cli/main.ts', import.meta.url)), 'hook', 'swap', '--spec', '-'], {
        env: { PATH: process.env.PATH, IONS_HOME: home },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
      child.stdin!.end(JSON.stringify(spec));
      const [code] = (await once(child, 'exit')) as [number];
      // The swap hook compared the spec's revision with what fetch recorded: it read the spec.
      expect({ code, stderr }).toEqual({ code: 1, stderr: expect.stringContaining('the fetch hook fetched fetched-rev, not spec-rev; run it again') });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 30_000);

  it('names a spec file it cannot read', async () => {
    expect(await cli(['hook', 'validate', '--spec', '/no/such/spec.json'])).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^ions: cannot read the hook spec \/no\/such\/spec.json: ENOENT/),
    });
  });
});
