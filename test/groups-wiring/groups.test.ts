// Groups wired end to end on loopback: two primary-group nodes and one query-group node, each a
// process of its own on one shared storage (DynamoDB+S3 stand-ins: file storage belongs to one
// process), with app code calling getConnection. The query
// node reaches the primary group through a load balancer that may pick either primary-group node.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import { dynamoStorage } from '../../runtime/db/storage-dynamodb/index.js';
import { ownerUrl } from '../../runtime/node/lease-owner.js';
import { buildRevision } from '../../runtime/revision/index.js';
import { startAwsStandIns, type AwsStandIns } from '../db/backends/servers.js';
import { SPEC_ENV, type StorageSpec } from '../db/groups/storage-spec.js';
import { invoke, invokeBody } from '../node/helpers.js';
import { loadBalancer, type LoadBalancer } from './load-balancer.js';

const SECRET = 'groups-wiring-key';
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

function groupsConfig(): IonsConfig {
  return {
    app: 'notes',
    groups: { primary: { topology: 'production' }, reads: { topology: 'production', queryGroup: true } },
    lambdas: { remember: { fn: 'src/notes.remember' }, recall: { fn: 'src/notes.recall' } },
    httpDirect: { handler: 'src/notes.direct' },
  };
}

interface NodeProcess {
  url: string;
  child: ChildProcess;
}

async function startGroupNode(revisionDir: string, spec: StorageSpec, group: string, primaryEndpoint?: string): Promise<NodeProcess> {
  const args = ['--import', 'tsx', join(fixtures, 'group-node.ts'), revisionDir, group, ...(primaryEndpoint ? [primaryEndpoint] : [])];
  const env = { ...process.env, IONS_SECRET: SECRET, [SPEC_ENV]: JSON.stringify(spec) };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [url] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`${group} node exited with ${code} before it listened`))),
  ])) as [string];
  return { url, child };
}

const stop = async ({ child }: NodeProcess, signal: NodeJS.Signals): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
};

async function call(nodeUrl: string, lambda: string, event: unknown): Promise<unknown> {
  const answer = await invoke(nodeUrl, `lambda/${lambda}`, invokeBody(event, { deadline: Date.now() + 20_000 }), { secret: SECRET });
  if (answer.status !== 200) throw new Error(`${lambda} on ${nodeUrl} answered ${answer.status}: ${answer.text}`);
  return answer.json();
}

async function leaseHolder(aws: AwsStandIns, table: string): Promise<string | undefined> {
  const clients = aws.clients();
  const storage = dynamoStorage({ tableName: table, bucket: aws.bucket, prefix: `${table}/`, ...clients });
  try {
    const lease = await (await storage.open('notes')).getLease();
    return lease === undefined || lease.expiresAt <= Date.now() ? undefined : ownerUrl(lease.owner);
  } finally {
    await storage.close();
    clients.dynamo.destroy();
    clients.s3.destroy();
  }
}

describe('a primary group of two nodes and a query group', () => {
  let root: string;
  let aws: AwsStandIns;
  let table: string;
  let primaries: NodeProcess[];
  let reader: NodeProcess;
  let balancer: LoadBalancer;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ions-groups-wiring-'));
    aws = await startAwsStandIns();
    const setup = aws.clients();
    table = await aws.freshTable(setup.dynamo);
    setup.dynamo.destroy();
    setup.s3.destroy();
    const spec: StorageSpec = { kind: 'dynamodb', table, bucket: aws.bucket, prefix: `${table}/`, dynamoEndpoint: aws.dynamoEndpoint, s3Endpoint: aws.s3Endpoint };
    const revisionDir = join(root, 'revision');
    await buildRevision({ serviceDir: join(fixtures, 'groups-service'), config: groupsConfig(), outDir: revisionDir, name: 'notes-1' });
    primaries = await Promise.all([startGroupNode(revisionDir, spec, 'primary'), startGroupNode(revisionDir, spec, 'primary')]);
    balancer = await loadBalancer(primaries.map((node) => node.url));
    reader = await startGroupNode(revisionDir, spec, 'reads', balancer.url);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...(primaries ?? []), ...(reader ? [reader] : [])].map((node) => stop(node, 'SIGKILL')));
    await balancer?.close();
    await aws?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('lets app code on any node transact and read its own write; a takeover keeps transactions going', async () => {
    // The query node forwards through the load balancer; it reads its own write once it returns.
    expect(await call(reader.url, 'remember', { text: 'from the query group' })).toMatchObject({ seen: true, group: 'reads' });
    const holder = await leaseHolder(aws, table);
    expect(primaries.map((node) => node.url)).toContain(holder);
    const [writer, standby] = holder === primaries[0]!.url ? [primaries[0]!, primaries[1]!] : [primaries[1]!, primaries[0]!];

    // The standby passes its app's transaction to the holder, and reads the write back.
    expect(await call(standby.url, 'remember', { text: 'from the standby' })).toMatchObject({ seen: true, group: 'primary' });
    expect(await call(writer.url, 'remember', { text: 'from the writer' })).toMatchObject({ seen: true, group: 'primary' });
    expect(await leaseHolder(aws, table)).toBe(writer.url);

    // The writer dies without handing the lease back: the standby takes over once it expires.
    await stop(writer, 'SIGKILL');
    const after = (await call(reader.url, 'remember', { text: 'after the takeover' })) as { seen: boolean; t: number };
    expect(after.seen).toBe(true);
    expect(await leaseHolder(aws, table)).toBe(standby.url);
    expect(await call(standby.url, 'remember', { text: 'on the new writer' })).toMatchObject({ seen: true });

    const expected = ['after the takeover', 'from the query group', 'from the standby', 'from the writer', 'on the new writer'];
    expect(await call(reader.url, 'recall', {})).toEqual(expected);
    expect(await call(standby.url, 'recall', {})).toEqual(expected);
  }, 60_000);
});
