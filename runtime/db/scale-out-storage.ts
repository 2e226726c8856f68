// The scale-out backends as the public API offers them. Every node imports the public runtime (revisions
// read it as their host modules), so these load `pg` or the AWS SDK on first use, never before: a node
// on file storage does not pay for drivers it never calls. Options are checked on that first use too.
import type { PostgresStorageOptions } from './storage-postgres/postgres-storage.js';
import type { DynamoStorageOptions } from './storage-dynamodb/dynamo-storage.js';
import type { Storage } from './storage/storage.js';

export type { PostgresStorageOptions, DynamoStorageOptions };
/** The table dynamoStorage expects (no SDK code: a plain CreateTable input). */
export { dynamoTableDefinition } from './storage-dynamodb/dynamo-layout.js';

/** A storage whose backend module is imported the first time a database is opened. */
function loadedOnFirstUse(load: () => Promise<Storage>): Storage {
  let loading: Promise<Storage> | undefined;
  let closed = false;
  return {
    async open(db) {
      if (closed) throw new Error(`storage is closed: cannot open ${db}`);
      return (await (loading ??= load())).open(db);
    },
    async close() {
      closed = true;
      // Nothing to close when no database was ever opened; a backend that failed to load holds nothing.
      const storage = await loading?.catch(() => undefined);
      await storage?.close();
    },
  };
}

/** Databases in PostgreSQL (see storage-postgres/postgres-storage.ts). */
export function postgresStorage(options: PostgresStorageOptions): Storage {
  return loadedOnFirstUse(async () => (await import('./storage-postgres/postgres-storage.js')).postgresStorage(options));
}

/** Databases in DynamoDB and S3 (see storage-dynamodb/dynamo-storage.ts). */
export function dynamoStorage(options: DynamoStorageOptions): Storage {
  return loadedOnFirstUse(async () => (await import('./storage-dynamodb/dynamo-storage.js')).dynamoStorage(options));
}
