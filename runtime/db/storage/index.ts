export { decodeSnapshot, decodeTx, encodeSnapshot, encodeTx, type Snapshot } from './codec.js';
export { StorageConflictError, StorageCorruptError, StorageUnavailableError } from './errors.js';
export { fileStorage, type FileStorageOptions } from './file-storage.js';
export type { SyncInfo } from './file-log.js';
export { memoryStorage } from './memory-storage.js';
export type { BlobKey, DatabaseStorage, LogRecord, RootPointer, Storage } from './storage.js';
