// The CodeDeploy revision: no app files (the node fetches those itself, only what it lacks), just the
// appspec, the lifecycle hook scripts, and where the revision's manifest is. The agent runs each hook
// as root. The script first makes sure the node has the runtime the revision was pushed with (one file
// from the code bucket, checked against its hash, installed once per node in a directory only root
// writes), then runs that runtime's `ions hook <phase>`: fetch and verify before install, and check the
// node's health before CodeDeploy lets the load balancer send traffic again, both as the node's user;
// hot-swap (or restart on a new runtime) at start, as root, which starts services. Nodes so need no
// package registry, and take up a new serverless-ions with a deploy.
import { zip } from '../archive/zip.js';
import { NODE_BIN, NODE_RUNTIME_FILE, NODE_RUNTIME_INCOMING, NODE_RUNTIMES, NODE_USER, nodeRuntimeDirName } from '../deploy/node-layout.js';
import { chunkKey } from './push-manifest.js';

export const HOOK_SPEC_FILE = 'ions-revision.json';

/** What a hook needs to find the revision; the node's own settings come from /etc/ions/node.env. */
export interface HookSpec {
  bucket: string;
  app: string;
  revision: string;
  manifestKey: string;
  /** The node runtime chunk the revision runs on, and the serverless-ions version inside it. */
  runtime: { sha256: string; version: string };
}

/** Sourced by every hook script; the hooks run with `set -euo pipefail`. */
const RUNTIME_SCRIPT = 'hooks/runtime.sh';

export const HOOK_PHASES = ['fetch', 'swap', 'validate'] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];

// Every hook starts as root (the agent's default): installing a runtime writes where only root may.
// fetch and validate then run as the node's user, which owns what they write and prune; swap stays
// root, as it starts and restarts the node service.
const LIFECYCLE: Record<HookPhase, { event: string; timeout: number; asNodeUser: boolean }> = {
  fetch: { event: 'BeforeInstall', timeout: 600, asNodeUser: true },
  swap: { event: 'ApplicationStart', timeout: 300, asNodeUser: false },
  validate: { event: 'ValidateService', timeout: 120, asNodeUser: true },
};

export function appspec(): string {
  const hooks = HOOK_PHASES.map((phase) => `  ${LIFECYCLE[phase].event}:\n    - location: hooks/${phase}.sh\n      timeout: ${LIFECYCLE[phase].timeout}\n`);
  return `version: 0.0\nos: linux\nhooks:\n${hooks.join('')}`;
}

export function hookScript(phase: HookPhase): string {
  const spec = `"$(dirname "$0")/../${HOOK_SPEC_FILE}"`;
  const run = `"\${IONS_NODE:-${NODE_BIN}}" "$runtime/${NODE_RUNTIME_FILE}" hook ${phase}`;
  // The node's user gets the spec as standard input, opened here by root: it may not read the
  // directory the agent unpacked the revision in.
  const command = LIFECYCLE[phase].asNodeUser ? `runuser -u ${NODE_USER} -- ${run} --spec - --runtime "$runtime" < ${spec}` : `${run} --spec ${spec} --runtime "$runtime"`;
  return ['#!/bin/bash', 'set -euo pipefail', 'set -a; . /etc/ions/node.env; set +a', `. "$(dirname "$0")/../${RUNTIME_SCRIPT}"`, `exec ${command}`, ''].join('\n');
}

/**
 * Bash, run as root, that leaves in `$runtime` the directory of the revision's node runtime, installing
 * it first when this node lacks it: downloaded beside the others, checked against the pushed hash, made
 * readable by all and writable by root alone, and renamed into place whole, with the `package.json`
 * that tells the runtime its version. IONS_RUNTIMES and IONS_NODE stand in for the runtimes directory
 * and the node binary where a test runs the hooks.
 */
export function runtimeScript({ bucket, runtime }: HookSpec): string {
  // Each goes into the script between single quotes or into a path: anything else is refused here.
  if (!/^[0-9a-f]{64}$/.test(runtime.sha256)) throw new Error(`the node runtime's hash must be 64 hex digits, not ${JSON.stringify(runtime.sha256)}`);
  if (!/^[0-9A-Za-z.+-]+$/.test(runtime.version)) throw new Error(`the node runtime's version ${JSON.stringify(runtime.version)} is not a package version`);
  if (!/^[a-z0-9.-]+$/.test(bucket)) throw new Error(`${JSON.stringify(bucket)} is not an S3 bucket name`);
  const dir = nodeRuntimeDirName(runtime.version, runtime.sha256);
  const source = `s3://${bucket}/${chunkKey(runtime.sha256)}`;
  const packageJson = JSON.stringify({ name: 'serverless-ions', version: runtime.version, type: 'module' });
  return [
    'umask 022',
    `runtimes="\${IONS_RUNTIMES:-${NODE_RUNTIMES}}"`,
    `runtime="$runtimes/${dir}"`,
    'if [ ! -f "$runtime/package.json" ]; then',
    '  mkdir -p "$runtimes"',
    `  incoming=$(mktemp -d "$runtimes/${NODE_RUNTIME_INCOMING}XXXXXX")`,
    '  chmod 755 "$incoming"',
    `  mkdir -p "$incoming/$(dirname '${NODE_RUNTIME_FILE}')"`,
    `  aws s3 cp --only-show-errors --region "$AWS_REGION" '${source}' "$incoming/${NODE_RUNTIME_FILE}"`,
    `  if ! echo '${runtime.sha256}  '"$incoming/${NODE_RUNTIME_FILE}" | sha256sum --check --status; then`,
    `    echo "the node runtime ${source} does not match its hash" >&2`,
    '    rm -rf "$incoming"',
    '    exit 1',
    '  fi',
    `  echo '${packageJson}' > "$incoming/package.json"`,
    '  # A runtime already in place (a deploy that stopped after its install) stays as it is.',
    '  mv -T "$incoming" "$runtime" 2>/dev/null || rm -rf "$incoming"',
    '  if [ ! -f "$runtime/package.json" ]; then',
    '    echo "cannot install the node runtime in $runtime: something else is in the way" >&2',
    '    exit 1',
    '  fi',
    'fi',
    '',
  ].join('\n');
}

export function codeDeployBundle(spec: HookSpec): Buffer {
  return zip([
    { name: 'appspec.yml', data: Buffer.from(appspec()) },
    ...HOOK_PHASES.map((phase) => ({ name: `hooks/${phase}.sh`, data: Buffer.from(hookScript(phase)), executable: true })),
    { name: RUNTIME_SCRIPT, data: Buffer.from(runtimeScript(spec)) },
    { name: HOOK_SPEC_FILE, data: Buffer.from(JSON.stringify(spec, null, 2) + '\n') },
  ]);
}
