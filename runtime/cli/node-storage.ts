// The storage a node opens. The type is the stack's (IONS_STORAGE: what it provisioned), the options
// come from the stack's config (IONS_CONFIG_PARAMETER) or, off AWS, from the revision's config. The
// backends' modules are imported only for the type in use, so a node on file storage never loads
// `pg` or the AWS SDK.
import { resolve } from 'node:path';
import type { IonsConfig, StorageConfig } from '../config/ions-config.js';
import { NODE_ENV, type NodeEnv } from '../config/node-env.js';
import { fileStorage } from '../db/storage/file-storage.js';
import { memoryStorage } from '../db/storage/memory-storage.js';
import type { Storage } from '../db/storage/storage.js';
import { readParameter } from './ssm-parameter.js';

export interface NodeStorageInput {
  settings: NodeEnv;
  /** The ions config the storage options come from, and where it was read (for errors). */
  config: IonsConfig;
  configSource: string;
  /** Where a `file` storage without its own `dir` keeps its data. */
  dataDir: string;
}

export interface NodeStorage {
  type: StorageConfig['type'];
  storage: Storage;
}

export async function openNodeStorage({ settings, config, configSource, dataDir }: NodeStorageInput): Promise<NodeStorage> {
  const configured = config.storage;
  const type = settings.storage ?? configured?.type ?? 'file';
  if (configured !== undefined && configured.type !== type) {
    throw new Error(`${NODE_ENV.storage}=${type}, but ions.storage.type in ${configSource} is ${configured.type}: deploy the stack and the revision from the same config`);
  }
  switch (type) {
    case 'memory':
      return { type, storage: memoryStorage() };
    case 'file': {
      const dir = configured?.type === 'file' ? configured.dir : undefined;
      return { type, storage: fileStorage(resolve(dir ?? dataDir)) };
    }
    case 'dynamodb': {
      if (settings.dynamo === undefined) {
        throw new Error(`dynamodb storage (${configSource}) needs ${NODE_ENV.storage}=dynamodb, ${NODE_ENV.logTable} and ${NODE_ENV.segmentsBucket} (the stack's user data writes them)`);
      }
      const { dynamoStorage } = await import('../db/storage-dynamodb/index.js');
      return { type, storage: dynamoStorage({ tableName: settings.dynamo.tableName, bucket: settings.dynamo.bucket }) };
    }
    case 'postgres': {
      const urlParameter = configured?.type === 'postgres' ? configured.urlParameter : undefined;
      if (urlParameter === undefined) throw new Error(`postgres storage needs ions.storage.urlParameter in ${configSource}: the SSM parameter holding the connection URL`);
      const connectionString = await readParameter(urlParameter, 'the PostgreSQL connection URL', { decrypt: true });
      const { postgresStorage } = await import('../db/storage-postgres/index.js');
      return { type, storage: postgresStorage({ connectionString }) };
    }
  }
}
