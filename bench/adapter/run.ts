// bench/adapter: ionize against the adapters people use to run HTTP apps on Lambda, and against a
// hand-written direct mapping, on the same REST and HTTP API v2 events in the same run. Every
// contender runs the same trivial app logic (a small JSON answer naming the method and path).
// Run alone: npx tsx bench/adapter/run.ts
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { configure as serverlessExpress } from '@codegenie/serverless-express';
import awsLambdaFastify from '@fastify/aws-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import serverless from 'serverless-http';
import { ionize } from '../../adapter/index.js';

type LambdaFn = (event: never, context: Context) => Promise<unknown>;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures/aws-events');
const load = <T>(name: string): T => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8')) as T;

const restEvent = load<APIGatewayProxyEvent>('apigw-request.json');
// The v2 fixture is a GET carrying a body, which fetch-based adapters reject; as a POST it matches the REST one.
const v2Fixture = load<APIGatewayProxyEventV2>('apigw-v2-request-iam.json');
const v2Event: APIGatewayProxyEventV2 = {
  ...v2Fixture,
  headers: { ...v2Fixture.headers, 'content-type': 'application/json' },
  requestContext: { ...v2Fixture.requestContext, http: { ...v2Fixture.requestContext.http, method: 'POST' } },
};
const events = { rest: restEvent, 'http-api-v2': v2Event };

const context = {
  awsRequestId: 'bench-request',
  functionName: 'bench',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

/** The app logic every contender runs. */
const answer = (method: string, path: string): { ok: true; method: string; path: string } => ({ ok: true, method, path });

function nodeListener(req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify(answer(req.method!.toLowerCase(), req.url!.split('?')[0]!));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}

const hono = new Hono();
hono.all('*', (c) => c.json(answer(c.req.method.toLowerCase(), c.req.path)));

const fastify = Fastify();
fastify.all('*', async (request) => answer(request.method.toLowerCase(), request.url.split('?')[0]!));

/**
 * What a careful developer writes by hand for one API when the app needs what ionize's request map
 * holds: method, path, lower-cased headers, the query with repeated keys, the body's bytes.
 */
async function direct(event: APIGatewayProxyEvent | APIGatewayProxyEventV2): Promise<unknown> {
  const headers: Record<string, string | undefined> = {};
  let method: string;
  let path: string;
  let query: URLSearchParams | Record<string, string[] | undefined>;
  if ('version' in event && event.version === '2.0') {
    const v2 = event as APIGatewayProxyEventV2;
    for (const name in v2.headers) headers[name.toLowerCase()] = v2.headers[name];
    if (v2.cookies !== undefined) headers.cookie = v2.cookies.join('; ');
    method = v2.requestContext.http.method;
    path = v2.rawPath;
    query = new URLSearchParams(v2.rawQueryString);
  } else {
    const rest = event as APIGatewayProxyEvent;
    for (const name in rest.multiValueHeaders) headers[name.toLowerCase()] = rest.multiValueHeaders[name]!.join(', ');
    method = rest.httpMethod;
    path = rest.path;
    query = rest.multiValueQueryStringParameters ?? {};
  }
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : undefined;
  const request = { method: method.toLowerCase(), path, headers, query, body };
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer(request.method, request.path)), isBase64Encoded: false };
}

/** The floor: only what this app reads, nothing a general mapping would give. */
async function bare(event: APIGatewayProxyEvent | APIGatewayProxyEventV2): Promise<unknown> {
  const v2 = 'version' in event && event.version === '2.0';
  const method = v2 ? (event as APIGatewayProxyEventV2).requestContext.http.method : (event as APIGatewayProxyEvent).httpMethod;
  const path = v2 ? (event as APIGatewayProxyEventV2).rawPath : (event as APIGatewayProxyEvent).path;
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer(method.toLowerCase(), path)), isBase64Encoded: false };
}

