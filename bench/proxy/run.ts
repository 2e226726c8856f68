// bench/proxy: the full request path (proxy bundle -> signed invoke over keep-alive HTTP -> compiled
// node -> ionized handler -> back) against a plain keep-alive HTTP round trip carrying the same payload
// both ways, in the same run, laid out two ways: everything in one process (both ends' work on one
// thread, with no wake-up between them: the strictest view, and the target), and as deployed, the node
// and the plain server in processes of their own. Also the proxy bundle's size and its cold require time
// in fresh processes.
//
//   npx tsx bench/proxy/run.ts
import { build } from 'esbuild';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
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
import { startPlainServer } from './plain-server.js';

const ROUNDS = 20;
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
// The same node in a process of its own, as deployed.
const nodeScript = join(work, 'node-process.mjs');
await writeFile(
  nodeScript,
  `import { startNode } from ${JSON.stringify(pathToFileURL(nodeBundle).href)};
const node = await startNode({ revisionDir: process.argv[2], port: 0, secret: process.argv[3] });
process.on('disconnect', () => process.exit(0));
process.send(node.url);`,
);
const nodeProcess = await startChild(nodeScript, [], [revisionDir, SECRET]);
// The proxy as Lambda runs it: the shipped bundle, required and configured through the environment,
// once per node (a bundle reads its endpoint when it is loaded, as a Lambda container does).
const bundleFile = join(work, 'proxy', 'index.js');
const { bytes } = await buildProxyBundle(bundleFile);
const context = { awsRequestId: 'bench', functionName: 'bench-web', getRemainingTimeInMillis: () => 10_000 };
async function proxyTo(endpoint: string, copy: string): Promise<() => Promise<unknown>> {
  await cp(bundleFile, copy);
  Object.assign(process.env, {
    [PROXY_ENV.target]: 'web',
    [PROXY_ENV.integration]: 'api-gateway',
    [PROXY_ENV.endpoint]: endpoint,
    [PROXY_ENV.secret]: SECRET,
  });
  const { handler: proxy } = createRequire(import.meta.url)(copy) as { handler: ProxyHandler };
  // The proxy's handler returns the promise Lambda awaits; calling it is all a request takes on our side.
  const ours = (): Promise<unknown> => proxy(event, context);
  // A path that fails answers fast; the comparison only means something if ours really ran the ion.
  const first = (await ours()) as { statusCode?: unknown };
  if (first.statusCode !== 200) throw new Error(`bench/proxy: the full path answered ${JSON.stringify(first)}, not the ion's 200`);
  return ours;
}
const ours = await proxyTo(node.url, join(work, 'proxy', 'in-process.js'));
const oursApart = await proxyTo(nodeProcess.url, join(work, 'proxy', 'apart.js'));
const answerValue = await ours();

// The peer: the same event out, the same answer back, over a plain keep-alive connection, to the same
// server code here and in a child process.
const plainServer = await startPlainServer(answerValue);
const plainProcess = await startChild(fileURLToPath(new URL('./plain-server.ts', import.meta.url)), ['--import', 'tsx'], [JSON.stringify(answerValue)]);
// The same agent settings as the proxy's. Like any client, the peer serializes its payload on every
// request; it addresses the server the way the proxy addresses a node (host and port parsed once, the
// headers as a flat list), so that neither side pays per request for what the other does once.
const agent = new Agent({ keepAlive: true });
const plainTo = (port: number) => {
  const host = `127.0.0.1:${port}`;
  return (): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(event);
      const headers = ['host', host, 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload))];
      const req = request({ hostname: '127.0.0.1', port, path: '/', method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
};
const plain = plainTo((plainServer.address() as AddressInfo).port);
const plainApart = plainTo(Number(new URL(plainProcess.url).port));

/** A Node child running `script`, which sends its URL to the parent once it listens. */
async function startChild(script: string, nodeArgs: string[], args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve(String(message)));
    child.once('exit', (code) => reject(new Error(`bench/proxy: ${script} exited with ${code} before it listened`)));
  });
  return { url, child };
}

