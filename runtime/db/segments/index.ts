// Index segments and the cache sandwich: the datom store at a size where readers fetch only what they read.
export { collectGarbage, type GarbageOptions, type GarbageResult } from './collect-garbage.js';
export { DiskCache } from './disk-cache.js';
export { MemoryCache } from './memory-cache.js';
export { decodePointedRoot, lazyDb, loadIndexedDb, openSegmentDb, readIndexRoot, replayTail, type SegmentDbOptions } from './open-segment-db.js';
export { SegmentCache, type SegmentCacheOptions, type SegmentCacheStats } from './segment-cache.js';
export { isIndexRoot, type IndexRoot, type SegmentRef } from './segment-codec.js';
export { SegmentMissingError, withSegments } from './with-segments.js';
export { writeIndex, type IndexWriteOptions, type IndexWriteResult } from './write-index.js';
export { startSegmentUpkeep, type SegmentUpkeep, type SegmentUpkeepOptions, type UpkeepSchedule, type UpkeepTimers } from './upkeep.js';
