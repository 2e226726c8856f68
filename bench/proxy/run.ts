// bench/proxy: the full request path (proxy bundle -> signed invoke over keep-alive HTTP -> compiled
// node -> ionized handler -> back) against a plain keep-alive HTTP round trip carrying the same payload
// both ways, in the same process and run. Also the proxy bundle's size and its cold require time in
// fresh processes.
//
//   npx tsx bench/proxy/run.ts
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import { buildProxyBundle } from '../../runtime/proxy/build.js';
import type { ProxyHandler } from '../../runtime/proxy/handler.js';
import { buildRevision, ESM_NODE_SHIMS } from '../../runtime/revision/index.js';

const ROUNDS = 10;
const PER_ROUND = 500;
const WARMUP = 1_000;
const COLD_STARTS = 10;
const SECRET = 'bench-secret';

const root = fileURLToPath(new URL('../..', import.meta.url));
const event = JSON.parse(await readFile(join(root, '../shared/fixtures/aws-events/apigw-v2-request-no-authorizer.json'), 'utf8')) as unknown;
const work = await mkdtemp(join(tmpdir(), 'ions-bench-proxy-'));
const restoreCast = redirect(tapSink());

// Ours: a node serving the benchmark app, and the proxy pointed at it.
const revisionDir = join(work, 'revision');
await buildRevision({
  serviceDir: fileURLToPath(new URL('./service', import.meta.url)),
  config: { app: 'bench', lambdas: { web: { fn: 'src/web.handler', integration: 'api-gateway', concurrency: 64 } } },
  outDir: revisionDir,
  name: 'bench',
});
// The node as the published package runs it: compiled, not transpiled on the fly by tsx (whose
// per-function name keeping costs a few µs a request on closure-heavy paths).
const nodeBundle = join(work, 'node', 'index.mjs');
await build({
  entryPoints: [fileURLToPath(new URL('../../runtime/node/index.ts', import.meta.url))],
  outfile: nodeBundle,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'silent',
  ...ESM_NODE_SHIMS,
});
const { startNode } = (await import(pathToFileURL(nodeBundle).href)) as typeof import('../../runtime/node/index.js');
const node = await startNode({ revisionDir, port: 0, secret: SECRET });
// The proxy as Lambda runs it: the shipped bundle, required and configured through the environment.
const bundleFile = join(work, 'proxy', 'index.js');
const { bytes } = await buildProxyBundle(bundleFile);
Object.assign(process.env, {
  [PROXY_ENV.target]: 'web',
  [PROXY_ENV.integration]: 'api-gateway',
  [PROXY_ENV.endpoint]: node.url,
  [PROXY_ENV.secret]: SECRET,
});
const { handler: proxy } = createRequire(import.meta.url)(bundleFile) as { handler: ProxyHandler };
const context = { awsRequestId: 'bench', functionName: 'bench-web', getRemainingTimeInMillis: () => 10_000 };
// The proxy's handler returns the promise Lambda awaits; calling it is all a request takes on our side.
const ours = (): Promise<unknown> => proxy(event, context);
// A path that fails answers fast; the comparison only means something if ours really ran the ion.
const firstAnswer = (await ours()) as { statusCode?: unknown };
if (firstAnswer.statusCode !== 200) throw new Error(`bench/proxy: the full path answered ${JSON.stringify(firstAnswer)}, not the ion's 200`);

// The peer: the same event out, the same answer back, over a plain keep-alive connection. Like any
// JSON server it parses what it gets and serializes what it answers.
const answerValue = firstAnswer;
const plainServer = createServer({ keepAlive: true }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const answer = JSON.stringify(answerValue);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
await new Promise<void>((resolve) => plainServer.listen(0, '127.0.0.1', resolve));
const plainPort = (plainServer.address() as AddressInfo).port;
const plainHost = `127.0.0.1:${plainPort}`;
// The same agent settings as the proxy's. Like any client, the peer serializes its payload on every
// request; it addresses the server the way the proxy addresses a node (host and port parsed once, the
// headers as a flat list), so that neither side pays per request for what the other does once.
const agent = new Agent({ keepAlive: true });
const plain = (): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const payload = JSON.stringify(event);
    const headers = ['host', plainHost, 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload))];
    const req = request({ hostname: '127.0.0.1', port: plainPort, path: '/', method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });

