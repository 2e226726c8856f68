// The `ions` command: argument parsing, the commands, and how failures are reported.
import { parseArgs } from 'node:util';
import { redirect, setLocal, stderrSink } from '../cast/index.js';
import { DEFAULT_NODE_PORT } from '../config/ions-config.js';
import { DEFAULT_DEV_PORT, startDev } from '../dev/dev.js';
import { invokeLocal, readEventFile } from '../dev/invoke.js';
import { PROXY_ENV } from '../protocol/proxy-env.js';
import { runNode } from './node-command.js';

const USAGE = `usage:
  ions dev [serviceDir] [--port ${DEFAULT_DEV_PORT}] [--node-port 0]
      run the service locally: a node with the app, hot-swapped on change, behind a local
      API Gateway on http://127.0.0.1:${DEFAULT_DEV_PORT}
  ions invoke <lambda> --event file.json [--service serviceDir]
      run one event through the proxy and a local node, print the result as JSON
  ions node --revision dir [--port ${DEFAULT_NODE_PORT}] [--host 0.0.0.0] [--data ./data]
      run a compute node serving a built revision; the HMAC key comes from
      ${PROXY_ENV.secretParameter} (SSM), ${PROXY_ENV.secretFile} or ${PROXY_ENV.secret}; on EC2 the
      rest of its settings come from the stack's environment file (IONS_PORT, IONS_STORAGE, ...)
  ions hook fetch|swap|validate --spec ions-revision.json [--runtime dir]
      a CodeDeploy lifecycle hook on a node: fetch and verify a pushed revision, hot-swap the
      running node to it (restart it on the runtime in --runtime when it runs another), or wait
      until /_ions/health reports it and prune older revisions (keeping IONS_KEEP_REVISIONS of
      them, default 2)
`;

class UsageError extends Error {}

export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processOutput: CliOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Runs `ions <argv>` and resolves with the exit code; `ions dev` resolves once stopped by a signal. */
export async function runCli(argv: string[], out: CliOutput = processOutput): Promise<number> {
  try {
    return await command(argv, out);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      out.stderr(`ions: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    out.stderr(`ions: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function command(argv: string[], out: CliOutput): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'dev':
      return dev(rest);
    case 'invoke':
      return invoke(rest, out);
    case 'node':
      return node(rest);
    case 'hook':
      return hook(rest, out);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out.stdout(USAGE);
      return command === undefined ? 1 : 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

function port(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number (0-65535), got ${JSON.stringify(value)}`);
  return n;
}

async function dev(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: 'string', short: 'p' }, 'node-port': { type: 'string' } },
  });
  if (positionals.length > 1) throw new UsageError('ions dev takes at most one service directory');
  // The app runs on this machine, where `dev` casts are wanted.
  setLocal(true);
  const server = await startDev({
    serviceDir: positionals[0] ?? '.',
    port: port(values.port, '--port', DEFAULT_DEV_PORT),
    nodePort: port(values['node-port'], '--node-port', 0),
  });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}

async function node(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { revision: { type: 'string', short: 'r' }, port: { type: 'string', short: 'p' }, host: { type: 'string' }, data: { type: 'string' } },
  });
  if (values.revision === undefined) throw new UsageError('ions node needs --revision dir (a revision built by buildRevision)');
  const running = await runNode({
    revisionDir: values.revision,
    // Without --port: IONS_PORT, else the default (runNode reads the environment).
    port: values.port === undefined ? undefined : port(values.port, '--port', DEFAULT_NODE_PORT),
    host: values.host ?? '0.0.0.0',
    dataDir: values.data ?? 'data',
  });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  return 0;
}

async function hook(args: string[], out: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { spec: { type: 'string' }, runtime: { type: 'string' } } });
  const phase = positionals[0];
  // Imported here: the hooks load the S3 client, which `ions node` on file storage must not pay for.
  const { hookCommand, isHookPhase } = await import('./hook-command.js');
  if (positionals.length !== 1 || !isHookPhase(phase)) throw new UsageError('ions hook needs one phase: fetch, swap or validate');
  if (values.spec === undefined) throw new UsageError('ions hook needs --spec ions-revision.json (from the CodeDeploy bundle)');
  out.stdout(`${await hookCommand(phase, values.spec, process.env, values.runtime)}\n`);
  return 0;
}

async function invoke(args: string[], out: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { event: { type: 'string', short: 'e' }, service: { type: 'string', short: 's' } },
  });
  if (positionals.length !== 1) throw new UsageError('ions invoke needs exactly one lambda name');
  if (values.event === undefined) throw new UsageError('ions invoke needs --event file.json');
  const event = await readEventFile(values.event);
  setLocal(true);
  // stdout carries the result alone, so that it can be piped; what the app casts goes to stderr.
  const restore = redirect(stderrSink);
  let result: unknown;
  try {
    result = await invokeLocal({ serviceDir: values.service ?? '.', lambda: positionals[0]!, event });
  } finally {
    restore();
  }
  out.stdout(`${JSON.stringify(result ?? null, null, 2)}\n`);
  return 0;
}