async function sample(run: () => Promise<unknown>, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await run();
    into.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const sides = { plain, ours, plainApart, oursApart };
const times: Record<keyof typeof sides, number[]> = { plain: [], ours: [], plainApart: [], oursApart: [] };
for (const run of Object.values(sides)) await sample(run, WARMUP, []);
// Interleaved rounds, so that whatever else the machine does falls on every side alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(sides)) await sample(run, PER_ROUND, times[name as keyof typeof sides]);
}
for (const run of [ours, oursApart]) {
  const lastAnswer = (await run()) as { statusCode?: unknown };
  if (lastAnswer.statusCode !== 200) throw new Error(`bench/proxy: after the run the full path answered ${JSON.stringify(lastAnswer)}`);
}
const stats = (name: keyof typeof sides) => {
  const sorted = times[name].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
};
const inProcess = { ours: stats('ours'), plain: stats('plain') };
const apart = { ours: stats('oursApart'), plain: stats('plainApart') };

// How long a fresh Node process takes to require the bundle: the module alone (no endpoint set), and as
// Lambda's init phase runs it deployed, which also starts the connection to a node (see preconnect).
const probe = join(work, 'probe.cjs');
await writeFile(
  probe,
  'const t = process.hrtime.bigint(); require(process.argv[2]); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6)); process.exit(0);',
);
const withoutIons = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('IONS_')));
const coldRequire = (env: NodeJS.ProcessEnv): number[] =>
  Array.from({ length: COLD_STARTS }, () => Number(execFileSync(process.execPath, [probe, bundleFile], { encoding: 'utf8', env }))).sort((a, b) => a - b);
const moduleMs = coldRequire(withoutIons);
const deployedMs = coldRequire({ ...withoutIons, [PROXY_ENV.target]: 'web', [PROXY_ENV.integration]: 'api-gateway', [PROXY_ENV.endpoint]: nodeProcess.url, [PROXY_ENV.secret]: SECRET });

await node.close();
await new Promise((resolve) => plainServer.close(resolve));
nodeProcess.child.kill();
plainProcess.child.kill();
agent.destroy();
restoreCast();
await rm(work, { recursive: true, force: true });

const f = (us: number): string => `${us.toFixed(0)} µs`;
const ratio = ({ ours, plain }: typeof inProcess) => `p50 ${(ours.p50 / plain.p50).toFixed(2)}x, p99 ${(ours.p99 / plain.p99).toFixed(2)}x`;
const lines = [
  `one process: full path (proxy bundle -> compiled node -> ionized handler): p50 ${f(inProcess.ours.p50)}, p99 ${f(inProcess.ours.p99)}`,
  `one process: plain keep-alive HTTP round trip, same payload: p50 ${f(inProcess.plain.p50)}, p99 ${f(inProcess.plain.p99)}`,
  `one process: ratio ${ratio(inProcess)} (target <= 1.3x)`,
  `apart: full path p50 ${f(apart.ours.p50)}, p99 ${f(apart.ours.p99)}; plain p50 ${f(apart.plain.p50)}, p99 ${f(apart.plain.p99)}; ratio ${ratio(apart)} (target <= 1.3x)`,
  `proxy bundle: ${bytes} bytes minified (limit 20480)`,
  `cold require of the bundle in a fresh process (${COLD_STARTS} runs each): the module alone median ${moduleMs[COLD_STARTS >> 1]!.toFixed(2)} ms (max ${moduleMs[COLD_STARTS - 1]!.toFixed(2)}); as deployed, also opening its connection to a node, median ${deployedMs[COLD_STARTS >> 1]!.toFixed(2)} ms (max ${deployedMs[COLD_STARTS - 1]!.toFixed(2)})`,
];
console.log(lines.join('\n'));

// Only this benchmark's section of bench/RESULTS.md is rewritten.
const resultsFile = join(root, 'bench', 'RESULTS.md');
const section = [
  '## proxy',
  '',
  'Command: `npx tsx bench/proxy/run.ts`',
  '',
  `${ROUNDS * PER_ROUND} sequential requests per side after ${WARMUP} warm-up each, interleaved in rounds of ${PER_ROUND}. One process:`,
  'client, proxy, node and plain server share it, so both ends\' work adds up on one thread with no wake-up in between, and every',
  'garbage collection of all four lands on that thread (the strictest view). Apart: the node and the plain server run in processes of',
  'their own, as deployed; each round trip then also pays two cross-process wake-ups (a real network hop costs more). Payload: the',
  'HTTP API v2 fixture event out, the web ion\'s answer back.',
  'The plain client makes its requests the way the proxy does (same keep-alive agent settings, endpoint parsed once,',
  'headers as a flat list), so the ratio counts only what the full path adds: signing, verification, routing, ionize.',
  'The proxy is the shipped bundle, the node compiled. The p99 figures are the garbage collector\'s (see the section below).',
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