const contenders: Record<string, LambdaFn> = {
  ionize: ionize((request) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: answer(request.requestMethod, request.uri) })),
  direct: direct as LambdaFn,
  'direct, method+path only': bare as LambdaFn,
  'serverless-http': serverless(nodeListener) as unknown as LambdaFn,
  '@codegenie/serverless-express': serverlessExpress({ app: { handler: nodeListener }, logSettings: { level: 'error' } } as never) as unknown as LambdaFn,
  'hono/aws-lambda': handle(hono) as unknown as LambdaFn,
  '@fastify/aws-lambda': awsLambdaFastify(fastify) as unknown as LambdaFn,
};

interface Sample {
  /** Wall-clock ns per request. */
  wall: number;
  /** CPU ns per request (user + system, all threads of this process, so GC counts). */
  cpu: number;
}

// Each batch starts on an empty young generation (a collection before it, untimed) and ends by
// collecting its own garbage (timed): every contender pays for what it allocated, and none pays for the
// garbage a heavy allocator before it left behind. Minor collections only: a full one shrinks the
// young generation and slows every allocating contender afterwards.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as (options: { type: 'minor' }) => void;

// Ratios use CPU time: on a machine shared with other busy processes, wall time also counts the
// moments this process waited for a core, which says nothing about the adapter.
async function timeBatch(fn: LambdaFn, event: unknown, iterations: number): Promise<Sample> {
  collectGarbage({ type: 'minor' });
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn(event as never, context);
  collectGarbage({ type: 'minor' });
  const wall = Number(process.hrtime.bigint() - start) / iterations;
  const cpuUsed = process.cpuUsage(cpuStart);
  return { wall, cpu: ((cpuUsed.user + cpuUsed.system) * 1000) / iterations };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function checkAnswers(): Promise<void> {
  for (const [shape, event] of Object.entries(events)) {
    for (const [name, fn] of Object.entries(contenders)) {
      const result = (await fn(structuredClone(event) as never, context)) as { statusCode: number; body: string };
      const body = JSON.parse(result.body) as { ok?: boolean };
      if (result.statusCode !== 200 || body.ok !== true) throw new Error(`${name} answered ${shape} wrongly: ${JSON.stringify(result)}`);
    }
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 5000);
  await fastify.ready();
  await checkAnswers();
  console.log(`bench/adapter: ${rounds} rounds x ${iterations} requests per contender and event; per request, median of rounds; ratios are medians of per-round CPU-time ratios`);
  const lines: string[] = [];
  for (const [shape, event] of Object.entries(events)) {
    const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
    for (const fn of Object.values(contenders)) for (let warm = 0; warm < 2; warm++) await timeBatch(fn, event, iterations);
    // Contenders take turns within each round, so that a noisy moment on a shared machine hits all,
    // and the turn order rotates from round to round, so that no one always follows the same neighbour.
    const entries = Object.entries(contenders);
    for (let round = 0; round < rounds; round++) {
      for (let turn = 0; turn < entries.length; turn++) {
        const [name, fn] = entries[(round + turn) % entries.length]!;
        samples[name]!.push(await timeBatch(fn, event, iterations));
      }
    }
    // Ratios are taken within each round (the contenders ran moments apart) and their median reported:
    // on a shared machine this cancels load that shifts between rounds.
    const ratio = (peer: string): number => median(samples.ionize!.map((ours, round) => ours.cpu / samples[peer]![round]!.cpu));
    lines.push(`\n${shape}`);
    for (const [name, values] of Object.entries(samples)) {
      const cpu = median(values.map((v) => v.cpu)) / 1000;
      const wall = median(values.map((v) => v.wall)) / 1000;
      lines.push(`  ${name.padEnd(30)} cpu ${cpu.toFixed(2).padStart(7)} µs  wall ${wall.toFixed(2).padStart(7)} µs   ionize/this ${ratio(name).toFixed(3)}`);
    }
    lines.push(
      `  ionize / serverless-http = ${ratio('serverless-http').toFixed(3)} (target <= 0.25)   ionize / direct = ${ratio('direct').toFixed(2)} (target <= 2.5)`,
    );
  }
  console.log(lines.join('\n'));
}

await main();
