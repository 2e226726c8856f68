// The CodeDeploy bundle a push registers: executable hooks that install the revision's node runtime
// (one file from the code bucket, checked against its hash) and run it. The runtime is the real one,
// installed outside this repository, so it can only run if it carries everything it imports.
import JSZip from 'jszip';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_RUNTIME_FILE } from '../../runtime/deploy/node-layout.js';
import { codeDeployBundle, HOOK_SPEC_FILE, runtimeScript, type HookSpec } from '../../runtime/push/codedeploy-bundle.js';
import { nodeRuntime, type NodeRuntime } from '../../runtime/push/node-runtime.js';
import { chunkKey } from '../../runtime/push/push-manifest.js';
import { SECRET, buildFixture, configA, invoke, invokeBody, tempDirs } from '../node/helpers.js';

const exec = promisify(execFile);
const dirs = tempDirs();
let runtime: NodeRuntime;
let work: string;
let specOf: (sha256?: string) => HookSpec;

// `aws s3 cp [options] s3://<bucket>/<key> <file>` answered from a directory laid out like the code
// bucket; every call is logged.
const AWS_STUB = `#!/bin/bash
echo "$*" >> "$STUB_LOG"
args=("$@")
source="\${args[-2]}"
cp "$STUB_BUCKET/\${source#s3://*/}" "\${args[-1]}"
`;

beforeAll(async () => {
  runtime = await nodeRuntime();
  work = await mkdtemp(join(tmpdir(), 'ions-bundle-'));
  await mkdir(join(work, 'bin'));
  await writeFile(join(work, 'bin', 'aws'), AWS_STUB);
  await chmod(join(work, 'bin', 'aws'), 0o755);
  await mkdir(join(work, 'bucket', 'ions', 'chunks'), { recursive: true });
  await writeFile(join(work, 'bucket', chunkKey(runtime.sha256)), runtime.bytes);
  specOf = (sha256 = runtime.sha256) => ({ bucket: 'code', app: 'signup', revision: 'abc123', manifestKey: 'ions/signup/abc123.json', runtime: { sha256, version: runtime.version } });
}, 60_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await dirs.cleanup();
});

/** Sources the bundle's runtime script as a hook does; answers what it left in `$runtime`. */
async function installRuntime(spec: HookSpec, runtimes: string): Promise<string> {
  await writeFile(join(work, 'runtime.sh'), runtimeScript(spec));
  const { stdout } = await exec('bash', ['-c', `set -euo pipefail; . '${join(work, 'runtime.sh')}'; echo "$runtime"`], {
    env: { PATH: `${join(work, 'bin')}:${process.env.PATH}`, IONS_RUNTIMES: runtimes, AWS_REGION: 'eu-west-1', STUB_LOG: join(work, 'aws.log'), STUB_BUCKET: join(work, 'bucket') },
  });
  return stdout.trim();
}

