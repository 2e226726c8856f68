import { afterAll, beforeAll, expect, it } from 'vitest';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { startNode, type RunningNode } from '../../runtime/node/index.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import { createProxyHandler } from '../../runtime/proxy/handler.js';
import { SECRET, buildFixture, configA, configB, tempDirs } from '../node/helpers.js';

const dirs = tempDirs();
const restoreCast = redirect(tapSink());
let node: RunningNode;
let revisionB: string;

beforeAll(async () => {
  const revisionA = await buildFixture(dirs, 'service-a', configA(), 'swap-a');
  revisionB = await buildFixture(dirs, 'service-b', configB(), 'swap-b');
  node = await startNode({ revisionDir: revisionA, port: 0, secret: SECRET });
});

afterAll(async () => {
  await node?.close();
  restoreCast();
  await dirs.cleanup();
});

it('hot-swaps under load through the proxy with zero failed requests, answers moving from A to B', async () => {
  const proxy = createProxyHandler({
    [PROXY_ENV.target]: 'web',
    [PROXY_ENV.integration]: 'api-gateway',
    [PROXY_ENV.endpoint]: node.url,
    [PROXY_ENV.secret]: SECRET,
  });
  const event = { version: '2.0', rawPath: '/load', rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET' } } };
  const context = { awsRequestId: 'load', functionName: 'web', getRemainingTimeInMillis: () => 5_000 };
  const stopAt = Date.now() + 2_000;
  const loop = async (): Promise<string[]> => {
    const seen: string[] = [];
    while (Date.now() < stopAt) {
      const result = (await proxy(event, context)) as { statusCode: number; body: string };
      seen.push(result.statusCode === 200 ? (JSON.parse(result.body) as { revision: string }).revision : `failed ${result.statusCode}`);
    }
    return seen;
  };
  const loops = Promise.all([loop(), loop(), loop()]);
  await new Promise((resolve) => setTimeout(resolve, 700));
  await node.swap(revisionB);
  const seen = await loops;

  const all = seen.flat();
  expect(all.filter((answer) => answer !== 'A' && answer !== 'B')).toEqual([]);
  expect(all).toContain('A');
  expect(all).toContain('B');
  // Each client sees the switch once: never A again after its first B.
  for (const answers of seen) expect(answers.slice(answers.indexOf('B'))).not.toContain('A');
  expect(node.revision).toBe('swap-b');
});
