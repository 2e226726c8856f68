import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { startNode } from '../../runtime/node/index.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import { buildProxyBundle, PROXY_BUNDLE_LIMIT_BYTES } from '../../runtime/proxy/build.js';
import type { ProxyHandler } from '../../runtime/proxy/handler.js';
import { SECRET, buildFixture, configA, tempDirs } from '../node/helpers.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

it('bundles the proxy into one CommonJS file under 20 KB with no AWS SDK and no app code inside', async () => {
  const outFile = join(await dirs.make('proxy-bundle'), 'index.js');
  const { bytes } = await buildProxyBundle(outFile);
  expect(bytes).toBeLessThanOrEqual(PROXY_BUNDLE_LIMIT_BYTES);
  const code = await readFile(outFile, 'utf8');
  expect(code.length).toBe(bytes);
  // The SDK is only ever required from the Lambda runtime, never carried.
  expect(code.match(/@aws-sdk\/[\w-]+/g)).toEqual(['@aws-sdk/client-ssm']);
  expect(code).toContain('require("@aws-sdk/client-ssm")');
  expect(code).not.toMatch(/smithy|SignatureV4|adapter\/|ionize|fixture/i);
});

it('runs as a Lambda would load it: require the bundle, configure by environment, invoke a node', async () => {
  const restoreCast = redirect(tapSink());
  const outFile = join(await dirs.make('proxy-run'), 'index.js');
  await buildProxyBundle(outFile);
  const node = await startNode({ revisionDir: await buildFixture(dirs, 'service-a', configA(), 'bundle-a'), port: 0, secret: SECRET });
  const saved = { ...process.env };
  try {
    Object.assign(process.env, {
      [PROXY_ENV.target]: 'consume',
      [PROXY_ENV.integration]: 'event',
      [PROXY_ENV.endpoint]: node.url,
      [PROXY_ENV.secret]: SECRET,
    });
    const { handler } = createRequire(import.meta.url)(outFile) as { handler: ProxyHandler };
    const context = { awsRequestId: 'bundle-1', functionName: 'consume', getRemainingTimeInMillis: () => 3_000 };
    expect(await handler({ Records: [{ messageId: 'x', body: 'fail' }] }, context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'x' }] });
  } finally {
    process.env = saved;
    await node.close();
    restoreCast();
  }
});
