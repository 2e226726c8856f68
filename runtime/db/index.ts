// The datom store's public surface. H5 (query, EDN) and H6 (storage, connections) add their exports below.
export type {
  Attribute,
  Database,
  Datom,
  Entity,
  EntityId,
  EntityRef,
  FunctionName,
  FunctionRegistry,
  IndexName,
  IonFunction,
  LogEntry,
  TxData,
  TxOptions,
  TxReport,
  Value,
  ValueType,
} from './types.js';
export { Keyword, Sym, kw, sym } from './edn-names.js';
export { Decimal, Uuid, decimal, uuid } from './scalar-types.js';
export { FIRST_USER_ID, TX0, isTxId, tToTx, txToT } from './ids.js';
export { datom } from './datom.js';
export { Db } from './db/database.js';
export { compareValues, valuesEqual } from './values/order.js';
export { transact } from './transact/transact.js';
export { TxError } from './transact/errors.js';
export { emptyDb, dbFromDatoms, applyTxData, logDatoms, type RebuildOptions } from './rebuild.js';
export { pull, pullMany, type PullPattern } from './pull/pull.js';
export { connect, type CheckpointPolicy, type ConnectOptions, type Connection } from './connection.js';
export {
  fileStorage,
  memoryStorage,
  StorageConflictError,
  StorageCorruptError,
  StorageUnavailableError,
  type BlobKey,
  type DatabaseStorage,
  type FileStorageOptions,
  type LogRecord,
  type RootPointer,
  type Storage,
  type StoredBlob,
  type SyncInfo,
} from './storage/index.js';
export {
  collectGarbage,
  DiskCache,
  MemoryCache,
  openSegmentDb,
  replayTail,
  SegmentCache,
  SegmentMissingError,
  startSegmentUpkeep,
  withSegments,
  writeIndex,
  type GarbageOptions,
  type GarbageResult,
  type IndexWriteOptions,
  type IndexWriteResult,
  type SegmentCacheOptions,
  type SegmentCacheStats,
  type SegmentDbOptions,
  type SegmentUpkeep,
  type SegmentUpkeepOptions,
  type UpkeepSchedule,
  type UpkeepTimers,
} from './segments/index.js';
export { dynamoStorage, dynamoTableDefinition, postgresStorage, type DynamoStorageOptions, type PostgresStorageOptions } from './scale-out-storage.js';
export { q, QueryError, type QueryForm } from './query/index.js';
export { readEdn, readEdnAll, printEdn, EdnSyntaxError, EdnList, list, isList, type ReadOptions, type TagReader } from './edn/index.js';
export { LeaseKeeper, NotPrimaryError, startPrimary, type LeaseOptions, type Primary, type PrimaryOptions } from './lease/index.js';
export {
  follow,
  ForwardError,
  localForwarder,
  remoteForwarder,
  SyncTimeoutError,
  type FollowOptions,
  type Follower,
  type ForwardedTx,
  type ForwardFailure,
  type Forwarder,
  type ForwardRequest,
  type RemoteForwarderOptions,
} from './follow/index.js';
