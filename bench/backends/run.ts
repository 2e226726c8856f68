// bench/backends: durable writes on each storage backend. Sequential appends straight to the storage
// (one ~200-byte entry each), then sequential single-entity transactions through connect(). The file
// storage is the baseline: PostgreSQL (embedded, fsync and synchronous_commit on, loopback) and
// DynamoDB+S3 (dynalite in memory and s3rver, loopback, in this process) are measured against it.
// Backends run in alternating slices so that load from elsewhere on the machine hits each of them.
// Run alone: npx tsx bench/backends/run.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redirect, stderrSink } from '../../runtime/cast/index.js';
import { connect, type Connection } from '../../runtime/db/connection.js';
import { person, personSchema } from '../support/person-writes.js';
import { fileStorage, type DatabaseStorage, type Storage } from '../../runtime/db/storage/index.js';
import { dynamoStorage } from '../../runtime/db/storage-dynamodb/index.js';
import { postgresStorage } from '../../runtime/db/storage-postgres/index.js';
import { startAwsStandIns, startPostgres } from '../../test/db/backends/servers.js';

const SLICE_MS = 400;
const ROUNDS = 5;
const WARM_UP = 50;

const entryBytes = new Uint8Array(200).fill(42);

interface Contender {
  readonly name: string;
  readonly storage: Storage;
  db?: DatabaseStorage;
  conn?: Connection;
  appends: number[];
  transactions: number[];
  appendMs: number;
  transactMs: number;
}

/** Runs `op` back to back until the slice ends, recording each call's latency in ms; returns the slice's length. */
async function slice(op: () => Promise<unknown>, latencies: number[]): Promise<number> {
  const start = performance.now();
  const end = start + SLICE_MS;
  for (let now = start; now < end; ) {
    await op();
    const after = performance.now();
    latencies.push(after - now);
    now = after;
  }
  return performance.now() - start;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

redirect(stderrSink);
const dir = mkdtempSync(join(tmpdir(), 'ions-bench-backends-'));
const postgres = await startPostgres();
const aws = await startAwsStandIns();
const awsPair = aws.clients();
try {
  const contenders: Contender[] = [
    { name: 'file', storage: fileStorage(join(dir, 'file')) },
    { name: 'postgres', storage: postgresStorage({ connectionString: postgres.connectionString, schema: postgres.freshSchema() }) },
    { name: 'dynamodb+s3', storage: dynamoStorage({ tableName: await aws.freshTable(awsPair.dynamo), bucket: aws.bucket, ...awsPair }) },
  ].map((c) => ({ ...c, appends: [], transactions: [], appendMs: 0, transactMs: 0 }));

  for (const c of contenders) {
    const db = (c.db = await c.storage.open('raw'));
    for (let i = 0; i < WARM_UP; i++) await db.append(await db.lastT(), [{ t: (await db.lastT()) + 1, data: entryBytes }]);
    c.conn = await connect({ storage: c.storage, db: 'people', checkpoint: false });
    await c.conn.transact(personSchema);
    for (let i = 0; i < WARM_UP; i++) await c.conn.transact([person(i)]);
  }
  let n = WARM_UP;
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of contenders) {
      const db = c.db!;
      let t = await db.lastT();
      c.appendMs += await slice(() => db.append(t, [{ t: ++t, data: entryBytes }]), c.appends);
    }
    for (const c of contenders) c.transactMs += await slice(() => c.conn!.transact([person(n++)]), c.transactions);
  }
  for (const c of contenders) await c.conn!.close();
  for (const c of contenders) await c.storage.close();

  const [file] = contenders;
  const rate = (count: number, ms: number): number => (count / ms) * 1000;
  const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');
  const rows = (kind: 'appends' | 'transactions', ms: 'appendMs' | 'transactMs'): string =>
    contenders
      .map((c) => {
        const tps = rate(c[kind].length, c[ms]);
        const p50 = quantile(c[kind], 0.5);
        const p99 = quantile(c[kind], 0.99);
        const base = { tps: rate(file![kind].length, file![ms]), p99: quantile(file![kind], 0.99) };
        const ratio = c === file ? 'baseline' : `${(tps / base.tps).toFixed(2)}x file's rate, ${(p99 / base.p99).toFixed(1)}x its p99`;
        return `| ${c.name} | ${fmt(tps)} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${ratio} |`;
      })
      .join('\n');
  console.log(`## backends

Command: \`npx tsx bench/backends/run.ts\` (${ROUNDS} rounds of alternating ${SLICE_MS} ms slices per backend, sequential, one writer)

Appends straight to the storage, one 200-byte entry each:

| backend | appends/s | p50 ms | p99 ms | against file |
|---|---:|---:|---:|---|
${rows('appends', 'appendMs')}

Transactions through connect(), one 3-attribute entity each:

| backend | transactions/s | p50 ms | p99 ms | against file |
|---|---:|---:|---:|---|
${rows('transactions', 'transactMs')}
`);
} finally {
  awsPair.dynamo.destroy();
  awsPair.s3.destroy();
  await aws.stop();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
