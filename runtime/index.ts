// serverless-ions/runtime: what app code and hosts import. An explicit list, so the public surface
// only grows on purpose.

// Cast: how ions report what happens.
export { alert, dev, event, metric, redirect, fileSink, stderrSink, stdoutSink, tapSink } from './cast/index.js';
export type { AlertData, CastData, CastRecord, CastSink, MetricData, TapSink } from './cast/index.js';

// The node an ion runs on: its identity, environment, parameters and database.
export { getAppInfo, getConnection, getEnv } from './app/context.js';
export type { AppInfo } from './app/context.js';
export { clearParamsCache, getParams, setLocalParams } from './params/index.js';
export type { GetParamsOptions } from './params/index.js';

// Hosting: a compute node, and the local dev loop.
export { startNode } from './node/index.js';
export type { NodeHealth, RunningNode, StartNodeOptions } from './node/index.js';
export { startDev } from './dev/dev.js';
export type { DevOptions, DevServer } from './dev/dev.js';

// The datom store.
export { Keyword, Sym, kw, sym, Decimal, Uuid, decimal, uuid, emptyDb, dbFromDatoms, transact, TxError, pull, pullMany } from './db/index.js';
export type {
  Attribute,
  Database,
  Datom,
  Entity,
  EntityId,
  EntityRef,
  FunctionRegistry,
  IndexName,
  PullPattern,
  TxData,
  TxOptions,
  TxReport,
  Value,
  ValueType,
} from './db/index.js';
export { q, QueryError } from './db/query/index.js';
export type { QueryForm } from './db/query/index.js';
export { readEdn, readEdnAll, printEdn } from './db/edn/index.js';
export { connect } from './db/connection.js';
export type { Connection, ConnectOptions } from './db/connection.js';
export { fileStorage, memoryStorage } from './db/storage/index.js';
export type { DatabaseStorage, Storage } from './db/storage/index.js';
export { dynamoStorage, dynamoTableDefinition, postgresStorage } from './db/scale-out-storage.js';
export type { DynamoStorageOptions, PostgresStorageOptions } from './db/scale-out-storage.js';
// Index segments: reading a database piecemeal through the cache sandwich, and their upkeep.
export { collectGarbage, DiskCache, openSegmentDb, replayTail, SegmentCache, SegmentMissingError, startSegmentUpkeep, withSegments } from './db/segments/index.js';
export type {
  GarbageOptions,
  GarbageResult,
  SegmentCacheOptions,
  SegmentCacheStats,
  SegmentDbOptions,
  SegmentUpkeep,
  SegmentUpkeepOptions,
} from './db/segments/index.js';
export { follow, ForwardError, localForwarder, NotPrimaryError, remoteForwarder, startPrimary, SyncTimeoutError } from './db/index.js';
export type { FollowOptions, Follower, Forwarder, LeaseOptions, Primary, PrimaryOptions, RemoteForwarderOptions } from './db/index.js';
