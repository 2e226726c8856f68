export { buildRevision, ESM_NODE_SHIMS } from './build-revision.js';
export type { BuildRevisionOptions, BuiltRevision } from './build-revision.js';
export { loadRevision } from './load-revision.js';
export type { RevisionFunction, LoadedRevision } from './load-revision.js';
export { MANIFEST_FILE, readManifest } from './manifest.js';
export type { RevisionManifest } from './manifest.js';
export { parseRef, referencedFunctions } from './refs.js';
export type { ParsedRef, RefUse } from './refs.js';
