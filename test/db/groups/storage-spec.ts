// How a child process opens the same storage as the test: a JSON description, one case per backend
// that can be shared across processes (memory storage cannot). It travels in an environment
// variable, not argv, since it may hold a database password.
import { fileStorage, type Storage } from '../../../runtime/db/storage/index.js';
import { dynamoStorage } from '../../../runtime/db/storage-dynamodb/index.js';
import { postgresStorage } from '../../../runtime/db/storage-postgres/index.js';
import { awsClients } from '../backends/servers.js';

export type StorageSpec =
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema: string }
  | { readonly kind: 'dynamodb'; readonly table: string; readonly bucket: string; readonly prefix: string; readonly dynamoEndpoint: string; readonly s3Endpoint: string };

export const SPEC_ENV = 'IONS_GROUPS_STORAGE_SPEC';

export function openSpec(spec: StorageSpec): Storage {
  switch (spec.kind) {
    case 'file':
      return fileStorage(spec.dir);
    case 'postgres':
      return postgresStorage({ connectionString: spec.connectionString, schema: spec.schema });
    case 'dynamodb': {
      const { dynamo, s3 } = awsClients(spec.dynamoEndpoint, spec.s3Endpoint);
      const storage = dynamoStorage({ tableName: spec.table, bucket: spec.bucket, prefix: spec.prefix, dynamo, s3 });
      return {
        open: (db) => storage.open(db),
        async close() {
          await storage.close();
          dynamo.destroy();
          s3.destroy();
        },
      };
    }
  }
}
