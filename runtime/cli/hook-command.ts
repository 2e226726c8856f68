// `ions hook <phase> --spec ions-revision.json`: what the CodeDeploy bundle's scripts run on a node.
// The node's settings come from its environment (/etc/ions/node.env, names in config/node-env.ts): the
// port, the HMAC key's source, IONS_HOME (default /opt/ions) for the chunk cache and revisions, and
// IONS_KEEP_REVISIONS (groups.<g>.keepRevisions, default 2): how many revisions besides the served one
// stay on disk for rollbacks.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { DEFAULT_NODE_PORT } from '../config/ions-config.js';
import { readNodeEnv } from '../config/node-env.js';
import { NODE_CURRENT, NODE_HOME, NODE_RUNTIME_LINK, NODE_SERVICE } from '../deploy/node-layout.js';
import { runHook } from '../deploy/run-hook.js';
import { HOOK_PHASES, type HookPhase, type HookSpec } from '../push/codedeploy-bundle.js';
import { loadSecret } from '../proxy/secret.js';

const run = promisify(execFile);

/**
 * (Re)starts the node service and checks that it runs: a start whose unit condition fails (a link the
 * unit needs is missing) succeeds without starting anything, which would surface only as a validate timeout.
 */
async function restartService(): Promise<void> {
  await run('systemctl', ['restart', NODE_SERVICE]);
  try {
    await run('systemctl', ['is-active', '--quiet', NODE_SERVICE]);
  } catch {
    throw new Error(`the ${NODE_SERVICE} service is not running after a restart: see \`systemctl status ${NODE_SERVICE}\` (its unit needs ${NODE_CURRENT} and ${NODE_RUNTIME_LINK})`);
  }
}

export const isHookPhase = (phase: string | undefined): phase is HookPhase => (HOOK_PHASES as readonly string[]).includes(phase ?? '');

/**
 * Runs a hook. `specFile` `-` reads the spec from standard input: a script that drops to the node's
 * user opens the spec as root and hands over the open file, as the user may not read the directory
 * CodeDeploy unpacked it in. `runtimeDir` is the node runtime the bundle's script installed and runs
 * this from; the swap hook points the node service at it, restarting the node when it ran another.
 */
export async function hookCommand(phase: HookPhase, specFile: string, env: NodeJS.ProcessEnv = process.env, runtimeDir?: string): Promise<string> {
  let spec: HookSpec;
  try {
    // Descriptor 0 itself: opening /dev/stdin would check the file's permissions against this user again.
    spec = JSON.parse(specFile === '-' ? readFileSync(0, 'utf8') : await readFile(specFile, 'utf8')) as HookSpec;
  } catch (error) {
    throw new Error(`cannot read the hook spec ${specFile}: ${(error as Error).message}`, { cause: error });
  }
  const { keepRevisions, port } = readNodeEnv(env);
  const { S3Client } = await import('@aws-sdk/client-s3');
  return runHook(phase, spec, {
    ...(keepRevisions !== undefined && { keepRevisions }),
    home: env.IONS_HOME ?? NODE_HOME,
    nodeUrl: `http://127.0.0.1:${port ?? DEFAULT_NODE_PORT}`,
    s3: new S3Client({}),
    secret: () => loadSecret(env),
    // A restart rather than a start: a node that is loading does not answer yet, and a start would leave
    // it on what it was loading.
    startNode: restartService,
    ...(runtimeDir !== undefined && { runtime: { dir: runtimeDir, link: env.IONS_RUNTIME_LINK ?? NODE_RUNTIME_LINK, restart: restartService } }),
  });
}
