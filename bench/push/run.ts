// bench/push: the Ions cycle's costs, ours against re-shipping everything, in the same run.
// - A push whose dependencies did not change: bytes uploaded and wall time, against the peer: one
//   bundle of app and dependencies, uploaded whole on every push (what a plain zip deployment does).
// - Hot swap time per node during a rolling deploy over three nodes behind a round-robin balancer.
// - Request latency (proxy -> balancer -> node) p50/p99 during the rolling deploy against before it.
//
//   npx tsx bench/push/run.ts
import { CodeDeployClient, CreateDeploymentCommand, ListDeploymentGroupsCommand, RegisterApplicationRevisionCommand } from '@aws-sdk/client-codedeploy';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redirect, tapSink } from '../../runtime/cast/index.js';
import { deploy } from '../../runtime/deploy/deploy.js';
import { push, type PushResult } from '../../runtime/push/push.js';
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import { loadService } from '../../runtime/dev/service.js';
import { buildRevision } from '../../runtime/revision/index.js';
import { startCodeBucket } from '../../test/push/code-bucket.js';
import { readBundle, rollOut, startCluster, webProxy, type Cluster } from '../../test/push/cluster.js';
import { pushConfig, serviceRepo, type ServiceRepo } from '../../test/push/service-repo.js';

const PUSHES = 5;
const CLIENTS = 4;
const WARMUP_MS = 1_500;
const BASELINE_MS = 3_000;

redirect(tapSink());
mockClient(CodeDeployClient)
  .on(RegisterApplicationRevisionCommand)
  .resolves({})
  .on(ListDeploymentGroupsCommand)
  .resolves({ deploymentGroups: ['primary'] })
  .on(CreateDeploymentCommand)
  .resolves({ deploymentId: 'd-bench' });
mockClient(LambdaClient).on(GetFunctionConfigurationCommand).resolves({ Timeout: 10, Environment: { Variables: { IONS_INTEGRATION: 'api-gateway' } } });

const bucket = await startCodeBucket();
const cluster = await startCluster(bucket.s3);
const service = await serviceRepo();
// A service with a dependency of realistic weight besides the two small ones.
await service.write('src/config-text.js', "import YAML from 'yaml';\nexport const parse = (text) => YAML.parse(text);\n");
await service.write('src/web.js', (await readFile(join(service.dir, 'src/web.js'), 'utf8')).replace("import { VERSION } from './version.js';", "import { VERSION } from './version.js';\nimport { parse } from './config-text.js';\nexport const parsed = () => parse('a: 1');"));
await service.write('package.json', JSON.stringify({ name: 'push-fixture', type: 'module', dependencies: { 'escape-html': '^1.0.3', ms: '^2.1.3', yaml: '^2.9.1' } }));
await service.commit('with yaml');

const pushNow = (repo: ServiceRepo = service, config: IonsConfig = pushConfig()) =>
  push({ serviceDir: repo.dir, config, bucket: bucket.bucket, application: 'bench', s3: bucket.s3, codeDeploy: new CodeDeployClient({}), packCacheDir: repo.packCacheDir });

let version = 0;
async function changeApp(repo: ServiceRepo, file = 'src/version.js'): Promise<void> {
  version++;
  if (file === 'src/version.js') await repo.write(file, `export const VERSION = 'v${version}';\n`);
  else await repo.write(file, `${await readFile(join(repo.dir, file), 'utf8')}\n// change ${version}\n`);
  await repo.commit(`v${version}`);
}

/** The peer: everything bundled into one artifact, uploaded whole on every push. */
async function pushWhole(repo: ServiceRepo, config: IonsConfig): Promise<{ bytes: number; ms: number }> {
  const started = performance.now();
  const out = await mkdtemp(join(tmpdir(), 'ions-bench-whole-'));
  await buildRevision({ serviceDir: repo.dir, config, outDir: out, name: `whole-${version}` });
  let bytes = 0;
  for (const entry of await readdir(out, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const body = await readFile(join(entry.parentPath, entry.name));
    bytes += body.length;
    const key = `whole/${version}/${createHash('sha256').update(entry.name).digest('hex')}`;
    await bucket.s3.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: key, Body: body }));
  }
  await rm(out, { recursive: true, force: true });
  return { bytes, ms: performance.now() - started };
}

