import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { startNode, type RunningNode } from '../../runtime/node/index.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import { IonsProxyError } from '../../runtime/proxy/failure.js';
import { isStreamingHandler } from '../../runtime/dev/awslambda.js';
import { createProxyHandler, handler, type ProxyContext, type ProxyHandler } from '../../runtime/proxy/handler.js';
import { SECRET, buildFixture, configA, tempDirs } from '../node/helpers.js';

const dirs = tempDirs();
const restoreCast = redirect(tapSink());
let node: RunningNode;
const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);

const fixtureEvent = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(new URL(`../../../shared/fixtures/aws-events/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

function lambdaContext(remainingMs = 5_000, requestId = 'proxy-req-1'): ProxyContext {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: requestId,
    functionName: 'fixture-dev-primary-web',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fixture-dev-primary-web',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

const env = (target: string, integration: 'api-gateway' | 'event', endpoint = node.url) => ({
  [PROXY_ENV.app]: 'fixture-app',
  [PROXY_ENV.group]: 'primary',
  [PROXY_ENV.target]: target,
  [PROXY_ENV.integration]: integration,
  [PROXY_ENV.endpoint]: endpoint,
  [PROXY_ENV.secret]: SECRET,
});

/** A loopback port with nothing listening on it. */
async function deadEndpoint(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  const dir = await buildFixture(dirs, 'service-a', configA(), 'proxy-a');
  node = await startNode({ revisionDir: dir, port: 0, secret: SECRET, lambdaPending: 3 });
});

afterEach(() => logged.mockClear());

afterAll(async () => {
  await node?.close();
  await dirs.cleanup();
  logged.mockRestore();
  restoreCast();
});

describe('the proxy, end to end over loopback', () => {
  it('forwards a real HTTP API v2 event to a web ion and returns its answer untouched (the Lambda handler export)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env('web', 'api-gateway'));
    const event = await fixtureEvent('apigw-v2-request-no-authorizer.json');
    // Loaded without IONS_STREAMING, the export is the usual `(event, context)` proxy.
    expect(isStreamingHandler(handler)).toBe(false);
    const result = (await (handler as ProxyHandler)(event, lambdaContext(5_000, 'v2-req')).finally(() => {
      process.env = saved;
    })) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('application/json');
    expect(JSON.parse(result.body)).toEqual({ revision: 'A', method: 'get', uri: '/', requestId: 'v2-req' });
  });

  it('forwards an SQS event to an event ion and passes its batchItemFailures through', async () => {
    const proxy = createProxyHandler(env('consume', 'event'));
    const event = await fixtureEvent('sqs-event.json');
    const records = event.Records as Array<Record<string, unknown>>;
    event.Records = [{ ...records[0], messageId: 'm-1', body: 'ok' }, { ...records[0], messageId: 'm-2', body: 'fail me' }];
    expect(await proxy(event, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
  });

  it('fails over to the next endpoint when one cannot be reached', async () => {
    const proxy = createProxyHandler(env('consume', 'event', `${await deadEndpoint()}, ${node.url}`));
    for (let i = 0; i < 3; i++) expect(await proxy({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
  });

  it('reads the key from a file in dev', async () => {
    const file = join(await dirs.make('key'), 'secret');
    await writeFile(file, `${SECRET}\n`);
    const { [PROXY_ENV.secret]: _inline, ...rest } = env('consume', 'event');
    const proxy = createProxyHandler({ ...rest, [PROXY_ENV.secretFile]: file });
    expect(await proxy({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
  });

  it('reads the key from an SSM SecureString, with decryption, once per cold start', async () => {
    const ssm = mockClient(SSMClient);
    try {
      ssm.on(GetParameterCommand, { Name: '/fixture/ions-key', WithDecryption: true }).resolves({ Parameter: { Value: SECRET } });
      const { [PROXY_ENV.secret]: _inline, ...rest } = env('consume', 'event');
      const proxy = createProxyHandler({ ...rest, [PROXY_ENV.secretParameter]: '/fixture/ions-key' });
      expect(await proxy({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(await proxy({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    } finally {
      ssm.restore();
    }
  });

  it('reads an SSM key as soon as it is made when asked to, and again on the first invocation if that failed', async () => {
    const ssm = mockClient(SSMClient);
    try {
      const { [PROXY_ENV.secret]: _inline, ...rest } = env('consume', 'event');
      const deployed = { ...rest, [PROXY_ENV.secretParameter]: '/fixture/ions-key' };
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SECRET } });
      const eager = createProxyHandler(deployed, { eagerKey: true });
      await vi.waitFor(() => expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1));
      expect(await eager({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);

      ssm.reset();
      ssm.on(GetParameterCommand).rejectsOnce(new Error('SSM throttled')).resolves({ Parameter: { Value: SECRET } });
      const retried = createProxyHandler(deployed, { eagerKey: true });
      await vi.waitFor(() => expect(String(logged.mock.calls.at(-1)?.[0])).toContain('reading the key at start failed'));
      expect(String(logged.mock.calls.at(-1)?.[0])).toContain('SSM throttled');
      expect(await retried({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);

      // Without the option, or with a dev key, nothing is read before the first invocation.
      ssm.reset();
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SECRET } });
      createProxyHandler(deployed);
      createProxyHandler(env('consume', 'event'), { eagerKey: true });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
    } finally {
      ssm.restore();
    }
  });

  it('connects to the node while it is made when asked to, and the first invocation uses that connection', async () => {
    const { port } = new URL(node.url);
    const connections: string[][] = [];
    const sockets: Socket[] = [];
    const relay = createServer((client) => {
      const seen: string[] = [];
      connections.push(seen);
      const upstream = connect(Number(port), '127.0.0.1');
      sockets.push(client, upstream);
      client.on('data', (chunk: Buffer) => seen.push(chunk.toString('latin1').split('\r\n')[0]!));
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      const relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}`;
      const proxy = createProxyHandler(env('consume', 'event', relayUrl), { preconnect: true });
      await vi.waitFor(() => expect(connections).toEqual([['GET /_ions/health HTTP/1.1']]));
      expect(await proxy({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(connections).toEqual([['GET /_ions/health HTTP/1.1', 'POST /_ions/invoke/lambda/consume HTTP/1.1']]);
      expect(logged).not.toHaveBeenCalled();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    }
  });

  it('says why connecting at start failed, and leaves wrong settings for the first invocation to report', async () => {
    const dead = await deadEndpoint();
    const proxy = createProxyHandler(env('web', 'api-gateway', dead), { preconnect: true });
    await vi.waitFor(() => expect(String(logged.mock.calls.at(-1)?.[0])).toContain('connecting to a node at start failed'));
    expect(String(logged.mock.calls.at(-1)?.[0])).toContain('ECONNREFUSED');
    expect(((await proxy(await fixtureEvent('apigw-v2-request-no-authorizer.json'), lambdaContext())) as { statusCode: number }).statusCode).toBe(502);

    const { [PROXY_ENV.endpoint]: _endpoint, ...noEndpoint } = env('consume', 'event');
    const unset = createProxyHandler(noEndpoint, { preconnect: true });
    await expect(unset({}, lambdaContext())).rejects.toThrow(`ions proxy: environment variable ${PROXY_ENV.endpoint} is not set`);
  });

  it('says which variables it needs when it has no key or no endpoint', async () => {
    const { [PROXY_ENV.secret]: _inline, ...noKey } = env('consume', 'event');
    await expect(createProxyHandler(noKey)({}, lambdaContext())).rejects.toThrow(
      'no HMAC key: set IONS_SECRET_PARAMETER (deployed), or IONS_SECRET_FILE or IONS_SECRET (dev)',
    );
    const { [PROXY_ENV.endpoint]: _endpoint, ...noEndpoint } = env('consume', 'event');
    await expect(createProxyHandler(noEndpoint)({}, lambdaContext())).rejects.toThrow('ions proxy: environment variable IONS_ENDPOINT is not set');
  });
});

