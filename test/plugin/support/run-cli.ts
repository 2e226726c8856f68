// Runs a real Serverless CLI on a copy of a fixture service, offline: fake credentials, no telemetry,
// no notifications. The copy gets node_modules/serverless-ions pointing at the laid-down plugin
// package, so the fixture names the plugin as any user would: `plugins: [serverless-ions]`; and
// serverless-offline, linked from the project.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLUGIN_PACKAGE_DIR, PROJECT_ROOT } from './plugin-package.js';

export const CLIS = {
  serverless3: join(PROJECT_ROOT, 'node_modules/serverless/bin/serverless.js'),
  osls: join(PROJECT_ROOT, 'node_modules/osls/bin/serverless.js'),
} as const;

export type CliName = keyof typeof CLIS;

export interface CliRun {
  dir: string;
  code: number | null;
  output: string;
}

const FIXTURES = join(PROJECT_ROOT, 'test/plugin/fixtures');
const TIMEOUT_MS = 60_000;

export async function serviceCopy(fixture: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `ions-${fixture}-`));
  await cp(join(FIXTURES, fixture), dir, { recursive: true });
  await mkdir(join(dir, 'node_modules'));
  await symlink(PLUGIN_PACKAGE_DIR, join(dir, 'node_modules/serverless-ions'), 'dir');
  await symlink(join(PROJECT_ROOT, 'node_modules/serverless-offline'), join(dir, 'node_modules/serverless-offline'), 'dir');
  return dir;
}

const cliEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  SLS_INTERACTIVE_SETUP_DISABLE: '1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  CI: '1',
});

function spawnCli(cli: CliName, dir: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [CLIS[cli], ...args, '--stage', 'test', '--region', 'us-east-1'], {
    cwd: dir,
    env: { ...cliEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface RunOptions {
  /** Adds to (or overrides) the offline environment above. */
  env?: NodeJS.ProcessEnv;
  /** The run is killed (SIGKILL, code null) after this long. */
  timeoutMs?: number;
}

export function runCli(cli: CliName, dir: string, args: string[], { env, timeoutMs = TIMEOUT_MS }: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(cli, dir, args, env);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ dir, code, output });
    });
  });
}

export async function readTemplate(dir: string): Promise<any> {
  return JSON.parse(await readFile(join(dir, '.serverless/cloudformation-template-update-stack.json'), 'utf8'));
}

export interface RunningCli {
  /** Resolves once the output contains `text`; rejects if the process ends first. */
  waitFor(text: string): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/** A long-running CLI command (`offline start`), stopped by the caller. */
export function startCli(cli: CliName, dir: string, args: string[]): RunningCli {
  const child = spawnCli(cli, dir, args);
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    waiters.forEach((check) => check());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const killer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  return {
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = () => output.includes(text) && resolve();
        waiters.push(check);
        check();
        void exited.then(() => reject(new Error(`the CLI ended before printing ${text}:\n${output}`)));
      }),
    output: () => output,
    stop: async () => {
      clearTimeout(killer);
      child.kill('SIGTERM');
      await exited;
    },
  };
}
