// Databases in PostgreSQL through `pg` (the tables are in postgres-schema.ts). An append is one
// statement: it moves ions_databases.last_t from the expected t to the new one (and, when fenced,
// only while lease_epoch is the fence's) and inserts the entries only if that row matched, so it is
// atomic, and two writers expecting the same tail serialize on the row lock: the second sees the
// moved t, matches nothing and gets a StorageConflictError. A commit returns once PostgreSQL has
// flushed its WAL (synchronous_commit, the server default).
//
// A connection may break after the server committed an append and before its answer reached the
// writer. The writer then cannot tell from the error whether the append landed, and reporting it failed
// would have its caller transact a second time. So each append writes a random id of its own into its
// rows, and a writer whose connection broke mid-append reads the row at its last t on another
// connection: its id there means the append landed, and it is reported done. The entries cannot tell
// by themselves: they are opaque bytes that name no writer, and two writers that append at the same t
// may append equal bytes (the same transaction data in the same millisecond).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { alert, event } from '../../cast/index.js';
import { blobKey, checkBlobKey } from '../storage/blob-key.js';
import { LeaseLostError, StorageConflictError, StorageCorruptError, StorageUnavailableError } from '../storage/errors.js';
import {
  checkAppend,
  checkDatabaseName,
  checkLeaseChange,
  type AppendFence,
  type BlobKey,
  type DatabaseStorage,
  type Lease,
  type LogRecord,
  type RootPointer,
  type Storage,
  type StoredBlob,
} from '../storage/storage.js';
import { describeServer, lostMidStatement, redact, storageError, type ServerDescription } from './postgres-errors.js';
import { createTables, quoteSchema } from './postgres-schema.js';

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database`; a pool is made from it and ended on close. */
  readonly connectionString?: string;
  /** A pool the caller owns (and ends): used as given, left open on close. */
  readonly pool?: pg.Pool;
  /** The schema holding the tables, created if missing; default `public`. */
  readonly schema?: string;
  /** Rows fetched per round trip while reading the log or listing blobs; default 256. */
  readonly pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 256;

interface Queries {
  readonly lastT: string;
  readonly append: string;
  readonly appendIdAt: string;
  readonly page: string;
  readonly putBlob: string;
  readonly getBlob: string;
  readonly listBlobs: string;
  readonly deleteBlob: string;
  readonly getRoot: string;
  readonly createRoot: string;
  readonly moveRoot: string;
  readonly getLease: string;
  readonly createLease: string;
  readonly moveLease: string;
  readonly addDatabase: string;
}

function queries(schema: string): Queries {
  const s = quoteSchema(schema);
  return {
    lastT: `SELECT last_t, lease_owner, lease_epoch, lease_expires FROM ${s}.ions_databases WHERE name = $1`,
    append: `WITH head AS (UPDATE ${s}.ions_databases SET last_t = $3
        WHERE name = $1 AND last_t = $2 AND ($6::bigint IS NULL OR lease_epoch = $6) RETURNING name)
      INSERT INTO ${s}.ions_log (db, t, data, append_id)
        SELECT head.name, e.t, e.data, $7 FROM head, unnest($4::bigint[], $5::bytea[]) AS e(t, data)`,
    appendIdAt: `SELECT append_id FROM ${s}.ions_log WHERE db = $1 AND t = $2`,
    page: `SELECT t, data FROM ${s}.ions_log WHERE db = $1 AND t > $2 AND t <= $3 ORDER BY t LIMIT $4`,
    // Re-putting touches only stored_at: the bytes under a key never change.
    putBlob: `INSERT INTO ${s}.ions_blobs (db, key, bytes) VALUES ($1, $2, $3) ON CONFLICT (db, key) DO UPDATE SET stored_at = now()`,
    getBlob: `SELECT bytes FROM ${s}.ions_blobs WHERE db = $1 AND key = $2`,
    listBlobs: `SELECT key, (extract(epoch FROM stored_at) * 1000)::float8 AS stored_at_ms FROM ${s}.ions_blobs
      WHERE db = $1 AND key > $2 ORDER BY key LIMIT $3`,
    deleteBlob: `DELETE FROM ${s}.ions_blobs WHERE db = $1 AND key = $2`,
    getRoot: `SELECT root_t, root_blob FROM ${s}.ions_databases WHERE name = $1`,
    createRoot: `UPDATE ${s}.ions_databases SET root_t = $2, root_blob = $3 WHERE name = $1 AND root_t IS NULL`,
    moveRoot: `UPDATE ${s}.ions_databases SET root_t = $2, root_blob = $3 WHERE name = $1 AND root_t = $4 AND root_blob = $5`,
    getLease: `SELECT lease_owner, lease_epoch, lease_expires FROM ${s}.ions_databases WHERE name = $1`,
    createLease: `UPDATE ${s}.ions_databases SET lease_owner = $2, lease_epoch = $3, lease_expires = $4 WHERE name = $1 AND lease_epoch IS NULL`,
    moveLease: `UPDATE ${s}.ions_databases SET lease_owner = $2, lease_epoch = $3, lease_expires = $4
      WHERE name = $1 AND lease_owner = $5 AND lease_epoch = $6 AND lease_expires = $7`,
    addDatabase: `INSERT INTO ${s}.ions_databases (name) VALUES ($1) ON CONFLICT DO NOTHING`,
  };
}

/** What every database of one storage shares. */
interface Shared {
  readonly pool: pg.Pool;
  readonly sql: Queries;
  readonly server: ServerDescription;
  readonly pageSize: number;
  /** Prefix of prepared statement names, distinct per schema since the same name must mean the same text. */
  readonly statement: string;
}

const bytea = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** 64 random bits: two appends to the same t never draw the same id in practice. */
const newAppendId = (): string => randomBytes(8).toString('hex');

/** A checked-out client whose connection breaks emits 'error' besides failing its query; the query's failure is what is reported. */
const ignoreClientError = (): void => {};

class PostgresDatabase implements DatabaseStorage {
  private closed = false;

  constructor(
    readonly name: string,
    private readonly shared: Shared,
  ) {}

  private async query<R extends pg.QueryResultRow>(what: string, statement: keyof Queries, values: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.closed) throw new Error(`${what}: storage of database ${this.name} is closed`);
    const { pool, sql, server, statement: prefix } = this.shared;
    try {
      return await pool.query<R>({ name: `${prefix}${statement}`, text: sql[statement], values });
    } catch (error) {
      throw storageError(error, what, server);
    }
  }

  private async head(what: string): Promise<{ lastT: number; lease: Lease | undefined }> {
    const result = await this.query<LeaseRow & { last_t: string }>(what, 'lastT', [this.name]);
    const row = result.rows[0];
    return { lastT: Number(row?.last_t ?? 0), lease: leaseOf(row) };
  }

  async lastT(): Promise<number> {
    return (await this.head(`reading the last t of ${this.name}`)).lastT;
  }

  async append(expectedLastT: number, entries: readonly LogRecord[], fence?: AppendFence): Promise<void> {
    checkAppend(this.name, expectedLastT, entries);
    const what = `append to ${this.name}`;
    if (entries.length > 0 && (await this.insertEntries(what, expectedLastT, entries, fence)) === entries.length) return;
    // Nothing was appended (or nothing was asked): say why, the lease first as the contract orders it.
    const head = await this.head(what);
    if (fence !== undefined && head.lease?.epoch !== fence.epoch) throw new LeaseLostError(this.name, fence.epoch, head.lease);
    if (head.lastT !== expectedLastT) throw new StorageConflictError(`log of ${this.name} ends at t ${head.lastT}, not at the expected ${expectedLastT}`);
    if (entries.length > 0) throw new Error(`${what}: PostgreSQL ${this.shared.server.label} matched the expected tail and lease yet inserted no entries`);
  }

  /**
   * Runs the append statement and answers how many entries it inserted. When the connection breaks with
   * the statement out, the row at the last entry's t tells: if it carries this append's id, the append
   * landed whole (it is one statement), otherwise the failure is reported as it came. When that row
   * cannot be read, the append may have landed: that is no conflict (which would have the connection
   * retry on top of the append) but an unavailable storage that says so.
   */
  private async insertEntries(what: string, expectedLastT: number, entries: readonly LogRecord[], fence: AppendFence | undefined): Promise<number> {
    if (this.closed) throw new Error(`${what}: storage of database ${this.name} is closed`);
    const { pool, sql, server, statement: prefix } = this.shared;
    const lastT = entries.at(-1)!.t;
    const id = newAppendId();
    const values = [this.name, expectedLastT, lastT, entries.map((entry) => entry.t), entries.map((entry) => bytea(entry.data)), fence?.epoch ?? null, id];
    // A connection of its own, so that a failure to connect (the statement never went out) is told
    // apart from a failure of the statement.
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw storageError(error, what, server);
    }
    client.on('error', ignoreClientError);
    let failure: unknown;
    try {
      const result = await client.query({ name: `${prefix}append`, text: sql.append, values });
      client.off('error', ignoreClientError);
      client.release();
      return result.rowCount ?? 0;
    } catch (error) {
      failure = error;
      // The listener stays: a client given up on may still report its broken connection.
      client.release(error as Error);
    }
    const reported = storageError(failure, what, server);
    if (!lostMidStatement(failure)) throw reported;
    let held: string | null | undefined;
    try {
      held = (await this.query<{ append_id: string | null }>(what, 'appendIdAt', [this.name, lastT])).rows[0]?.append_id;
    } catch (error) {
      throw new StorageUnavailableError(`${reported.message}; the connection broke with the append out, so it may have landed, and reading the log back to tell failed`, {
        cause: error,
      });
    }
    if (held !== id) throw reported;
    event({ msg: 'db.postgres/append-landed-answer-lost', db: this.name, t: lastT });
    return entries.length;
  }

  async *readLog(afterT: number, untilT = Number.MAX_SAFE_INTEGER): AsyncIterable<LogRecord> {
    let from = afterT;
    for (;;) {
      const result = await this.query<{ t: string; data: Buffer }>(`reading the log of ${this.name} after t ${from}`, 'page', [
        this.name,
        from,
        Math.min(untilT, Number.MAX_SAFE_INTEGER),
        this.shared.pageSize,
      ]);
      for (const row of result.rows) yield { t: Number(row.t), data: row.data };
      if (result.rows.length < this.shared.pageSize) return;
      from = Number(result.rows.at(-1)!.t);
    }
  }

  async putBlob(bytes: Uint8Array): Promise<BlobKey> {
    const key = blobKey(bytes);
    await this.query(`storing blob ${key} of ${this.name}`, 'putBlob', [this.name, key, bytea(bytes)]);
    return key;
  }

  async getBlob(key: BlobKey): Promise<Uint8Array> {
    checkBlobKey(key);
    const result = await this.query<{ bytes: Buffer }>(`reading blob ${key} of ${this.name}`, 'getBlob', [this.name, key]);
    const where = `PostgreSQL ${this.shared.server.label} ions_blobs (${this.name}, ${key})`;
    const bytes = result.rows[0]?.bytes;
    if (bytes === undefined) throw new StorageCorruptError(`blob ${key} of ${this.name} is missing`, where);
    if (blobKey(bytes) !== key) throw new StorageCorruptError(`blob of ${this.name} does not match its SHA-256`, where);
    return bytes;
  }

  async *listBlobs(): AsyncIterable<StoredBlob> {
    // Pages in key order, so a database with millions of blobs never sits in memory as one result.
    let after = '';
    for (;;) {
      const result = await this.query<{ key: string; stored_at_ms: number }>(`listing the blobs of ${this.name}`, 'listBlobs', [
        this.name,
        after,
        this.shared.pageSize,
      ]);
      for (const row of result.rows) yield { key: row.key, storedAt: Math.floor(row.stored_at_ms) };
      if (result.rows.length < this.shared.pageSize) return;
      after = result.rows.at(-1)!.key;
    }
  }

  async deleteBlob(key: BlobKey): Promise<void> {
    checkBlobKey(key);
    await this.query(`deleting blob ${key} of ${this.name}`, 'deleteBlob', [this.name, key]);
  }

  async getRoot(): Promise<RootPointer | undefined> {
    const result = await this.query<{ root_t: string | null; root_blob: string | null }>(`reading the root of ${this.name}`, 'getRoot', [this.name]);
    const row = result.rows[0];
    return row?.root_t == null || row.root_blob == null ? undefined : { t: Number(row.root_t), blob: row.root_blob };
  }

  async casRoot(expected: RootPointer | undefined, next: RootPointer): Promise<void> {
    const blob = checkBlobKey(next.blob);
    const what = `moving the root of ${this.name}`;
    const result =
      expected === undefined
        ? await this.query(what, 'createRoot', [this.name, next.t, blob])
        : await this.query(what, 'moveRoot', [this.name, next.t, blob, expected.t, expected.blob]);
    if (result.rowCount !== 1) {
      const root = await this.getRoot();
      throw new StorageConflictError(`root of ${this.name} is ${JSON.stringify(root)}, not the expected ${JSON.stringify(expected)}`);
    }
  }

  async getLease(): Promise<Lease | undefined> {
    return leaseOf((await this.query<LeaseRow>(`reading the lease of ${this.name}`, 'getLease', [this.name])).rows[0]);
  }

  async casLease(expected: Lease | undefined, next: Lease): Promise<void> {
    const lease = checkLeaseChange(this.name, expected, next);
    const what = `moving the lease of ${this.name}`;
    const values = [this.name, lease.owner, lease.epoch, lease.expiresAt];
    const result =
      expected === undefined
        ? await this.query(what, 'createLease', values)
        : await this.query(what, 'moveLease', [...values, expected.owner, expected.epoch, expected.expiresAt]);
    if (result.rowCount !== 1) {
      const current = await this.getLease();
      throw new StorageConflictError(`lease of ${this.name} is ${JSON.stringify(current)}, not the expected ${JSON.stringify(expected)}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