/** Pushes after app-only changes, ours and the peer's alternately; prints both and the ratios. */
async function pushScenario(name: string, repo: ServiceRepo, config: IonsConfig, changed: string): Promise<void> {
  let started = performance.now();
  const first = await pushNow(repo, config);
  console.log(
    `${name}: first push ${first.upload.uploaded.bytes} bytes (${first.upload.uploaded.dependencyBytes} of dependencies, ${first.manifest.packages.length} packages; ${first.upload.uploaded.runtimeBytes} of the node runtime) in ${(performance.now() - started).toFixed(0)} ms`,
  );
  const ours: Array<{ bytes: number; dependencyBytes: number; ms: number }> = [];
  const whole: Array<{ bytes: number; ms: number }> = [];
  for (let i = 0; i < PUSHES; i++) {
    await changeApp(repo, changed);
    started = performance.now();
    const result = await pushNow(repo, config);
    ours.push({ bytes: result.upload.uploaded.bytes, dependencyBytes: result.upload.uploaded.dependencyBytes, ms: performance.now() - started });
    whole.push(await pushWhole(repo, config));
  }
  const oursMs = median(ours.map((p) => p.ms));
  const wholeMs = median(whole.map((p) => p.ms));
  const oursBytes = median(ours.map((p) => p.bytes));
  const wholeBytes = median(whole.map((p) => p.bytes));
  console.log(`  push after an app change (median of ${PUSHES}): ours ${oursBytes} bytes uploaded (${median(ours.map((p) => p.dependencyBytes))} of dependencies) in ${oursMs.toFixed(0)} ms`);
  console.log(`  peer (whole bundle re-shipped): ${wholeBytes} bytes in ${wholeMs.toFixed(0)} ms`);
  console.log(`  ratio ours/peer: bytes ${(oursBytes / wholeBytes).toFixed(3)}x, wall time ${(oursMs / wholeMs).toFixed(2)}x`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function deployAndRoll(result: PushResult, target: Cluster) {
  await deploy({
    app: 'push-fixture',
    group: 'primary',
    rev: result.revision,
    bucket: bucket.bucket,
    application: 'bench',
    codeDeploy: new CodeDeployClient({}),
    lambda: new LambdaClient({}),
    s3: bucket.s3,
    functionName: (g, l) => `${g}-${l}`,
  });
  return rollOut(target, (await readBundle(bucket.s3, result.bundle)).spec);
}

try {
  await pushScenario('fixture service (escape-html, ms, yaml)', service, pushConfig(), 'src/version.js');
  const example = await serviceRepo('examples/event-signup');
  try {
    const { config } = await loadService(example.dir);
    await pushScenario('examples/event-signup (@aws-sdk/client-s3 and its closure)', example, config, 'src/page.ts');
  } finally {
    await example.remove();
  }
  await deployAndRoll(await pushNow(), cluster);

  const web = webProxy(cluster.balancer.url);
  const load = async (until: () => boolean) => {
    const latencies: number[] = [];
    let failures = 0;
    const client = async () => {
      while (!until()) {
        const started = performance.now();
        const answer = await web();
        latencies.push(performance.now() - started);
        if (answer.status !== 200) failures++;
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    return { latencies, failures };
  };
  // Warm the path (JIT, keep-alive connections) before anything is measured.
  const warmEnd = performance.now() + WARMUP_MS;
  await load(() => performance.now() >= warmEnd);
  const baselineEnd = performance.now() + BASELINE_MS;
  const before = await load(() => performance.now() >= baselineEnd);

  await changeApp(service);
  const next = await pushNow();
  let rolling = true;
  const during = load(() => !rolling);
  const rollStarted = performance.now();
  const rollouts = await deployAndRoll(next, cluster);
  const rollMs = performance.now() - rollStarted;
  rolling = false;
  const { latencies, failures } = await during;

  console.log(`rolling deploy over ${rollouts.length} nodes: ${rollMs.toFixed(0)} ms; hot swap per node (ms): ${rollouts.map((r) => r.swapMs.toFixed(1)).join(', ')}`);
  const p50b = percentile(before.latencies, 50);
  const p99b = percentile(before.latencies, 99);
  const p50d = percentile(latencies, 50);
  const p99d = percentile(latencies, 99);
  console.log(`latency before (${before.latencies.length} requests, ${CLIENTS} clients): p50 ${p50b.toFixed(2)} ms, p99 ${p99b.toFixed(2)} ms; failed ${before.failures}`);
  console.log(`latency during (${latencies.length} requests): p50 ${p50d.toFixed(2)} ms, p99 ${p99d.toFixed(2)} ms; failed ${failures}`);
  console.log(`  ratio during/before: p50 ${(p50d / p50b).toFixed(2)}x, p99 ${(p99d / p99b).toFixed(2)}x`);
  if (failures > 0 || before.failures > 0) process.exitCode = 1;
} finally {
  await cluster.close();
  await bucket.close();
  await service.remove();
}
