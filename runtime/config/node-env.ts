// The environment of a deployed node. The plugin's user data writes /etc/ions/node.env with these
// names and `ions node` reads them back through readNodeEnv: one list, so neither side can name a
// variable the other does not know.
import { PROXY_ENV } from '../protocol/proxy-env.js';
import type { StorageConfig } from './ions-config.js';

export const NODE_ENV = {
  app: PROXY_ENV.app,
  group: PROXY_ENV.group,
  port: 'IONS_PORT',
  /** SSM SecureString holding the HMAC key proxies sign with (read by runtime/proxy/secret.ts). */
  secretParameter: PROXY_ENV.secretParameter,
  /** SSM String holding the stack's ions config as JSON: the storage the stack provisioned. */
  configParameter: 'IONS_CONFIG_PARAMETER',
  storage: 'IONS_STORAGE',
  logTable: 'IONS_LOG_TABLE',
  segmentsBucket: 'IONS_SEGMENTS_BUCKET',
  /** Revisions the deploy hooks keep on disk besides the served one (groups.<g>.keepRevisions). */
  keepRevisions: 'IONS_KEEP_REVISIONS',
  /** Set on query-group nodes only: where the primary group takes transactions. */
  primaryEndpoint: 'IONS_PRIMARY_ENDPOINT',
  /** Read by the AWS SDK's clients; checked here so that a missing region fails at start, by name. */
  region: 'AWS_REGION',
} as const;

export type StorageType = StorageConfig['type'];
const STORAGE_TYPES: readonly StorageType[] = ['memory', 'file', 'postgres', 'dynamodb'];

export type EnvVars = Readonly<Record<string, string | undefined>>;

export interface NodeEnv {
  app?: string;
  group?: string;
  port?: number;
  /** Revisions the deploy hooks keep besides the served one; unset for their default. */
  keepRevisions?: number;
  configParameter?: string;
  storage?: StorageType;
  /** Present exactly when storage is dynamodb. */
  dynamo?: { tableName: string; bucket: string };
  primaryEndpoint?: string;
}

export class NodeEnvError extends Error {
  override name = 'NodeEnvError';
}

const value = (env: EnvVars, name: string): string | undefined => {
  const found = env[name];
  return found === undefined || found === '' ? undefined : found;
};

function required(env: EnvVars, name: string, why: string): string {
  const found = value(env, name);
  if (found === undefined) throw new NodeEnvError(`${name} must be set ${why}`);
  return found;
}

/** The node's settings from its environment; every variable is optional outside AWS (`ions node` on a laptop). */
export function readNodeEnv(env: EnvVars): NodeEnv {
  const settings: NodeEnv = {};
  const app = value(env, NODE_ENV.app);
  if (app !== undefined) settings.app = app;
  const group = value(env, NODE_ENV.group);
  if (group !== undefined) settings.group = group;
  const port = value(env, NODE_ENV.port);
  if (port !== undefined) {
    const n = Number(port);
    if (!/^\d+$/.test(port) || n > 65535) throw new NodeEnvError(`${NODE_ENV.port} must be a port number (0-65535), got ${JSON.stringify(port)}`);
    settings.port = n;
  }
  const keep = value(env, NODE_ENV.keepRevisions);
  if (keep !== undefined) {
    if (!/^\d+$/.test(keep) || !Number.isSafeInteger(Number(keep))) {
      throw new NodeEnvError(`${NODE_ENV.keepRevisions} must be a whole number of revisions to keep besides the served one, got ${JSON.stringify(keep)}`);
    }
    settings.keepRevisions = Number(keep);
  }
  const configParameter = value(env, NODE_ENV.configParameter);
  if (configParameter !== undefined) settings.configParameter = configParameter;
  const storage = value(env, NODE_ENV.storage);
  if (storage !== undefined) {
    if (!(STORAGE_TYPES as readonly string[]).includes(storage)) {
      throw new NodeEnvError(`${NODE_ENV.storage} must be one of ${STORAGE_TYPES.join(', ')}, got ${JSON.stringify(storage)}`);
    }
    settings.storage = storage as StorageType;
  }
  if (settings.storage === 'dynamodb') {
    settings.dynamo = {
      tableName: required(env, NODE_ENV.logTable, 'for dynamodb storage: the DynamoDB table holding the log'),
      bucket: required(env, NODE_ENV.segmentsBucket, 'for dynamodb storage: the S3 bucket holding index segments'),
    };
  } else {
    for (const name of [NODE_ENV.logTable, NODE_ENV.segmentsBucket]) {
      if (value(env, name) !== undefined) throw new NodeEnvError(`${name} is only used with ${NODE_ENV.storage}=dynamodb, not ${storage ?? 'unset'}`);
    }
  }
  const primaryEndpoint = value(env, NODE_ENV.primaryEndpoint);
  if (primaryEndpoint !== undefined) {
    if (!URL.canParse(primaryEndpoint) || !/^https?:$/.test(new URL(primaryEndpoint).protocol)) {
      throw new NodeEnvError(`${NODE_ENV.primaryEndpoint} must be an http(s) URL, got ${JSON.stringify(primaryEndpoint)}`);
    }
    settings.primaryEndpoint = primaryEndpoint;
  }
  const needsAws: string[] = [NODE_ENV.secretParameter, NODE_ENV.configParameter].filter((name) => value(env, name) !== undefined);
  if (settings.storage === 'dynamodb' || settings.storage === 'postgres') needsAws.push(`${NODE_ENV.storage}=${settings.storage}`);
  if (needsAws.length > 0) required(env, NODE_ENV.region, `when the node reads AWS (${needsAws.join(', ')})`);
  return settings;
}
