// Lambda response streaming through a REST API (a Lambda proxy integration in STREAM mode), end to end
// over loopback: client -> REST API (the runtime stand-in, REST events) -> streaming proxy -> signed
// invoke with `stream: true` -> node -> ionized handler, and back as the handler yields. The metadata
// the proxy writes must be what REST reads: statusCode, headers, and set-cookie values apart in
// multiValueHeaders; never the function URL's `cookies`.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { installAwsLambda } from '../../runtime/dev/awslambda.js';
import { startNode, type RunningNode } from '../../runtime/node/index.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import type { StreamingHandler } from '../../runtime/proxy/awslambda.js';
import { createLambdaHandler } from '../../runtime/proxy/handler.js';
import { castTapPerTest } from '../support/cast-tap.js';
import { openStream, readAll } from '../support/function-url.js';
import { openGate } from '../node/fixtures/service-stream/src/stream.js';
import { SECRET, buildFixture, tempDirs } from '../node/helpers.js';
import { startRestApi, type RestApi } from './support/rest-api.js';
import { streamConfig } from './support/streaming.js';

const dirs = tempDirs();
castTapPerTest();
const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
let uninstall: () => void;
let node: RunningNode;
const apis: RestApi[] = [];

async function restApi(overrides: Record<string, string> = {}): Promise<RestApi> {
  const proxy = createLambdaHandler({
    [PROXY_ENV.app]: 'stream-app',
    [PROXY_ENV.group]: 'primary',
    [PROXY_ENV.target]: 'stream',
    [PROXY_ENV.integration]: 'api-gateway',
    [PROXY_ENV.endpoint]: node.url,
    [PROXY_ENV.secret]: SECRET,
    [PROXY_ENV.streaming]: '1',
    ...overrides,
  });
  const api = await startRestApi(proxy as StreamingHandler);
  apis.push(api);
  return api;
}

beforeAll(async () => {
  uninstall = installAwsLambda();
  node = await startNode({ revisionDir: await buildFixture(dirs, 'service-stream', streamConfig(), 'rest-stream'), port: 0, secret: SECRET });
});

afterAll(async () => {
  await Promise.all(apis.map((api) => api.close()));
  await node?.close();
  await dirs.cleanup();
  uninstall?.();
  logged.mockRestore();
});

describe('a streaming proxy behind a REST API, over loopback HTTP end to end', () => {
  it('delivers the metadata and then each chunk in order, the first before the handler has finished', async () => {
    const api = await restApi();
    const response = await openStream(`${api.url}/progressive?id=rest-progressive`);
    expect(response.statusCode).toBe(200);
    expect(api.metadata).toEqual([{ statusCode: 200, headers: { 'content-type': 'text/plain' } }]);
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      response.on('data', (chunk: Buffer) => {
        received.push(chunk.toString('utf8'));
        // The handler waits for this before it yields "b": "a" came through while it still ran.
        if (received.join('') === 'a') openGate('rest-progressive');
      });
      response.on('end', resolve);
      response.on('error', reject);
    });
    expect(received).toEqual(['a', 'b']);
    expect(response.complete).toBe(true);
  });

  it('writes REST metadata: single-valued headers, and every cookie apart in multiValueHeaders', async () => {
    const api = await restApi();
    const answer = await readAll(await openStream(`${api.url}/head`));
    expect(api.metadata).toEqual([
      {
        statusCode: 201,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-many': 'one, two' },
        multiValueHeaders: { 'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'] },
      },
    ]);
    expect(answer.status).toBe(201);
    expect(answer.headers['x-many']).toBe('one, two');
    expect(answer.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(answer.body.toString('utf8')).toBe('hello');
  });

  it('hands the ion the REST request: its path, without the stage', async () => {
    const api = await restApi();
    const answer = await readAll(await openStream(`${api.url}/json`));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ streamed: true, uri: '/json' });
  });

  it('answers the generic 500 with the request id for a handler that throws before its first byte', async () => {
    const api = await restApi();
    const answer = await readAll(await openStream(`${api.url}/throws`));
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ error: 'Internal Server Error', requestId: expect.stringMatching(/^rest-/) });
    expect(api.metadata).toEqual([{ statusCode: 500, headers: expect.objectContaining({ 'content-type': expect.stringContaining('application/json') }) }]);
  });

  it('answers a refusal whole, its headers kept although REST failures carry them as multi-value headers', async () => {
    const api = await restApi({ [PROXY_ENV.secret]: 'not-the-secret' });
    const answer = await readAll(await openStream(`${api.url}/progressive?id=rest-unsigned`));
    expect(api.metadata).toEqual([{ statusCode: 502, headers: { 'content-type': 'application/json' } }]);
    expect(answer.status).toBe(502);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ message: 'Bad Gateway' });
  });
});
