// The node's side of a streamed answer, spoken to directly with signed invokes: the framing, what
// stays JSON, and the auth checks in front of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type RunningNode } from '../../runtime/node/index.js';
import { HEADERS, STREAM_FRAMING, type InvokeBody } from '../../runtime/protocol/wire.js';
import { castTapPerTest } from '../support/cast-tap.js';
import { streamConfig } from '../proxy/support/streaming.js';
import { SECRET, buildFixture, invoke, tempDirs } from './helpers.js';

const dirs = tempDirs();
castTapPerTest();
let node: RunningNode;

beforeAll(async () => {
  node = await startNode({ revisionDir: await buildFixture(dirs, 'service-stream', streamConfig(), 'node-stream'), port: 0, secret: SECRET });
});

afterAll(async () => {
  await node?.close();
  await dirs.cleanup();
});

function v2Event(path: string): unknown {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'abc.lambda-url.us-east-1.on.aws' },
    requestContext: { http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' }, requestId: 'r', stage: '$default' },
    isBase64Encoded: false,
  };
}

function body(event: unknown, stream?: boolean): string {
  const invokeBody: InvokeBody = { event, context: { awsRequestId: 'node-stream-1', deadline: Date.now() + 10_000, functionName: 'f' }, ...(stream !== undefined && { stream }) };
  return JSON.stringify(invokeBody);
}

describe('a node asked for a streamed answer', () => {
  it('answers a web ion with the framing header, the prelude line, then the body bytes', async () => {
    const answer = await invoke(node.url, 'lambda/stream', body(v2Event('/head'), true));
    expect(answer.status).toBe(200);
    expect(answer.headers[HEADERS.framing]).toBe(STREAM_FRAMING);
    expect(answer.headers['content-length']).toBeUndefined();
    const newline = answer.text.indexOf('\n');
    expect(JSON.parse(answer.text.slice(0, newline))).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-many': 'one, two' },
      cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
    });
    expect(answer.text.slice(newline + 1)).toBe('hello');
  });

  it('answers the same web ion whole, as JSON, when the invoke does not ask for a stream', async () => {
    const answer = await invoke(node.url, 'lambda/stream', body(v2Event('/head')));
    expect(answer.headers[HEADERS.framing]).toBeUndefined();
    expect(answer.json()).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-many': 'one, two' },
      cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
      body: 'hello',
      isBase64Encoded: false,
    });
  });

  it('answers an event ion with JSON even when asked for a stream', async () => {
    const answer = await invoke(node.url, 'lambda/plain', body({ n: 21 }, true));
    expect(answer.status).toBe(200);
    expect(answer.headers[HEADERS.framing]).toBeUndefined();
    expect(answer.json()).toEqual({ doubled: 42 });
  });

  it('refuses a bad signature before anything streams', async () => {
    const answer = await invoke(node.url, 'lambda/stream', body(v2Event('/head'), true), { secret: 'wrong' });
    expect(answer.status).toBe(401);
    expect(answer.headers[HEADERS.framing]).toBeUndefined();
  });

  it('answers 500 as JSON when the event is not HTTP-shaped', async () => {
    const answer = await invoke(node.url, 'lambda/stream', body({ Records: [] }, true));
    expect(answer.status).toBe(500);
    expect(answer.json()).toEqual({ error: 'ion lambda/stream failed', requestId: 'node-stream-1' });
  });
});
