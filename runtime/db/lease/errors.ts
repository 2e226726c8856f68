// Raised to a caller that sent a transaction to a node that is not the primary: nothing was written,
// so the caller may send it again, to the node holding the lease.
import type { Lease } from '../storage/storage.js';

export class NotPrimaryError extends Error {
  override readonly name = 'NotPrimaryError';
  readonly retryable = true;

  constructor(
    db: string,
    owner: string,
    /** The lease another node was seen holding, when this node has looked. */
    readonly holder: Lease | undefined,
    waitedMs?: number,
  ) {
    super(
      `${owner} is not the primary of ${db}` +
        (waitedMs === undefined ? '' : ` after waiting ${waitedMs} ms`) +
        (holder === undefined ? '' : `: ${holder.owner} holds the lease (epoch ${holder.epoch})`) +
        '; send the transaction to the primary',
    );
  }
}
