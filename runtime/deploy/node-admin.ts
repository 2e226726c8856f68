// The hooks' side of the node's admin endpoint and health check.
import { request } from 'node:http';
import { ADMIN_SWAP_PATH, ADMIN_SWAP_TARGET, type AdminSwapAnswer } from '../protocol/admin.js';
import { signedHeaders, type SigningKey } from '../protocol/signing.js';
import { HEALTH_PATH } from '../protocol/wire.js';

interface Answer {
  status: number;
  body: string;
}

function send(url: string, method: string, headers: Record<string, string>, body?: string, timeoutMs = 60_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Asks the node at `nodeUrl` to hot-swap to `revisionDir` (on the node's disk); resolves to the revision it then serves. */
export async function requestSwap(nodeUrl: string, secret: SigningKey, revisionDir: string): Promise<string> {
  const body = JSON.stringify({ revisionDir });
  const headers = { 'content-type': 'application/json', ...signedHeaders(secret, ADMIN_SWAP_TARGET, body) };
  const answer = await send(new URL(ADMIN_SWAP_PATH, nodeUrl).href, 'POST', headers, body).catch((error: unknown) => {
    throw new Error(`cannot reach the node at ${nodeUrl} to swap: ${(error as Error).message}`, { cause: error });
  });
  let parsed: AdminSwapAnswer;
  try {
    parsed = JSON.parse(answer.body) as AdminSwapAnswer;
  } catch {
    throw new Error(`node at ${nodeUrl} answered the swap with ${answer.status} and a body that is not JSON: ${answer.body.slice(0, 200)}`);
  }
  if (answer.status !== 200 || !parsed.revision) {
    // Only an authenticated refusal says what the node serves.
    const serving = parsed.revision === undefined ? '' : `; it still serves ${parsed.revision ?? 'nothing'}`;
    throw new Error(`node at ${nodeUrl} refused the swap (${answer.status}): ${parsed.error ?? 'no reason given'}${serving}`);
  }
  return parsed.revision;
}

export interface HealthWait {
  timeoutMs?: number;
  intervalMs?: number;
}

/** Resolves once /health says the node is ready on `revision`; rejects with what it last said. */
export async function awaitHealthy(nodeUrl: string, revision: string, { timeoutMs = 60_000, intervalMs = 250 }: HealthWait = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const answer = await send(new URL(HEALTH_PATH, nodeUrl).href, 'GET', {}, undefined, Math.min(5_000, timeoutMs));
      const health = JSON.parse(answer.body) as { revision?: string | null; ready?: boolean };
      if (answer.status === 200 && health.ready && health.revision === revision) return;
      last = `${answer.status}, revision ${health.revision ?? 'none'}, ready ${health.ready}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`node at ${nodeUrl} did not report revision ${revision} as ready within ${timeoutMs} ms (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
