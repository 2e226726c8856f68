// The `ions` command as a user runs it: a child process, on a copy of the example.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../runtime/cli/cli.js';
import { localInvoker } from '../../runtime/dev/local-proxy.js';
import { loadService } from '../../runtime/dev/service.js';
import { buildRevision } from '../../runtime/revision/index.js';
import { startS3, type S3StandIn } from '../example/s3-stand-in.js';
import { copyExample, type ExampleCopy } from './example-copy.js';

const repo = resolve(import.meta.dirname, '../..');
// node itself, not the tsx wrapper: the wrapper relays signals and answers 130 when it thinks the child ignores them.
const node = (args: string[]) => [process.execPath, ['--import', 'tsx', ...args]] as const;
const main = join(repo, 'runtime/cli/main.ts');

let example: ExampleCopy;
let s3: S3StandIn;
let messageFile: string;

beforeAll(async () => {
  s3 = await startS3(['event-signup-imports']);
  example = await copyExample();
  // The CSV import reads uploads from s3rver; the spawned commands inherit its credentials.
  await example.edit('serverless.yml', (text) => text.replace('    DB_NAME: event-signup\n', `    DB_NAME: event-signup\n    S3_ENDPOINT: ${s3.endpoint}\n`));
  messageFile = join(example.dir, 'message.json');
  const fixture = JSON.parse(await readFile('/work/shared/fixtures/aws-events/sqs-event.json', 'utf8')) as { Records: Array<Record<string, unknown>> };
  const template = fixture.Records[0]!;
  await writeFile(
    messageFile,
    JSON.stringify({
      Records: [
        { ...template, messageId: 'good', body: JSON.stringify({ name: 'Grace Hopper', email: 'grace@example.com' }) },
        { ...template, messageId: 'bad', body: JSON.stringify({ name: 'No Email' }) },
      ],
    }),
  );
});
afterAll(async () => {
  await example?.remove();
  await s3?.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ions(args: string[], timeoutMs = 25_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(...node([main, ...args]), { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ions ${args.join(' ')} did not finish:\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `ions dev` and resolves with its gateway URL once it serves. */
function ionsDev(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string; stdout: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(...node([main, 'dev', ...args]), { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ions dev did not start:\n${stderr}`));
    }, 25_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      const m = /on (http:\/\/127\.0\.0\.1:\d+) /.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => stderr, stdout: () => stdout });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`ions dev exited with ${code}:\n${stderr}`));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('close', resolve)));
}

describe('ions (the command)', () => {
  it('invokes an event ion through the proxy on a node of its own, with partial batch failures', async () => {
    const run = await ions(['invoke', 'signups-queue', '--event', messageFile, '--service', example.dir]);
    expect(run.stderr).not.toContain('ions:');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });

  it('serves through ions dev, invokes SQS and S3 events through its node, and stops on SIGINT', async () => {
    const dev = await ionsDev([example.dir, '--port', '0']);
    const names = async () => ((await (await fetch(`${dev.url}/api/attendees`)).json()) as { attendees: Array<{ name: string }> }).attendees.map((a) => a.name);
    try {
      // Grace came in through the queue in the previous test: the data lives in the service's .ions/data.
      expect(await names()).toEqual(['Grace Hopper']);

      const third = JSON.parse(await readFile(messageFile, 'utf8')) as { Records: Array<Record<string, unknown>> };
      third.Records = [{ ...third.Records[0], messageId: 'm3', body: JSON.stringify({ name: 'Alan Turing', email: 'alan@example.com' }) }];
      const sqsFile = join(example.dir, 'third.json');
      await writeFile(sqsFile, JSON.stringify(third));
      expect(JSON.parse((await ions(['invoke', 'signups-queue', '-e', sqsFile, '-s', example.dir])).stdout)).toEqual({ batchItemFailures: [] });

      await s3.put('event-signup-imports', 'team list.csv', 'name,email\nAda Lovelace,ada@example.com\nBad,nope\n');
      const fixture = JSON.parse(await readFile('/work/shared/fixtures/aws-events/s3-event.json', 'utf8')) as S3Event;
      const record = fixture.Records[0]!;
      const upload: S3Event = {
        Records: [{ ...record, eventName: 'ObjectCreated:Put', s3: { ...record.s3, bucket: { ...record.s3.bucket, name: 'event-signup-imports' }, object: { ...record.s3.object, key: 'team+list.csv' } } }],
      };
      const s3File = join(example.dir, 's3-event.json');
      await writeFile(s3File, JSON.stringify(upload));
      const imported = await ions(['invoke', 'import-csv', '--event', s3File, '--service', example.dir]);
      expect(JSON.parse(imported.stdout)).toEqual([
        { bucket: 'event-signup-imports', key: 'team list.csv', imported: 1, failed: [{ line: 3, error: 'email is not a valid address' }] },
      ]);

      expect(await names()).toEqual(['Grace Hopper', 'Alan Turing', 'Ada Lovelace']);
      // The app's casts come from the dev process, whose node ran both invocations.
      expect(dev.stdout()).toContain('"msg":"attendees imported"');
      expect(dev.output()).not.toContain('ions node unreachable');
    } finally {
      dev.child.kill('SIGINT');
    }
    expect(await exited(dev.child)).toBe(0);
    await expect(readFile(join(example.dir, '.ions/dev.json'))).rejects.toThrow('ENOENT');
  });

  it('runs a compute node on a built revision, keyed from the environment, until SIGTERM', async () => {
    const revisionDir = join(example.dir, '.ions/node-revision');
    const service = await loadService(example.dir);
    await buildRevision({ serviceDir: example.dir, config: service.config, outDir: revisionDir, name: 'abc123' });
    const secretFile = join(example.dir, '.ions/node-secret');
    await writeFile(secretFile, 'node-test-key\n', { mode: 0o600 });
    const child = spawn(...node([main, 'node', '--revision', revisionDir, '--port', '0', '--host', '127.0.0.1', '--data', join(example.dir, '.ions/node-data')]), {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, IONS_SECRET_FILE: secretFile },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => {
          stderr += d;
          const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        child.on('close', (code) => reject(new Error(`ions node exited with ${code}:\n${stderr}`)));
      });
      expect(await (await fetch(`${url}/_ions/health`)).json()).toEqual({ revision: 'abc123', ready: true, app: 'event-signup', group: 'primary' });
      const invoke = localInvoker({ serviceName: 'event-signup', config: service.config, nodeUrl: url, secretFile });
      const message = JSON.parse(await readFile(messageFile, 'utf8')) as unknown;
      expect(await invoke('signups-queue', message)).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
      // The example's httpDirect: the node serves the web ion itself, no proxy and no signature.
      const direct = await fetch(`${url}/api/signups`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Direct Dana', email: 'dana@example.com' }),
      });
      expect(direct.status).toBe(201);
      const listed = (await (await fetch(`${url}/api/attendees`)).json()) as { attendees: Array<{ name: string }> };
      expect(listed.attendees.map((a) => a.name)).toContain('Direct Dana');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
  });

  it('says when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as AddressInfo;
    try {
      const run = await ions(['dev', example.dir, '--port', String(port)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`ions: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe('ions (refusals, in-process)', () => {
  it.each([
    [['invoke', 'nope', '--event', 'MESSAGE', '--service', repo], 1, `no serverless.yml in ${repo}`],
    [['invoke', 'web', '--event', '/nonexistent.json', '--service', 'EXAMPLE'], 1, 'cannot read the event file /nonexistent.json: ENOENT'],
    [['invoke', 'nope', '--event', 'MESSAGE', '--service', 'EXAMPLE'], 1, 'no lambda ion named "nope" in ions.lambdas (known: web, attendees-csv, import-csv, signups-queue)'],
    [['invoke', 'web', '--service', 'EXAMPLE'], 2, 'ions invoke needs --event file.json'],
    [['invoke', '--event', 'MESSAGE'], 2, 'ions invoke needs exactly one lambda name'],
    [['launch'], 2, 'unknown command "launch"'],
    [['dev', '--port', 'x'], 2, '--port must be a port number (0-65535), got "x"'],
    [['dev', '--bogus'], 2, "Unknown option '--bogus'"],
    [['node'], 2, 'ions node needs --revision dir'],
    [['node', '--revision', '/nonexistent'], 1, 'no revision in /nonexistent'],
  ])('refuses %j clearly', async (args, code, message) => {
    const output = { stdout: '', stderr: '' };
    const exit = await runCli(
      args.map((a) => (a === 'EXAMPLE' ? example.dir : a === 'MESSAGE' ? messageFile : a)),
      { stdout: (t) => (output.stdout += t), stderr: (t) => (output.stderr += t) },
    );
    expect(output.stderr).toContain(`ions: ${message}`);
    if (code === 2) expect(output.stderr).toContain('usage:\n  ions dev');
    expect(exit).toBe(code);
    expect(output.stdout).toBe('');
  });

  it('prints the usage on help', async () => {
    let stdout = '';
    expect(await runCli(['help'], { stdout: (t) => (stdout += t), stderr: () => {} })).toBe(0);
    expect(stdout).toContain('ions invoke <lambda> --event file.json');
  });
});
