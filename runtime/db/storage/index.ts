export { decodeSnapshot, decodeTx, encodeSnapshot, encodeTx, type Snapshot } from './codec.js';
export { LeaseLostError, StorageConflictError, StorageCorruptError, StorageUnavailableError } from './errors.js';
export { fileStorage, type FileStorageOptions } from './file-storage.js';
export type { SyncInfo } from './file-log.js';
export { memoryStorage } from './memory-storage.js';
export type { AppendFence, BlobKey, DatabaseStorage, Lease, LogRecord, RootPointer, Storage, StoredBlob } from './storage.js';
