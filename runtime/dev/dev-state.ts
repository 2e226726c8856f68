// `.ions/dev.json`: how other commands (`ions invoke`) find the node of a running `ions dev`.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEALTH_PATH } from '../protocol/wire.js';

export interface DevState {
  pid: number;
  nodeUrl: string;
  gatewayUrl: string;
  secretFile: string;
}

export const stateFile = (ionsDir: string) => join(ionsDir, 'dev.json');

export async function writeDevState(ionsDir: string, state: DevState): Promise<void> {
  await writeFile(stateFile(ionsDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export async function removeDevState(ionsDir: string): Promise<void> {
  await rm(stateFile(ionsDir), { force: true });
}

/** The state of an `ions dev` that still answers, or undefined when none runs for this service. */
export async function runningDev(ionsDir: string): Promise<DevState | undefined> {
  let state: DevState;
  try {
    state = JSON.parse(await readFile(stateFile(ionsDir), 'utf8')) as DevState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${stateFile(ionsDir)}: unreadable (${(err as Error).message}); delete it if no ions dev runs`);
  }
  if (!processAlive(state.pid)) return undefined;
  try {
    const health = await fetch(new URL(HEALTH_PATH, state.nodeUrl), { signal: AbortSignal.timeout(1_000) });
    return health.ok ? state : undefined;
  } catch {
    // A dev process that no longer answers is as good as gone: the caller starts its own node.
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