interface LeaseRow {
  readonly lease_owner: string | null;
  readonly lease_epoch: string | null;
  readonly lease_expires: string | null;
}

function leaseOf(row: LeaseRow | undefined): Lease | undefined {
  if (row?.lease_owner == null || row.lease_epoch == null || row.lease_expires == null) return undefined;
  return { owner: row.lease_owner, epoch: Number(row.lease_epoch), expiresAt: Number(row.lease_expires) };
}

/**
 * Databases in the PostgreSQL server named by `connectionString` (or reached through `pool`), in the
 * tables of `schema`. Give exactly one of connectionString and pool.
 */
export function postgresStorage(options: PostgresStorageOptions): Storage {
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw new TypeError('postgresStorage: give exactly one of connectionString and pool');
  }
  const schema = options.schema ?? 'public';
  const sql = queries(schema);
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError(`postgresStorage: pageSize ${pageSize} must be a positive integer`);
  const owned = options.pool === undefined;
  const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString });
  const server = describeServer(options.connectionString === undefined ? pool.options : { connectionString: options.connectionString });
  // An idle pooled client whose server went away emits 'error'; unheard, that would end the process.
  // The next query on the pool reports the outage to its caller.
  const onIdleError = (error: Error): void => {
    alert({ msg: 'db.postgres/idle-client-error', server: server.label, ex: redact(error.message, server) });
  };
  pool.on('error', onIdleError);
  const shared: Shared = { pool, sql, server, pageSize, statement: `ions-${schema}-` };

  let tables: Promise<void> | undefined;
  const databases = new Map<string, Promise<PostgresDatabase>>();
  let closed = false;

  async function openDatabase(name: string): Promise<PostgresDatabase> {
    try {
      tables ??= createTables(pool, schema);
      await tables;
      await pool.query(sql.addDatabase, [name]);
    } catch (error) {
      tables = undefined;
      throw storageError(error, `opening database ${name}`, server);
    }
    return new PostgresDatabase(name, shared);
  }

  return {
    async open(db) {
      const name = checkDatabaseName(db);
      if (closed) throw new Error(`postgresStorage on ${server.label} is closed: cannot open ${name}`);
      let opening = databases.get(name);
      if (opening === undefined) {
        opening = openDatabase(name);
        databases.set(name, opening);
        opening.catch(() => databases.delete(name));
      }
      return opening;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const opening of databases.values()) await (await opening.catch(() => undefined))?.close();
      databases.clear();
      // pool.end() resolves while its clients are still saying goodbye, and one may yet report an error:
      // an owned pool keeps its listener for good.
      if (owned) await pool.end();
      else pool.off('error', onIdleError);
    },
  };
}
