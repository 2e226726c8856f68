export { q } from './q.js';
export type { QueryForm } from './q.js';
export { QueryError } from './errors.js';
