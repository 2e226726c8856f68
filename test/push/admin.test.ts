// The node's admin endpoint: only a correctly signed, fresh request swaps; a revision that cannot load
// is refused with the reason while the running one keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { awaitHealthy, requestSwap } from '../../runtime/deploy/node-admin.js';
import { startNode, type RunningNode } from '../../runtime/node/index.js';
import { ADMIN_SWAP_TARGET } from '../../runtime/protocol/admin.js';
import { signedHeaders } from '../../runtime/protocol/signing.js';
import { SECRET, buildFixture, configA, configB, httpRequest, tempDirs } from '../node/helpers.js';

const dirs = tempDirs();
const restoreCast = redirect(tapSink());
let node: RunningNode;
let revisionB: string;

beforeAll(async () => {
  const revisionA = await buildFixture(dirs, 'service-a', configA(), 'admin-a');
  revisionB = await buildFixture(dirs, 'service-b', configB(), 'admin-b');
  node = await startNode({ revisionDir: revisionA, port: 0, secret: SECRET, local: true });
});

afterAll(async () => {
  await node?.close();
  restoreCast();
  await dirs.cleanup();
});

describe('POST /_ions/admin/swap', () => {
  it('refuses a wrong key, a replay, another method and another admin path', async () => {
    await expect(requestSwap(node.url, 'not-the-key', revisionB)).rejects.toThrow(`node at ${node.url} refused the swap (401): bad signature`);
    const body = JSON.stringify({ revisionDir: '/nowhere' });
    const headers = { 'content-type': 'application/json', ...signedHeaders(SECRET, ADMIN_SWAP_TARGET, body) };
    expect((await httpRequest(`${node.url}/_ions/admin/swap`, 'POST', headers, body)).status).toBe(422);
    const replay = await httpRequest(`${node.url}/_ions/admin/swap`, 'POST', headers, body);
    expect([replay.status, replay.json()]).toEqual([401, { error: 'replayed request' }]);
    expect((await httpRequest(`${node.url}/_ions/admin/swap`, 'GET', {})).status).toBe(405);
    expect((await httpRequest(`${node.url}/_ions/admin/restart`, 'POST', {}, '')).status).toBe(404);
    // An invoke signature cannot be turned into an admin request: the target is part of what is signed.
    const invokeSigned = { 'content-type': 'application/json', ...signedHeaders(SECRET, 'lambda/web', body) };
    expect((await httpRequest(`${node.url}/_ions/admin/swap`, 'POST', invokeSigned, body)).status).toBe(401);
    expect(node.revision).toBe('admin-a');
  });

  it('refuses a revision that cannot load, and keeps serving the running one', async () => {
    await expect(requestSwap(node.url, SECRET, '/no/such/revision')).rejects.toThrow(
      /refused the swap \(422\): no revision in \/no\/such\/revision: cannot read ions.json .*; it still serves admin-a/,
    );
    await awaitHealthy(node.url, 'admin-a', { timeoutMs: 1_000 });
  });

  it('swaps to a revision on the node and /_ions/health reports it', async () => {
    expect(await requestSwap(node.url, SECRET, revisionB)).toBe('admin-b');
    await awaitHealthy(node.url, 'admin-b', { timeoutMs: 1_000 });
    await expect(awaitHealthy(node.url, 'admin-z', { timeoutMs: 300, intervalMs: 50 })).rejects.toThrow(
      `node at ${node.url} did not report revision admin-z as ready within 300 ms (last: 200, revision admin-b, ready true)`,
    );
  });
});
