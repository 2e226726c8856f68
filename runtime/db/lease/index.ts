export { NotPrimaryError } from './errors.js';
export { LeaseKeeper, type LeaseOptions } from './lease-keeper.js';
export { startPrimary, type Primary, type PrimaryOptions } from './primary.js';
