// bench/durable: durable writes. Sequential single-entity transactions on the file storage against
// SQLite (better-sqlite3, WAL, synchronous=FULL) inserting one row of the same fields per transaction,
// in the same run; then 8 concurrent writers against sequential on ours (group commit).
// Each contender runs in alternating slices so that load from elsewhere on the machine (disk
// contention above all) hits all of them. Rates are medians over the slices; ratios are medians of
// the per-round ratios, so a burst of load elsewhere moves both sides of a ratio together.
// Run alone: npx tsx bench/durable/run.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { redirect, stderrSink } from '../../runtime/cast/index.js';
import { connect, type Connection } from '../../runtime/db/connection.js';
import { person, personSchema } from '../support/person-writes.js';
import { fileStorage, type Storage } from '../../runtime/db/storage/index.js';

const SLICE_MS = 200;
const SLICES = 20;


/** Transactions per second of each slice a contender ran. */
type Rates = number[];

async function timed(rates: Rates, body: (deadline: number) => Promise<number> | number): Promise<void> {
  const start = performance.now();
  const count = await body(start + SLICE_MS);
  rates.push((count / (performance.now() - start)) * 1000);
}

function median(rates: Rates): number {
  const sorted = [...rates].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// Checkpoint events go to stderr so stdout holds only the results.
redirect(stderrSink);
const dir = mkdtempSync(join(tmpdir(), 'ions-bench-durable-'));
try {
  // SQLite: one autocommit INSERT per transaction, fsynced by WAL with synchronous=FULL.
  const sqlite = new Sqlite(join(dir, 'people.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.exec('CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, age INTEGER, email TEXT, tx_instant INTEGER)');
  const insert = sqlite.prepare('INSERT INTO person (name, age, email, tx_instant) VALUES (?, ?, ?, ?)');
  let sqliteN = 0;

  let syncs = 0;
  const storage: Storage = fileStorage(join(dir, 'ions'), { onSync: () => void (syncs += 1) });
  const seq: Connection = await connect({ storage, db: 'sequential' });
  const con: Connection = await connect({ storage, db: 'concurrent' });
  await seq.transact(personSchema);
  await con.transact(personSchema);
  let seqN = 0;
  let conN = 0;

  const tallies: Record<'sqlite' | 'sequential' | 'concurrent', Rates> = { sqlite: [], sequential: [], concurrent: [] };
  let concurrentSyncs = 0;
  let concurrentTxs = 0;
  for (let slice = 0; slice < SLICES; slice++) {
    await timed(tallies.sqlite, (deadline) => {
      let n = 0;
      while (performance.now() < deadline) {
        const i = sqliteN++;
        insert.run(`person ${i}`, i % 100, `p${i}@example.com`, Date.now());
        n += 1;
      }
      return n;
    });
    await timed(tallies.sequential, async (deadline) => {
      let n = 0;
      while (performance.now() < deadline) {
        await seq.transact([person(seqN++)]);
        n += 1;
      }
      return n;
    });
    const syncsBefore = syncs;
    await timed(tallies.concurrent, async (deadline) => {
      const counts = await Promise.all(
        Array.from({ length: 8 }, async () => {
          let n = 0;
          while (performance.now() < deadline) {
            await con.transact([person(conN++)]);
            n += 1;
          }
          return n;
        }),
      );
      const total = counts.reduce((a, b) => a + b, 0);
      concurrentTxs += total;
      return total;
    });
    concurrentSyncs += syncs - syncsBefore;
  }
  await seq.close();
  await con.close();
  await storage.close();
  sqlite.close();

  const r = { sqlite: median(tallies.sqlite), sequential: median(tallies.sequential), concurrent: median(tallies.concurrent) };
  const versusSqlite = median(tallies.sequential.map((rate, i) => rate / tallies.sqlite[i]!));
  const versusSequential = median(tallies.concurrent.map((rate, i) => rate / tallies.sequential[i]!));
  const row = (name: string, value: number, note: string): string => `| ${name} | ${Math.round(value).toLocaleString('en-US')} | ${note} |`;
  console.log(`## durable

Command: \`npx tsx bench/durable/run.ts\` (${SLICES} rounds of alternating ${SLICE_MS} ms slices per contender; medians)

| contender | transactions/s | note |
|---|---:|---|
${row('SQLite WAL synchronous=FULL, 1 row per tx', r.sqlite, 'peer')}
${row('ions fileStorage, sequential, 1 entity per tx', r.sequential, `${versusSqlite.toFixed(2)}x SQLite (target >= 1x)`)}
${row('ions fileStorage, 8 concurrent writers', r.concurrent, `${versusSequential.toFixed(2)}x sequential (target >= 4x); ${(concurrentTxs / concurrentSyncs).toFixed(1)} tx per fsync`)}
`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
