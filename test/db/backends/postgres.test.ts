// The PostgreSQL backend against a real server: embedded PostgreSQL on loopback, or IONS_PG_URL.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../../runtime/db/storage/index.js';
import { postgresStorage } from '../../../runtime/db/storage-postgres/index.js';
import { conformance, type Backend } from './conformance.js';
import { connectionRoundTrip } from './end-to-end.js';
import { freePort, startPostgres, startTcpProxy, type PostgresServer } from './servers.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

const postgres: Backend = {
  name: 'postgres',
  durable: true,
  async fresh() {
    const schema = server.freshSchema();
    return {
      // Each instance has its own pool, as separate processes would.
      storage: () => postgresStorage({ connectionString: server.connectionString, schema }),
      async corruptBlob(db, key, bytes) {
        const result = await sql(`UPDATE "${schema}".ions_blobs SET bytes = $3 WHERE db = $1 AND key = $2`, [db, key, Buffer.from(bytes)]);
        expect(result.rowCount).toBe(1);
      },
    };
  },
};

conformance(postgres);

describe('postgres storage', () => {
  connectionRoundTrip(postgres);

  it('reads the log in pages of the configured size', async () => {
    const storage = postgresStorage({ connectionString: server.connectionString, schema: server.freshSchema(), pageSize: 3 });
    try {
      const db = await storage.open('paged');
      await db.append(0, Array.from({ length: 10 }, (_, i) => ({ t: i + 1, data: new Uint8Array([i]) })));
      const seen: number[] = [];
      for await (const { t, data } of db.readLog(1, 9)) seen.push(t * 100 + data[0]!);
      expect(seen).toEqual([201, 302, 403, 504, 605, 706, 807, 908]);
    } finally {
      await storage.close();
    }
  });

  it('lists blobs in pages of the configured size', async () => {
    const storage = postgresStorage({ connectionString: server.connectionString, schema: server.freshSchema(), pageSize: 2 });
    try {
      const db = await storage.open('paged');
      const keys = await Promise.all(Array.from({ length: 5 }, (_, i) => db.putBlob(new Uint8Array([i]))));
      const listed: string[] = [];
      for await (const blob of db.listBlobs!()) listed.push(blob.key);
      expect(listed).toEqual([...keys].sort());
    } finally {
      await storage.close();
    }
  });

  it('gives blobs stored before stored_at existed a storedAt when it opens their schema', async () => {
    const schema = server.freshSchema();
    const key = 'a'.repeat(64);
    await sql(`CREATE SCHEMA "${schema}"`);
    await sql(`CREATE TABLE "${schema}".ions_blobs (db text NOT NULL, key text NOT NULL, bytes bytea NOT NULL, PRIMARY KEY (db, key))`);
    await sql(`INSERT INTO "${schema}".ions_blobs (db, key, bytes) VALUES ('old', $1, '\\x00')`, [key]);
    const before = Date.now();
    const storage = postgresStorage({ connectionString: server.connectionString, schema });
    try {
      const db = await storage.open('old');
      const listed = [];
      for await (const blob of db.listBlobs!()) listed.push(blob);
      expect(listed.map((blob) => blob.key)).toEqual([key]);
      expect(listed[0]!.storedAt).toBeGreaterThanOrEqual(before - 1_000);
    } finally {
      await storage.close();
    }
  });

  it('appends on after a log written before appends carried ids, whose rows keep none', async () => {
    const schema = server.freshSchema();
    await sql(`CREATE SCHEMA "${schema}"`);
    await sql(`CREATE TABLE "${schema}".ions_log (db text NOT NULL, t bigint NOT NULL, data bytea NOT NULL, PRIMARY KEY (db, t))`);
    await sql(`INSERT INTO "${schema}".ions_log (db, t, data) VALUES ('old', 1, '\\x01')`);
    await sql(`CREATE TABLE "${schema}".ions_databases (name text PRIMARY KEY, last_t bigint NOT NULL DEFAULT 0, root_t bigint, root_blob text,
      lease_owner text, lease_epoch bigint, lease_expires bigint)`);
    await sql(`INSERT INTO "${schema}".ions_databases (name, last_t) VALUES ('old', 1)`);
    const storage = postgresStorage({ connectionString: server.connectionString, schema });
    try {
      const db = await storage.open('old');
      await db.append(1, [{ t: 2, data: new Uint8Array([2]) }]);
      const seen: number[] = [];
      for await (const { t, data } of db.readLog(0)) seen.push(t * 100 + data[0]!);
      expect(seen).toEqual([101, 202]);
      const ids = await sql(`SELECT t, append_id FROM "${schema}".ions_log ORDER BY t`);
      expect(ids.rows.map((row) => [Number(row.t), typeof row.append_id])).toEqual([
        [1, 'object'],
        [2, 'string'],
      ]);
    } finally {
      await storage.close();
    }
  });

  it('creates its tables once when many storages open a new schema at the same moment', async () => {
    const schema = server.freshSchema();
    const storages = Array.from({ length: 4 }, () => postgresStorage({ connectionString: server.connectionString, schema }));
    try {
      const dbs = await Promise.all(storages.map((storage) => storage.open('shared')));
      await dbs[0]!.append(0, [{ t: 1, data: new Uint8Array([1]) }]);
      expect(await Promise.all(dbs.map((db) => db.lastT()))).toEqual([1, 1, 1, 1]);
      const tables = await sql('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]);
      expect(tables.rows.map((row) => row.table_name)).toEqual(['ions_blobs', 'ions_databases', 'ions_log']);
    } finally {
      for (const storage of storages) await storage.close();
    }
  });

  it('leaves a pool it was given open on close', async () => {
    const pool = new pg.Pool({ connectionString: server.connectionString });
    try {
      const storage = postgresStorage({ pool, schema: server.freshSchema() });
      await (await storage.open('pooled')).append(0, [{ t: 1, data: new Uint8Array([1]) }]);
      await storage.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('says a server it cannot reach is unavailable, retryable, without the password', async () => {
    const port = await freePort();
    const storage = postgresStorage({ connectionString: `postgres://ions:hunter2-secret@127.0.0.1:${port}/postgres` });
    try {
      const opening = storage.open('app');
      await expect(opening).rejects.toBeInstanceOf(StorageUnavailableError);
      const error = (await opening.catch((e: unknown) => e)) as StorageUnavailableError;
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(new RegExp(`opening database app on PostgreSQL ions@127\\.0\\.0\\.1:${port}/postgres failed: ECONNREFUSED`));
      expect(JSON.stringify(error) + error.message + String(error.stack)).not.toContain('hunter2');
    } finally {
      await storage.close();
    }
  });

  it('fails with a retryable error while the server is away and works again once it is back', async () => {
    const url = new URL(server.connectionString);
    const proxy = await startTcpProxy(Number(url.port));
    url.port = String(proxy.port);
    const storage = postgresStorage({ connectionString: url.toString(), schema: server.freshSchema() });
    try {
      const db = await storage.open('outage');
      await db.append(0, [{ t: 1, data: new Uint8Array([1]) }]);
      await proxy.cut();
      const failed = (await db.append(1, [{ t: 2, data: new Uint8Array([2]) }]).catch((e: unknown) => e)) as Error;
      expect(failed).toBeInstanceOf(StorageUnavailableError);
      expect(failed.message).toMatch(/append to outage on PostgreSQL ions@127\.0\.0\.1:\d+\/postgres failed/);
      expect(failed.message).not.toContain(url.password);
      await expect(db.lastT()).rejects.toBeInstanceOf(StorageUnavailableError);
      await proxy.restore();
      await db.append(1, [{ t: 2, data: new Uint8Array([2]) }]);
      expect(await db.lastT()).toBe(2);
    } finally {
      await storage.close();
      await proxy.stop();
    }
  });

  it('turns a refused login into a plain error without the password', async () => {
    const url = new URL(server.connectionString);
    url.password = 'wrong-password-xyzzy';
    const storage = postgresStorage({ connectionString: url.toString() });
    try {
      const error = (await storage.open('app').catch((e: unknown) => e)) as Error;
      expect(error).not.toBeInstanceOf(StorageUnavailableError);
      expect(error.message).toMatch(/opening database app on PostgreSQL ions@127\.0\.0\.1:\d+\/postgres failed: 28P01: password authentication failed/);
      expect(error.message + String(error.stack)).not.toContain('xyzzy');
    } finally {
      await storage.close();
    }
  });

  it('fails calls on a database after its storage closed', async () => {
    const storage = postgresStorage({ connectionString: server.connectionString, schema: server.freshSchema() });
    const db = await storage.open('gone');
    await storage.close();
    await expect(db.lastT()).rejects.toThrow(/storage of database gone is closed/);
    await expect(storage.open('gone')).rejects.toThrow(/is closed: cannot open gone/);
  });

  it('checks its options', () => {
    expect(() => postgresStorage({})).toThrow(/exactly one of connectionString and pool/);
    expect(() => postgresStorage({ connectionString: 'postgres://x@127.0.0.1/db', schema: 'Bad-Name' })).toThrow(/bad PostgreSQL schema name "Bad-Name"/);
    expect(() => postgresStorage({ connectionString: 'postgres://x@127.0.0.1/db', pageSize: 0 })).toThrow(/pageSize 0/);
  });
});
