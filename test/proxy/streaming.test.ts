// Lambda response streaming, end to end over loopback: client -> function URL (the runtime stand-in)
// -> streaming proxy -> signed invoke with `stream: true` -> node -> ionized handler, and back as the
// handler yields. Non-streaming proxies are covered, unchanged, by proxy.test.ts.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { installAwsLambda, isStreamingHandler } from '../../runtime/dev/awslambda.js';
import { startNode, type RunningNode } from '../../runtime/node/index.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import type { StreamingHandler } from '../../runtime/proxy/awslambda.js';
import { createLambdaHandler } from '../../runtime/proxy/handler.js';
import { castTapPerTest } from '../support/cast-tap.js';
import { openStream, readAll, startFunctionUrl, type FunctionUrl } from '../support/function-url.js';
import { CHUNK_BYTES, largeChunk, openGate, probe } from '../node/fixtures/service-stream/src/stream.js';
import { SECRET, buildFixture, tempDirs } from '../node/helpers.js';
import { deadEndpoint, streamConfig } from './support/streaming.js';

const dirs = tempDirs();
const tap = castTapPerTest();
const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
let uninstall: () => void;
let node: RunningNode;
const urls: FunctionUrl[] = [];

const env = (overrides: Record<string, string> = {}) => ({
  [PROXY_ENV.app]: 'stream-app',
  [PROXY_ENV.group]: 'primary',
  [PROXY_ENV.target]: 'stream',
  [PROXY_ENV.integration]: 'api-gateway',
  [PROXY_ENV.endpoint]: node.url,
  [PROXY_ENV.secret]: SECRET,
  [PROXY_ENV.streaming]: '1',
  ...overrides,
});

/** A function URL in front of a streaming proxy configured by `env`. */
async function functionUrl(overrides: Record<string, string> = {}, remainingMs?: number): Promise<FunctionUrl> {
  const proxy = createLambdaHandler(env(overrides));
  expect(isStreamingHandler(proxy)).toBe(true);
  const url = await startFunctionUrl(proxy as StreamingHandler, { remainingMs });
  urls.push(url);
  return url;
}

const alerted = (msg: string): boolean => tap.records.some((record) => record.type === 'alert' && record.msg === msg);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  uninstall = installAwsLambda();
  node = await startNode({ revisionDir: await buildFixture(dirs, 'service-stream', streamConfig(), 'stream'), port: 0, secret: SECRET });
});

afterEach(() => logged.mockClear());

afterAll(async () => {
  await Promise.all(urls.map((url) => url.close()));
  await node?.close();
  await dirs.cleanup();
  uninstall?.();
  logged.mockRestore();
});