describe('the CodeDeploy bundle', () => {
  it('holds executable hook scripts, since the agent runs them straight from the archive', async () => {
    const spec = specOf();
    const archive = await JSZip.loadAsync(codeDeployBundle(spec));
    for (const phase of ['fetch', 'swap', 'validate']) {
      const script = archive.file(`hooks/${phase}.sh`)!;
      expect(script.unixPermissions).toBe(0o100755);
      const text = await script.async('string');
      expect(text).toMatch(/^#!\/bin\/bash\n/);
      expect(text).toContain('. "$(dirname "$0")/../hooks/runtime.sh"');
      // Root installs the runtime; only swap, which (re)starts the service, runs it as root. The others
      // run as the node's user, given the spec as standard input.
      const run = `"\${IONS_NODE:-/usr/local/bin/node}" "$runtime/${NODE_RUNTIME_FILE}" hook ${phase}`;
      const spec = `"$(dirname "$0")/../${HOOK_SPEC_FILE}"`;
      expect(text).toContain(
        phase === 'swap' ? `exec ${run} --spec ${spec} --runtime "$runtime"` : `exec runuser -u ions -- ${run} --spec - --runtime "$runtime" < ${spec}`,
      );
    }
    // The agent runs every hook as root: a `runas` user would need a login shell, which `ions` has not.
    expect(await archive.file('appspec.yml')!.async('string')).not.toContain('runas');
    expect(await archive.file('hooks/runtime.sh')!.async('string')).toBe(runtimeScript(spec));
    expect(archive.file('appspec.yml')!.unixPermissions).toBe(0o100644);
    expect(JSON.parse(await archive.file(HOOK_SPEC_FILE)!.async('string'))).toEqual(spec);
  });

  it('refuses to write into a script what does not belong there', () => {
    const spec = specOf();
    expect(() => runtimeScript({ ...spec, runtime: { ...spec.runtime, sha256: 'abc' } })).toThrow(`the node runtime's hash must be 64 hex digits, not "abc"`);
    expect(() => runtimeScript({ ...spec, runtime: { ...spec.runtime, version: "1.0.0'; rm -rf /; '" } })).toThrow('is not a package version');
    expect(() => runtimeScript({ ...spec, bucket: "code' x" })).toThrow(`"code' x" is not an S3 bucket name`);
  });

  it('installs the node runtime once per node, from the code bucket, checked against its hash', async () => {
    const runtimes = join(work, 'runtimes-once');
    const dir = await installRuntime(specOf(), runtimes);
    expect(dir).toBe(join(runtimes, `${runtime.version}-${runtime.sha256.slice(0, 16)}`));
    expect(await readFile(join(dir, NODE_RUNTIME_FILE))).toEqual(runtime.bytes);
    // Readable by the node's user, writable by its installer alone.
    expect((await stat(dir)).mode & 0o777).toBe(0o755);
    expect((await stat(join(dir, NODE_RUNTIME_FILE))).mode & 0o777).toBe(0o644);
    expect(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))).toEqual({ name: 'serverless-ions', version: runtime.version, type: 'module' });
    expect(await installRuntime(specOf(), runtimes)).toBe(dir);
    const calls = (await readFile(join(work, 'aws.log'), 'utf8')).trim().split('\n');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(`s3 cp --only-show-errors --region eu-west-1 s3://code/${chunkKey(runtime.sha256)} ${join(runtimes, '.incoming-')}`);
    expect(await readdir(runtimes)).toEqual([`${runtime.version}-${runtime.sha256.slice(0, 16)}`]);
  });

  it('refuses a runtime whose bytes do not match the pushed hash, and leaves nothing behind', async () => {
    const runtimes = join(work, 'runtimes-corrupt');
    const wrong = 'f'.repeat(64);
    await writeFile(join(work, 'bucket', chunkKey(wrong)), 'not the runtime');
    const failed = installRuntime(specOf(wrong), runtimes);
    await expect(failed).rejects.toThrow(`the node runtime s3://code/${chunkKey(wrong)} does not match its hash`);
    expect(await readdir(runtimes)).toEqual([]);
  });

  it('says so when something else sits where the runtime goes', async () => {
    const runtimes = join(work, 'runtimes-blocked');
    await mkdir(join(runtimes, `${runtime.version}-${runtime.sha256.slice(0, 16)}`, 'leftover'), { recursive: true });
    await expect(installRuntime(specOf(), runtimes)).rejects.toThrow(`cannot install the node runtime in ${join(runtimes, `${runtime.version}-${runtime.sha256.slice(0, 16)}`)}: something else is in the way`);
  });

  it('installs a runtime that serves a revision with nothing but Node: no package of this repository in reach', async () => {
    const dir = await installRuntime(specOf(), join(work, 'runtimes-serve'));
    const revisionDir = await buildFixture(dirs, 'service-a', configA(), 'standalone');
    const child = spawn(process.execPath, [join(dir, NODE_RUNTIME_FILE), 'node', '--revision', revisionDir, '--port', '0', '--host', '127.0.0.1', '--data', join(work, 'data')], {
      cwd: work,
      env: { PATH: process.env.PATH, IONS_SECRET: SECRET },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const started = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stderr! }).on('line', (line) => {
          const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
          if (url) resolve(url);
        });
        child.once('exit', (code) => reject(new Error(`the runtime exited with ${code} before it served`)));
      });
      const answer = await invoke(started, 'lambda/consume', invokeBody({ Records: [{ messageId: 'm-1', body: 'fail' }] }));
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    } finally {
      child.kill();
      await once(child, 'exit');
    }
  }, 30_000);
});
