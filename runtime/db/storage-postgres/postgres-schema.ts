// The tables one PostgreSQL schema holds for every database stored in it:
//   ions_databases  one row per database: the log's last t (the compare-and-set target), the root
//                   pointer and the writer lease (in the same row, so a fenced append checks it atomically)
//   ions_log        the log, one row per entry, primary key (db, t), each with the random id of the
//                   append that wrote it (postgres-storage.ts says why); rows from before ids have none
//   ions_blobs      immutable blobs, primary key (db, key), key = SHA-256 of bytes; stored_at is the
//                   latest put (garbage collection spares young blobs), by the server's clock
import type { Pool } from 'pg';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The quoted schema identifier, after checking it is a plain lower-case SQL name. */
export function quoteSchema(schema: string): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new TypeError(`bad PostgreSQL schema name ${JSON.stringify(schema)}: use 1-63 lower-case letters, digits or '_', not starting with a digit`);
  }
  return `"${schema}"`;
}

// Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog, so creators take this lock first.
const SCHEMA_LOCK = 0x10_45_2d_5c;

/** Creates the schema and its tables unless they exist; safe to run from many processes at once. */
export async function createTables(pool: Pool, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.ions_databases (
      name text PRIMARY KEY,
      last_t bigint NOT NULL DEFAULT 0,
      root_t bigint,
      root_blob text,
      lease_owner text,
      lease_epoch bigint,
      lease_expires bigint,
      CHECK ((root_t IS NULL) = (root_blob IS NULL)),
      CHECK ((lease_epoch IS NULL) = (lease_owner IS NULL) AND (lease_epoch IS NULL) = (lease_expires IS NULL)))`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.ions_log (
      db text NOT NULL,
      t bigint NOT NULL,
      data bytea NOT NULL,
      append_id text,
      PRIMARY KEY (db, t))`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.ions_blobs (
      db text NOT NULL,
      key text NOT NULL,
      bytes bytea NOT NULL,
      stored_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (db, key))`);
    // Tables made before blobs had stored_at gain it; their existing blobs count as stored now.
    await client.query(`ALTER TABLE ${s}.ions_blobs ADD COLUMN IF NOT EXISTS stored_at timestamptz NOT NULL DEFAULT now()`);
    await client.query(`ALTER TABLE ${s}.ions_log ADD COLUMN IF NOT EXISTS append_id text`);
    await client.query('COMMIT');
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    // A client whose transaction failed is dropped rather than returned mid-transaction to the pool.
    client.release(failure);
  }
}
