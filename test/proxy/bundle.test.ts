import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { startNode } from '../../runtime/node/index.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import { buildProxyBundle, PROXY_BUNDLE_LIMIT_BYTES } from '../../runtime/proxy/build.js';
import type { ProxyHandler } from '../../runtime/proxy/handler.js';
import { installAwsLambda, isStreamingHandler } from '../../runtime/dev/awslambda.js';
import { collectStreamed, invokeStreaming } from '../../runtime/dev/function-url-stream.js';
import type { StreamingHandler } from '../../runtime/proxy/awslambda.js';
import { SECRET, buildFixture, configA, tempDirs } from '../node/helpers.js';
import { streamConfig } from './support/streaming.js';

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

it('loads TLS only for an https endpoint, and reaches a node over https through it', async () => {
  const restoreCast = redirect(tapSink());
  const outFile = join(await dirs.make('proxy-tls'), 'index.js');
  await buildProxyBundle(outFile);
  const node = await startNode({ revisionDir: await buildFixture(dirs, 'service-a', configA(), 'bundle-tls'), port: 0, secret: SECRET });
  const tlsDir = fileURLToPath(new URL('./fixtures/tls/', import.meta.url));
  const [cert, key] = await Promise.all([readFile(join(tlsDir, 'cert.pem')), readFile(join(tlsDir, 'key.pem'))]);
  // TLS ends here and the bytes go on to the node, which speaks plain HTTP.
  const terminator = createTlsServer({ cert, key }, (client) => {
    const upstream = connect(Number(new URL(node.url).port), '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
  const run = (endpoint: string) =>
    new Promise<unknown>((resolve, reject) =>
      execFile(
        process.execPath,
        [fileURLToPath(new URL('./fixtures/bundle-child.cjs', import.meta.url)), outFile],
        {
          env: {
            PATH: process.env.PATH,
            NODE_EXTRA_CA_CERTS: join(tlsDir, 'cert.pem'),
            [PROXY_ENV.target]: 'consume',
            [PROXY_ENV.integration]: 'event',
            [PROXY_ENV.endpoint]: endpoint,
            [PROXY_ENV.secret]: SECRET,
          },
          timeout: 20_000,
        },
        (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
      ),
    );
  try {
    expect(await run(node.url)).toEqual({ result: { batchItemFailures: [] }, tlsLoaded: false });
    const httpsUrl = `https://127.0.0.1:${(terminator.address() as AddressInfo).port}`;
    expect(await run(httpsUrl)).toEqual({ result: { batchItemFailures: [] }, tlsLoaded: true });
  } finally {
    terminator.close();
    await node.close();
    restoreCast();
  }
});

it('exports a streamified handler from the bundle under IONS_STREAMING=1, which streams a web ion', async () => {
  const restoreCast = redirect(tapSink());
  const outFile = join(await dirs.make('proxy-stream'), 'index.js');
  await buildProxyBundle(outFile);
  const node = await startNode({ revisionDir: await buildFixture(dirs, 'service-stream', streamConfig(), 'bundle-stream'), port: 0, secret: SECRET });
  const saved = { ...process.env };
  const uninstall = installAwsLambda();
  try {
    Object.assign(process.env, {
      [PROXY_ENV.target]: 'stream',
      [PROXY_ENV.integration]: 'api-gateway',
      [PROXY_ENV.endpoint]: node.url,
      [PROXY_ENV.secret]: SECRET,
      [PROXY_ENV.streaming]: '1',
    });
    // The module reads IONS_STREAMING when Lambda loads it, so this load is the bundle's first.
    const { handler } = createRequire(import.meta.url)(outFile) as { handler: unknown };
    expect(isStreamingHandler(handler)).toBe(true);
    const event = { version: '2.0', rawPath: '/head', rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET', path: '/head' } }, isBase64Encoded: false };
    const context = { awsRequestId: 'bundle-2', functionName: 'stream', getRemainingTimeInMillis: () => 3_000 };
    const answer = await collectStreamed(await invokeStreaming(handler as StreamingHandler, event, context));
    expect(answer).toMatchObject({ statusCode: 201, cookies: ['a=1; Path=/', 'b=2; HttpOnly'], body: 'hello' });
  } finally {
    uninstall();
    process.env = saved;
    await node.close();
    restoreCast();
  }
});

it('refuses to load under IONS_STREAMING=1 outside a runtime with the awslambda global, saying why', async () => {
  const outFile = join(await dirs.make('proxy-stream-bare'), 'index.js');
  await buildProxyBundle(outFile);
  const saved = { ...process.env };
  try {
    Object.assign(process.env, { [PROXY_ENV.streaming]: '1' });
    expect(() => createRequire(import.meta.url)(outFile)).toThrow(/IONS_STREAMING=1 needs the awslambda global of Lambda's Node.js runtime/);
  } finally {
    process.env = saved;
  }
});
