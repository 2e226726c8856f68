// `ions hook`: what a CodeDeploy script runs; mistakes in its arguments are usage errors.
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

  it('names a spec file it cannot read', async () => {
    expect(await cli(['hook', 'validate', '--spec', '/no/such/spec.json'])).toEqual({
      code: 1,
      stderr: expect.stringMatching(/^ions: cannot read the hook spec \/no\/such\/spec.json: ENOENT/),
    });
  });
});
