// The node's admin protocol: one signed request that hot-swaps the node to a revision directory on
// its own disk. Signed as in signing.ts with the target below; the invoke targets are all prefixed by
// their kind (`lambda/`, `fn/`) or are `http-direct`, so an admin signature never authorizes an invoke.
import { NODE_PATH_PREFIX } from './wire.js';

export const ADMIN_PATH = `${NODE_PATH_PREFIX}admin/`;
export const ADMIN_SWAP_PATH = `${ADMIN_PATH}swap`;
export const ADMIN_SWAP_TARGET = 'admin/swap';

export interface AdminSwapBody {
  revisionDir: string;
}

/** 200 `{ revision }` once swapped; 422 `{ error, revision }` when the revision failed to load. */
export interface AdminSwapAnswer {
  revision: string | null;
  error?: string;
}
