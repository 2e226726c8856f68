// Kills a writer process with SIGKILL at random moments, then recovers and checks that the database
// holds every acknowledged transaction, no partial one, and a prefix of what was attempted.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { connect } from '../../../runtime/db/connection.js';
import { kw } from '../../../runtime/db/edn-names.js';
import { fileStorage } from '../../../runtime/db/storage/index.js';
import type { Database } from '../../../runtime/db/types.js';

const ROUNDS = 6;
/** No new round starts after this; the test stays bounded on a loaded machine. */
const BUDGET_MS = 15_000;
const WRITER = join(import.meta.dirname, 'crash-writer.ts');

interface Round {
  readonly acked: number[];
}

// One writer run: killed at a random moment between 30 and 400 ms after it is ready.
function runWriter(dir: string, start: number): Promise<Round> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(start), '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: number[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), 30 + Math.random() * 370);
    else if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ acked });
      else reject(new Error(`writer exited with ${code} before it was killed: ${stderr}`));
    });
  });
}

function numbered(db: Database): Map<number, Map<number, unknown>> {
  const n = db.entid(kw(':crash/n'))!;
  const check = db.entid(kw(':crash/check'))!;
  const entities = new Map<number, Map<number, unknown>>();
  for (const a of [n, check]) {
    for (const d of db.datoms('aevt', a)) {
      if (!entities.has(d.e)) entities.set(d.e, new Map());
      entities.get(d.e)!.set(a, d.v);
    }
  }
  return entities;
}

it('recovers exactly the acknowledged transactions after kill -9, round after round', { timeout: 40_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ions-crash-'));
  try {
    let count = 0;
    let maxAcked = -1;
    let totalAcked = 0;
    const started = Date.now();
    for (let round = 0; round < ROUNDS && (round < 2 || Date.now() - started < BUDGET_MS); round++) {
      const { acked } = await runWriter(dir, count);
      totalAcked += acked.length;
      maxAcked = Math.max(maxAcked, ...acked);

      const storage = fileStorage(dir);
      const conn = await connect({ storage, db: 'crash' });
      const db = conn.db();
      const nAttr = db.entid(kw(':crash/n'));
      if (nAttr === undefined) {
        expect(acked).toEqual([]);
      } else {
        const ns: number[] = [];
        for (const attrs of numbered(db).values()) {
          const n = attrs.get(nAttr) as number;
          expect(attrs.get(db.entid(kw(':crash/check'))!), `entity ${n} is whole`).toBe(-n);
          ns.push(n);
        }
        ns.sort((a, b) => a - b);
        expect(ns, 'a prefix of the attempted sequence').toEqual(ns.map((_, i) => i));
        expect(ns.length, `holds every acknowledged one (up to ${maxAcked})`).toBeGreaterThan(maxAcked);
        count = ns.length;
      }
      await conn.close();
      await storage.close();
    }
    expect(totalAcked).toBeGreaterThan(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
