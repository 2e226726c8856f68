// A fixture service set up for `serverless ions push | deploy | status` through a real CLI: a git
// repository of its own (revisions are named by commit), s3rver as its code bucket, and every CLI run
// loaded with the SDK scenario preload (sdk-scenario-preload.ts) for the control plane.
//
// S3 is the real thing on loopback: the SDK's own `AWS_ENDPOINT_URL_S3` points the plugin's unchanged
// S3 client at s3rver (path-style follows from the IP address), so push writes real objects and
// deploy reads them back. s3rver checks the access key id (its fixed S3RVER) but not SigV4
// signatures, so the secret key can be a marker the tests look for in the output.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { PLUGIN_PACKAGE_DIR, PROJECT_ROOT } from './plugin-package.js';
import { runCli, serviceCopy, type CliName, type CliRun } from './run-cli.js';
import { readCalls, type RecordedCall, type Scenario } from './sdk-scenario.js';

const git = promisify(execFile);

export const CODE_BUCKET = 'cycle-code';
/** The AWS secret key of every run: it must never show in what the CLI prints. */
export const SECRET_ACCESS_KEY = 'cycle-secret-key-7f3a9d-never-print';
const RUN_TIMEOUT_MS = 30_000;
const PRELOAD = join(dirname(PLUGIN_PACKAGE_DIR), 'sdk-scenario-preload.mjs');
// serverless v3's module that loads and exports its SDK v2 (for provider.request).
const SERVERLESS3_SDK_V2 = join(PROJECT_ROOT, 'node_modules/serverless/lib/aws/sdk-v2.js');

/** Lays the preload down next to the plugin package (call after buildPluginPackage, which clears that directory). */
export async function buildScenarioPreload(): Promise<void> {
  await build({
    entryPoints: [join(PROJECT_ROOT, 'test/plugin/support/sdk-scenario-preload.ts')],
    outfile: PRELOAD,
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  });
}

export interface CycleRun extends CliRun {
  /** Control-plane calls of this run, in order. */
  calls: RecordedCall[];
  /** Keys written to the code bucket during this run, sorted. */
  puts: string[];
}

export interface CycleService {
  dir: string;
  /** Runs the CLI; `credentials` replaces the AWS key variables of its environment (none set: no plain AWS_* keys). */
  run(args: string[], scenario: Scenario, credentials?: Record<string, string>): Promise<CycleRun>;
  write(file: string, text: string): Promise<void>;
  /** Commits everything; returns the new HEAD. */
  commit(message: string): Promise<string>;
  head(): Promise<string>;
  bucketKeys(): Promise<string[]>;
  readObject(key: string): Promise<string>;
  close(): Promise<void>;
}

export async function cycleService(cli: CliName, fixture = 'cycle-service'): Promise<CycleService> {
  const dir = await serviceCopy(fixture);
  const scratch = await mkdtemp(join(tmpdir(), 'ions-cycle-'));
  await symlink(join(PROJECT_ROOT, 'node_modules/ms'), join(dir, 'node_modules/ms'), 'dir');
  await writeFile(join(dir, '.gitignore'), 'node_modules\n.serverless\n');
  const gitIn = async (...args: string[]) =>
    (await git('git', ['-c', 'user.name=ions test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir })).stdout.trim();
  await gitIn('init', '-q');

  const bucketDir = join(scratch, 's3');
  await mkdir(bucketDir);
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: bucketDir, configureBuckets: [{ name: CODE_BUCKET }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  let puts: string[] = [];
  // s3rver is a Koa app, so an EventEmitter; it reports each write as an S3 event notification.
  (server as unknown as EventEmitter).on('event', (event: { Records: Array<{ eventName: string; s3: { object: { key: string } } }> }) => {
    for (const record of event.Records) if (record.eventName.startsWith('ObjectCreated:')) puts.push(decodeURIComponent(record.s3.object.key));
  });
  const s3 = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });

  let runs = 0;
  const service: CycleService = {
    dir,
    async run(args, scenario, credentials) {
      const name = `run-${++runs}`;
      const scenarioFile = join(scratch, `${name}.scenario.json`);
      const recordFile = join(scratch, `${name}.calls.jsonl`);
      await writeFile(scenarioFile, JSON.stringify(scenario));
      puts = [];
      const env: NodeJS.ProcessEnv = {
        NODE_OPTIONS: `--import ${PRELOAD}`,
        IONS_SDK_SCENARIO: scenarioFile,
        IONS_SDK_RECORD: recordFile,
        IONS_SDK_V3_FROM: join(PLUGIN_PACKAGE_DIR, 'dist/plugin/index.js'),
        ...(cli === 'serverless3' ? { IONS_SDK_V2_FROM: SERVERLESS3_SDK_V2 } : {}),
        AWS_ENDPOINT_URL_S3: endpoint,
        ...(credentials ?? { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY }),
        // Packs of dependencies are cached per user; this service's stay in its scratch directory.
        XDG_CACHE_HOME: join(scratch, 'cache'),
      };
      const result = await runCli(cli, dir, args, { env, timeoutMs: RUN_TIMEOUT_MS });
      return { ...result, calls: readCalls(recordFile), puts: [...puts].sort() };
    },
    write: (file, text) => writeFile(join(dir, file), text),
    async commit(message) {
      await gitIn('add', '-A');
      await gitIn('commit', '-q', '-m', message);
      return gitIn('rev-parse', 'HEAD');
    },
    head: () => gitIn('rev-parse', 'HEAD'),
    async bucketKeys() {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: CODE_BUCKET }));
      return (listed.Contents ?? []).map((object) => object.Key!).sort();
    },
    async readObject(key) {
      const object = await s3.send(new GetObjectCommand({ Bucket: CODE_BUCKET, Key: key }));
      return object.Body!.transformToString();
    },
    async close() {
      s3.destroy();
      await server.close();
      await Promise.all([rm(dir, { recursive: true, force: true }), rm(scratch, { recursive: true, force: true })]);
    },
  };
  await service.commit('first revision');
  return service;
}