async function sample(run: () => Promise<unknown>, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await run();
    into.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

await sample(ours, WARMUP, []);
await sample(plain, WARMUP, []);
const oursTimes: number[] = [];
const plainTimes: number[] = [];
// Interleaved rounds, so that whatever else the machine does falls on both sides alike.
for (let round = 0; round < ROUNDS; round++) {
  await sample(plain, PER_ROUND, plainTimes);
  await sample(ours, PER_ROUND, oursTimes);
}
const lastAnswer = (await ours()) as { statusCode?: unknown };
if (lastAnswer.statusCode !== 200) throw new Error(`bench/proxy: after the run the full path answered ${JSON.stringify(lastAnswer)}`);
oursTimes.sort((a, b) => a - b);
plainTimes.sort((a, b) => a - b);
const latency = {
  oursP50: percentile(oursTimes, 50),
  oursP99: percentile(oursTimes, 99),
  plainP50: percentile(plainTimes, 50),
  plainP99: percentile(plainTimes, 99),
};

await node.close();
await new Promise((resolve) => plainServer.close(resolve));
agent.destroy();
restoreCast();

// How long a fresh Node process takes to require the bundle (what a Lambda cold start pays for it).
const probe = join(work, 'probe.cjs');
await writeFile(
  probe,
  'const t = process.hrtime.bigint(); require(process.argv[2]); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));',
);
const requireMs = Array.from({ length: COLD_STARTS }, () => Number(execFileSync(process.execPath, [probe, bundleFile], { encoding: 'utf8' }))).sort(
  (a, b) => a - b,
);
await rm(work, { recursive: true, force: true });

const f = (us: number): string => `${us.toFixed(0)} µs`;
const lines = [
  `full path (proxy bundle -> compiled node -> ionized handler): p50 ${f(latency.oursP50)}, p99 ${f(latency.oursP99)}`,
  `plain keep-alive HTTP round trip, same payload: p50 ${f(latency.plainP50)}, p99 ${f(latency.plainP99)}`,
  `ratio: p50 ${(latency.oursP50 / latency.plainP50).toFixed(2)}x, p99 ${(latency.oursP99 / latency.plainP99).toFixed(2)}x (target <= 1.3x)`,
  `proxy bundle: ${bytes} bytes minified (limit 20480)`,
  `cold require of the bundle in a fresh process (${COLD_STARTS} runs): median ${requireMs[COLD_STARTS >> 1]!.toFixed(2)} ms, max ${requireMs[COLD_STARTS - 1]!.toFixed(2)} ms`,
];
console.log(lines.join('\n'));

// Only this benchmark's section of bench/RESULTS.md is rewritten.
const resultsFile = join(root, 'bench', 'RESULTS.md');
const section = [
  '## proxy',
  '',
  'Command: `npx tsx bench/proxy/run.ts`',
  '',
  `${ROUNDS * PER_ROUND} sequential requests per side after ${WARMUP} warm-up each, interleaved in rounds of ${PER_ROUND}; client, proxy,`,
  'node and plain server share one process. Payload: the HTTP API v2 fixture event out, the web ion\'s answer back.',
  'The plain client makes its requests the way the proxy does (same keep-alive agent settings, endpoint parsed once,',
  'headers as a flat list), so the ratio counts only what the full path adds: signing, verification, routing, ionize.',
  'The proxy is the shipped bundle, the node compiled. On a shared 2-core machine the p99 figures mostly measure the other load.',
  '',
  ...lines.map((line) => `- ${line}`),
  '',
].join('\n');
const existing = await readFile(resultsFile, 'utf8').catch(() => '# Benchmark results\n');
const start = existing.search(/^## proxy$/m);
let updated: string;
if (start === -1) updated = `${existing.trimEnd()}\n\n${section}`;
else {
  const next = existing.slice(start + 1).search(/^## /m);
  updated = existing.slice(0, start) + section + (next === -1 ? '' : '\n' + existing.slice(start + 1 + next));
}
await writeFile(resultsFile, updated.trimEnd() + '\n');