describe('failure semantics', () => {
  it('answers 502 for an HTTP integration when no node can be reached, without leaking the address', async () => {
    const dead = await deadEndpoint();
    const result = await createProxyHandler(env('web', 'api-gateway', dead))({ version: '2.0' }, lambdaContext());
    expect(result).toEqual({ statusCode: 502, headers: { 'content-type': 'application/json' }, body: '{"message":"Bad Gateway"}', isBase64Encoded: false });
    expect(String(logged.mock.calls[0]?.[0])).toContain(dead.replace('http://', ''));
    expect(JSON.stringify(logged.mock.calls)).not.toContain(SECRET);
  });

  it('throws for an event integration when no node can be reached, so that AWS retries', async () => {
    const proxy = createProxyHandler(env('consume', 'event', await deadEndpoint()));
    const failure = await proxy({ Records: [] }, lambdaContext()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IonsProxyError);
    expect(failure).toMatchObject({ status: 502, message: expect.stringMatching(/^ions node unreachable: /) });
  });

  it('answers 504 when the node is slower than the Lambda has time for, and throws for events', async () => {
    const web = createProxyHandler(env('sleepy', 'api-gateway'), { marginMs: 300 });
    const result = (await web({ ms: 1_500 }, lambdaContext(800))) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(504);
    expect(result.body).toBe('{"message":"Gateway Timeout"}');
    const events = createProxyHandler(env('sleepy', 'event'), { marginMs: 300 });
    await expect(events({ ms: 1_500 }, lambdaContext(800))).rejects.toMatchObject({ status: 504 });
  });

  it('turns a node pushing back (429) into 503 with Retry-After, and into a thrown error for events', async () => {
    const web = createProxyHandler(env('slow', 'api-gateway'));
    const results = (await Promise.all(Array.from({ length: 10 }, () => web({ ms: 400 }, lambdaContext())))) as Array<{ statusCode: number; headers?: Record<string, string> }>;
    const pushedBack = results.filter((result) => result.statusCode === 503);
    expect(results.filter((result) => result.statusCode === undefined)).toHaveLength(5); // answers of the slow event ion
    expect(pushedBack).toHaveLength(5);
    expect(pushedBack[0]!.headers).toEqual({ 'content-type': 'application/json', 'retry-after': '1' });

    const events = createProxyHandler(env('slow', 'event'));
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => events({ ms: 400 }, lambdaContext())));
    const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(rejected).toHaveLength(5);
    expect(rejected[0]!.reason).toMatchObject({ status: 503 });
  });

  it('keeps 504 from a node whose deadline passed, and answers 502 to a 200 that is not JSON', async () => {
    const answers = [
      { status: 504, body: '{"error":"deadline passed"}' },
      { status: 200, body: 'not json' },
    ];
    const fake = createHttpServer((req, res) => {
      req.resume();
      const { status, body } = answers.shift()!;
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const proxy = createProxyHandler(env('web', 'api-gateway', `http://127.0.0.1:${(fake.address() as { port: number }).port}`));
      expect(await proxy({}, lambdaContext())).toMatchObject({ statusCode: 504 });
      expect(await proxy({}, lambdaContext())).toMatchObject({ statusCode: 502 });
      expect(String(logged.mock.calls[1]?.[0])).toContain('answered lambda/web with invalid JSON');
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it('answers in multiValueHeaders to an event that came with them (ALB multi-value, REST)', async () => {
    const event = await fixtureEvent('alb-lambda-target-request-multivalue-headers.json');
    const result = await createProxyHandler(env('web', 'api-gateway', await deadEndpoint()))(event, lambdaContext());
    expect(result).toMatchObject({ statusCode: 502, multiValueHeaders: { 'content-type': ['application/json'] } });
  });

  it('answers 500 when the ion failed and 502 when the node refused the target; events throw either way', async () => {
    expect(await createProxyHandler(env('explode', 'api-gateway'))({}, lambdaContext())).toMatchObject({ statusCode: 500, body: '{"message":"Internal Server Error"}' });
    expect(await createProxyHandler(env('nope', 'api-gateway'))({}, lambdaContext())).toMatchObject({ statusCode: 502 });
    await expect(createProxyHandler(env('explode', 'event'))({}, lambdaContext())).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/answered 500 for lambda\/explode/) });
    await expect(createProxyHandler(env('nope', 'event'))({}, lambdaContext())).rejects.toMatchObject({ status: 502, message: expect.stringMatching(/answered 403/) });
  });
});
