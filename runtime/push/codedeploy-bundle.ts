// The CodeDeploy revision: no app files (the node fetches those itself, only what it lacks), just the
// appspec, the lifecycle hook scripts, and where the revision's manifest is. The hooks run the
// node's own `ions hook <phase>`: fetch and verify before install, hot-swap at start, and check
// the node's health before CodeDeploy lets the load balancer send traffic again.
import { zip } from '../archive/zip.js';
import { NODE_IONS_BIN } from '../deploy/node-layout.js';

export const HOOK_SPEC_FILE = 'ions-revision.json';

/** What a hook needs to find the revision; the node's own settings come from /etc/ions/node.env. */
export interface HookSpec {
  bucket: string;
  app: string;
  revision: string;
  manifestKey: string;
}

export const HOOK_PHASES = ['fetch', 'swap', 'validate'] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];

// swap runs as root: on an instance's first deploy no node runs yet, and it starts the systemd unit.
const LIFECYCLE: Record<HookPhase, { event: string; timeout: number; runas: string }> = {
  fetch: { event: 'BeforeInstall', timeout: 600, runas: 'ions' },
  swap: { event: 'ApplicationStart', timeout: 300, runas: 'root' },
  validate: { event: 'ValidateService', timeout: 120, runas: 'ions' },
};

export function appspec(): string {
  const hooks = HOOK_PHASES.map(
    (phase) => `  ${LIFECYCLE[phase].event}:\n    - location: hooks/${phase}.sh\n      timeout: ${LIFECYCLE[phase].timeout}\n      runas: ${LIFECYCLE[phase].runas}\n`,
  );
  return `version: 0.0\nos: linux\nhooks:\n${hooks.join('')}`;
}

export function hookScript(phase: HookPhase): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    'set -a; . /etc/ions/node.env; set +a',
    `exec ${NODE_IONS_BIN} hook ${phase} --spec "$(dirname "$0")/../${HOOK_SPEC_FILE}"`,
    '',
  ].join('\n');
}

export function codeDeployBundle(spec: HookSpec): Buffer {
  return zip([
    { name: 'appspec.yml', data: Buffer.from(appspec()) },
    ...HOOK_PHASES.map((phase) => ({ name: `hooks/${phase}.sh`, data: Buffer.from(hookScript(phase)), executable: true })),
    { name: HOOK_SPEC_FILE, data: Buffer.from(JSON.stringify(spec, null, 2) + '\n') },
  ]);
}
