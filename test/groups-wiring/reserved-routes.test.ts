// The node shares its port with the app's HTTP-direct handler, so its own routes live under /_ions/
// and every other path is the app's, even one named like a node route.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type RunningNode } from '../../runtime/node/index.js';
import { buildRevision } from '../../runtime/revision/index.js';
import { httpRequest, invoke, invokeBody } from '../node/helpers.js';

const SECRET = 'reserved-routes-key';
let root: string;
let node: RunningNode;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ions-reserved-routes-'));
  const revisionDir = join(root, 'revision');
  await buildRevision({
    serviceDir: fileURLToPath(new URL('./fixtures/groups-service/', import.meta.url)),
    config: { app: 'notes', groups: { primary: { topology: 'solo' } }, lambdas: { recall: { fn: 'src/notes.recall' } }, httpDirect: { handler: 'src/notes.direct' } },
    outDir: revisionDir,
    name: 'routes-1',
  });
  node = await startNode({ revisionDir, port: 0, secret: SECRET, local: true });
}, 30_000);

afterAll(async () => {
  await node?.close();
  await rm(root, { recursive: true, force: true });
});

describe('routes of the node and of the app', () => {
  it.each([
    ['GET', '/health'],
    ['POST', '/invoke/x'],
    ['POST', '/invoke/lambda/recall'],
    ['POST', '/db/transact'],
    ['POST', '/admin/swap'],
    ['GET', '/_ionsx/health'],
  ])('passes %s %s to the app', async (method, path) => {
    const answer = await httpRequest(`${node.url}${path}?q=1`, method, {}, method === 'POST' ? '{}' : undefined);
    expect([answer.status, answer.json()]).toEqual([200, { app: true, uri: path, method: method.toLowerCase() }]);
  });

  it('answers its own routes under /_ions/ and keeps unknown ones from the app', async () => {
    const health = await httpRequest(`${node.url}/_ions/health`, 'GET', {});
    expect([health.status, health.json()]).toEqual([200, { revision: 'routes-1', ready: true, app: 'notes', group: 'primary' }]);
    expect((await invoke(node.url, 'lambda/recall', invokeBody({}), { secret: SECRET })).status).toBe(200);
    const unknown = await httpRequest(`${node.url}/_ions/nothing`, 'GET', {});
    expect([unknown.status, unknown.json()]).toEqual([404, { error: 'the node has no route /_ions/nothing: paths under /_ions/ are the node\'s own' }]);
  });
});