describe('a streaming proxy, over loopback HTTP end to end', () => {
  it('delivers a chunk before the handler has finished', async () => {
    const { url } = await functionUrl();
    const response = await openStream(`${url}/progressive?id=progressive`);
    expect(response.statusCode).toBe(200);
    const received: string[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      response.on('data', (chunk: Buffer) => {
        received.push(chunk.toString('utf8'));
        // The handler waits for this before it yields "b": "a" came through while it still ran.
        if (received.join('') === 'a') openGate('progressive');
      });
      response.on('end', resolve);
      response.on('error', reject);
    });
    await ended;
    expect(received.join('')).toBe('ab');
    expect(response.complete).toBe(true);
  });

  it('streams a 5 MB body intact, each chunk reaching the client before the handler makes the next', async () => {
    const { url } = await functionUrl();
    const total = 5 * 1024 * 1024;
    const response = await openStream(`${url}/large?id=lockstep&lockstep&bytes=${total}`);
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // Had anything on the way held the body back until its end, the handler would wait here forever.
      if (received % CHUNK_BYTES === 0) openGate(`lockstep-${received / CHUNK_BYTES}`);
    });
    const answer = await readAll(response);
    expect(answer.complete).toBe(true);
    expect(answer.body.length).toBe(total);
    const expected = Buffer.concat(Array.from({ length: total / CHUNK_BYTES }, (_, index) => largeChunk(index)));
    expect(sha256(answer.body)).toBe(sha256(expected));
  });

  it('stops pulling from the handler while the client does not read, and stops the body when the client leaves', async () => {
    const { url } = await functionUrl();
    const total = 64 * 1024 * 1024;
    const response = await openStream(`${url}/large?id=paused&bytes=${total}`);
    expect(response.statusCode).toBe(200);
    // Never read: the socket buffers along the way fill up, and then nothing may pull from the handler.
    let produced = -1;
    for (let stable = 0; stable < 3; ) {
      await sleep(100);
      const now = probe().produced.get('paused') ?? 0;
      stable = now === produced ? stable + 1 : 0;
      produced = now;
    }
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThan(total / 2);
    response.destroy();
    await vi.waitFor(() => expect(probe().stopped.has('paused')).toBe(true));
  });

  it('sends the status, single-valued headers and every cookie in the prelude', async () => {
    const { url } = await functionUrl();
    const answer = await readAll(await openStream(`${url}/head`));
    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(answer.headers['x-many']).toBe('one, two');
    expect(answer.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(answer.body.toString('utf8')).toBe('hello');
  });

  it('sends a plain object body as JSON', async () => {
    const { url } = await functionUrl();
    const answer = await readAll(await openStream(`${url}/json`));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ streamed: true, uri: '/json' });
  });

  it('answers the generic 500 for a handler that throws before its first byte, with an alert and no detail', async () => {
    const { url } = await functionUrl();
    const answer = await readAll(await openStream(`${url}/throws`));
    expect(answer.status).toBe(500);
    expect(answer.complete).toBe(true);
    const text = answer.body.toString('utf8');
    expect(JSON.parse(text)).toEqual({ error: 'Internal Server Error', requestId: expect.stringMatching(/^url-/) });
    expect(text).not.toContain('secret detail');
    expect(text).not.toContain('stream.ts');
    expect(alerted('ion handler failed')).toBe(true);
  });

  it('cuts the answer off when the body fails after bytes went out, with an alert on the node and the proxy', async () => {
    const url = await functionUrl();
    const answer = await readAll(await openStream(`${url.url}/breaks`));
    expect(answer.status).toBe(200);
    expect(answer.body.toString('utf8')).toBe('partial');
    expect(answer.complete).toBe(false);
    await vi.waitFor(() => expect(url.outcomes).toHaveLength(1));
    expect(url.outcomes[0]).toBeInstanceOf(Error);
    expect(alerted('ion response body failed while streaming')).toBe(true);
    expect(logged.mock.calls.some(([line]) => String(line).includes('streamed answer cut off'))).toBe(true);
  });

  it('gives up at its deadline: the answer is cut off and the node gives the slot back at once', async () => {
    // 900 ms left with the default 500 ms margin: the proxy gives up 400 ms in; the body stalls for 5 s.
    const late = await functionUrl({ [PROXY_ENV.target]: 'narrow' }, 900);
    const started = Date.now();
    const answer = await readAll(await openStream(`${late.url}/stalls?id=deadline`));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answer.status).toBe(200);
    expect(answer.body.toString('utf8')).toBe('first');
    expect(answer.complete).toBe(false);
    await vi.waitFor(() => expect(late.outcomes[0]?.message).toMatch(/deadline/));
    // `narrow` runs one request at a time: the next one only gets through if the stalled one let go.
    const next = await functionUrl({ [PROXY_ENV.target]: 'narrow' }, 1_500);
    const followUp = await readAll(await openStream(`${next.url}/head`));
    expect(followUp.status).toBe(201);
    expect(followUp.complete).toBe(true);
  });

  it('still refuses a bad signature: the client gets a whole 502 and the ion never runs', async () => {
    const { url } = await functionUrl({ [PROXY_ENV.secret]: 'not-the-secret' });
    const answer = await readAll(await openStream(`${url}/progressive?id=unsigned`));
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ message: 'Bad Gateway' });
    expect(probe().gates.has('unsigned')).toBe(false);
    expect(logged.mock.calls.some(([line]) => String(line).includes('answered 401'))).toBe(true);
  });

  it('answers a whole 502 when no node can be reached', async () => {
    const { url } = await functionUrl({ [PROXY_ENV.endpoint]: await deadEndpoint() });
    const answer = await readAll(await openStream(`${url}/head`));
    expect(answer.status).toBe(502);
    expect(answer.complete).toBe(true);
  });

  it('refuses to start for an event integration, naming the setting', async () => {
    const proxy = createLambdaHandler(env({ [PROXY_ENV.integration]: 'event' })) as StreamingHandler;
    const { ResponseStream } = await import('../../runtime/dev/awslambda.js');
    await expect(proxy({}, new ResponseStream(), { getRemainingTimeInMillis: () => 1_000 } as never)).rejects.toThrow(
      /IONS_STREAMING=1 needs IONS_INTEGRATION=api-gateway/,
    );
  });
});
