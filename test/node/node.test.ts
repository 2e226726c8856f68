import { readFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAppInfo, getEnv } from '../../runtime/app/context.js';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { signedHeaders } from '../../runtime/protocol/signing.js';
import { fnTarget } from '../../runtime/protocol/wire.js';
import { startNode, type RunningNode } from '../../runtime/node/index.js';
import { serving } from '../../runtime/node/serving.js';
import { loadRevision } from '../../runtime/revision/index.js';
import { SECRET, buildFixture, configA, httpRequest, invoke, invokeBody, tempDirs } from './helpers.js';

const dirs = tempDirs();
const tap = tapSink();
const restoreCast = redirect(tap);
let revisionA: string;
let node: RunningNode;

const fixtureEvent = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(new URL(`../../../shared/fixtures/aws-events/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

beforeAll(async () => {
  revisionA = await buildFixture(dirs, 'service-a', configA(), 'rev-a');
  node = await startNode({ revisionDir: revisionA, port: 0, secret: SECRET, lambdaPending: 3, maxBodyBytes: 64 * 1024, local: true });
});

afterAll(async () => {
  await node?.close();
  restoreCast();
  await dirs.cleanup();
});

describe('a node serving a revision', () => {
  it('reports its revision, app and group on /_ions/health', async () => {
    const answer = await httpRequest(`${node.url}/_ions/health`, 'GET', {});
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ revision: 'rev-a', ready: true, app: 'fixture-app', group: 'primary' });
  });

  it('gives the app its context: app, group, revision and environment, also to the code inside the revision', async () => {
    expect(getAppInfo()).toEqual({ app: 'fixture-app', group: 'primary', revision: 'rev-a' });
    expect(getEnv()).toEqual({ STAGE: 'test' });
    const answer = await invoke(node.url, 'lambda/info', invokeBody({}));
    expect(answer.json()).toEqual({ app: 'fixture-app', group: 'primary', revision: 'rev-a', env: { STAGE: 'test' } });
  });

  it('runs a web ion on a real HTTP API v2 event and answers with its API Gateway response', async () => {
    const event = await fixtureEvent('apigw-v2-request-no-authorizer.json');
    const answer = await invoke(node.url, 'lambda/web', invokeBody(event, { awsRequestId: 'web-1' }));
    expect(answer.status).toBe(200);
    const result = answer.json() as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ revision: 'A', method: 'get', uri: '/', requestId: 'web-1' });
  });

  it('answers invokes on a kept-alive connection with a lean head: no Date, no Keep-Alive hint', async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      const first = await invoke(node.url, 'lambda/info', invokeBody({}), { agent });
      const second = await invoke(node.url, 'lambda/info', invokeBody({}, { awsRequestId: 'req-2' }), { agent });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.reusedSocket).toBe(true);
      expect(second.headers).toEqual({ 'content-length': String(Buffer.byteLength(second.text)), connection: 'keep-alive' });
    } finally {
      agent.destroy();
    }
  });

  it('calls web ions through their callback entry, ionized by the app or by the node, and event ions as functions', async () => {
    const current = serving(await loadRevision(revisionA), { lambdaPending: 1 });
    expect(typeof current.route('lambda/web')?.respond).toBe('function');
    expect(typeof current.route('lambda/bare')?.respond).toBe('function');
    expect(current.route('lambda/consume')?.respond).toBeUndefined();
  });

  it('answers a web ion invoked with an event that is not HTTP-shaped as a failed ion, with an alert', async () => {
    const answer = await invoke(node.url, 'lambda/web', invokeBody({ Records: [] }, { awsRequestId: 'not-http-1' }));
    expect(answer.status).toBe(500);
    expect(answer.json()).toEqual({ error: 'ion lambda/web failed', requestId: 'not-http-1' });
    expect(tap.records).toContainEqual(expect.objectContaining({ type: 'alert', msg: 'ion failed', target: 'lambda/web', requestId: 'not-http-1' }));
  });

  it('runs an event ion on an SQS event with ({ event, context }) and passes batchItemFailures back', async () => {
    const event = await fixtureEvent('sqs-event.json');
    const records = event.Records as Array<Record<string, unknown>>;
    event.Records = [records[0], { ...records[0], messageId: 'bad-1', body: 'please fail' }];
    const answer = await invoke(node.url, 'lambda/consume', invokeBody(event));
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
  });

  it('ionizes a bare ring handler configured as an api-gateway lambda', async () => {
    const event = await fixtureEvent('apigw-v2-request-no-authorizer.json');
    const result = (await invoke(node.url, 'lambda/bare', invokeBody(event))).json() as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ revision: 'A', uri: '/', body: null });
  });

  it('calls an eventIon(...) export as the Lambda handler it is', async () => {
    const answer = await invoke(node.url, 'lambda/wrapped', invokeBody({ n: 21 }, { awsRequestId: 'w-1' }));
    expect(answer.json()).toEqual({ doubled: 42, requestId: 'w-1' });
  });

  it('gives an ion the forwarded context, its remaining time counting down to the deadline', async () => {
    const deadline = Date.now() + 5_000;
    const answer = await invoke(node.url, 'lambda/slow', invokeBody({ ms: 0 }, { functionName: 'svc-slow', deadline }));
    const result = answer.json() as { functionName: string; remaining: number };
    expect(result.functionName).toBe('svc-slow');
    expect(result.remaining).toBeGreaterThan(4_000);
    expect(result.remaining).toBeLessThanOrEqual(5_000);
  });

  it('calls an allow-listed function with the event as its arguments', async () => {
    const answer = await invoke(node.url, fnTarget('src/fns.add'), invokeBody([2, 3]));
    expect(answer.status).toBe(200);
    expect(answer.json()).toBe(5);
  });

  it('answers 500 without a stack when an ion fails, and casts an alert with the error', async () => {
    tap.clear();
    const answer = await invoke(node.url, 'lambda/explode', invokeBody({}, { awsRequestId: 'boom-1' }));
    expect(answer.status).toBe(500);
    expect(answer.json()).toEqual({ error: 'ion lambda/explode failed', requestId: 'boom-1' });
    expect(answer.text).not.toMatch(/exploded|at /);
    const alert = tap.records.find((record) => record.type === 'alert');
    expect(alert).toMatchObject({ msg: 'ion failed', target: 'lambda/explode', requestId: 'boom-1', revision: 'rev-a' });
    expect((alert?.ex as Error).message).toBe('the ion exploded');
  });

  it('hands the datom store the allow-listed functions only', async () => {
    const { functions } = serving(await loadRevision(revisionA), { lambdaPending: 1 });
    expect((functions.resolve('src/fns.add') as (a: number, b: number) => number)(1, 2)).toBe(3);
    expect(functions.resolve('src/fns.secret')).toBeUndefined();
    expect(functions.resolve('src/events.consume')).toBeUndefined();
  });

  it('refuses a body over the limit: declared, before reading it, or streamed, once it grows past it', async () => {
    const answer = await invoke(node.url, 'lambda/consume', invokeBody({ pad: 'x'.repeat(70 * 1024) }));
    expect(answer.status).toBe(413);
    const body = invokeBody({ pad: 'x'.repeat(70 * 1024) });
    const streamed = await httpRequest(`${node.url}/_ions/invoke/lambda/consume`, 'POST', { 'transfer-encoding': 'chunked', ...signedHeaders(SECRET, 'lambda/consume', body) }, body);
    expect(streamed.status).toBe(413);
    expect(streamed.json()).toEqual({ error: 'request body is larger than 65536 bytes' });
  });

  it('does not start an ion whose deadline passed while it waited', async () => {
    tap.clear();
    const answer = await invoke(node.url, 'lambda/explode', invokeBody({}, { awsRequestId: 'late-1', deadline: Date.now() - 1 }));
    expect(answer.status).toBe(504);
    expect(answer.json()).toEqual({ error: 'deadline passed before lambda/explode could start', requestId: 'late-1' });
    expect(tap.records).toEqual([]);
  });

  it('answers 400 to a signed body that is not an invoke, and 405 to anything but POST', async () => {
    const notJson = await invoke(node.url, 'lambda/consume', 'not json');
    expect(notJson.status).toBe(400);
    expect(notJson.text).toMatch(/^\{"error":"bad invoke body: /);
    const noContext = await invoke(node.url, 'lambda/consume', JSON.stringify({ event: {} }));
    expect(noContext.json()).toEqual({ error: 'bad invoke body: "context" must be an object' });
    const get = await httpRequest(`${node.url}/_ions/invoke/lambda/consume`, 'GET', {});
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });
});

describe('auth', () => {
  const body = () => invokeBody([1, 1]);

  it('refuses a bad signature', async () => {
    const answer = await invoke(node.url, 'fn/src/fns.add', body(), { secret: 'not-the-key' });
    expect(answer.status).toBe(401);
    expect(answer.json()).toEqual({ error: 'bad signature' });
  });

  it('refuses a request without signature headers', async () => {
    const answer = await invoke(node.url, 'fn/src/fns.add', body(), { headers: {} });
    expect(answer.status).toBe(401);
    expect(answer.text).toMatch(/missing x-ions-auth header/);
  });

  it('refuses a timestamp outside the window, even when correctly signed', async () => {
    const answer = await invoke(node.url, 'fn/src/fns.add', body(), { timestamp: Date.now() - 61_000 });
    expect(answer.status).toBe(401);
    expect(answer.text).toMatch(/outside the 60000 ms window/);
  });

  it('refuses a replay of an accepted request', async () => {
    const text = body();
    const headers = signedHeaders(SECRET, 'fn/src/fns.add', text);
    expect((await invoke(node.url, 'fn/src/fns.add', text, { headers })).status).toBe(200);
    const replay = await invoke(node.url, 'fn/src/fns.add', text, { headers });
    expect(replay.status).toBe(401);
    expect(replay.json()).toEqual({ error: 'replayed request' });
  });

  it('refuses targets the config does not expose: unknown lambdas, unlisted functions, unknown kinds', async () => {
    for (const target of ['lambda/nope', 'fn/src/fns.secret', 'web', 'other/web']) {
      const answer = await invoke(node.url, target, body());
      expect({ target, status: answer.status }).toEqual({ target, status: 403 });
    }
    const text = body();
    const garbled = await httpRequest(`${node.url}/_ions/invoke/lambda/%E0%A4%A`, 'POST', signedHeaders(SECRET, 'lambda/x', text), text);
    expect(garbled.status).toBe(403);
    expect(garbled.json()).toEqual({ error: 'target is not valid percent-encoding' });
  });
});
