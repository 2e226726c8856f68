export { admission } from './admission.js';
export type { Admission, Release } from './admission.js';
export { closeOnSignals } from './signals.js';
export { DEFAULT_MAX_BODY_BYTES, startNode } from './start-node.js';
export type { NodeHealth, RunningNode, StartNodeOptions } from './start-node.js';
