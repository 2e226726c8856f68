// The ways a storage call can fail. Callers branch on the class: a conflict means another writer
// got there first (catch up, then retry), unavailable means try again later, corrupt means stop,
// lease lost means another node is now the writer.
import type { Lease } from './storage.js';

/** A compare-and-set lost: the log or the root pointer was not what the caller expected. */
export class StorageConflictError extends Error {
  override readonly name = 'StorageConflictError';
}

/** The storage could not be reached or refused the call for now; retrying may succeed. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  readonly retryable = true;
}

/**
 * A fenced append found the writer lease at another epoch: another node took over as primary. Nothing
 * was appended, so the transaction may be retried, at the new primary.
 */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  readonly retryable = true;

  constructor(
    db: string,
    readonly fence: number,
    readonly lease: Lease | undefined,
  ) {
    super(
      `append to ${db} refused: this writer's lease (epoch ${fence}) was taken over` +
        (lease === undefined ? '' : ` by ${lease.owner} at epoch ${lease.epoch}`) +
        '; retry at the current primary',
    );
  }
}

/** Stored bytes fail their checksum or do not decode; `where` names the file, offset or key. */
export class StorageCorruptError extends Error {
  override readonly name = 'StorageCorruptError';

  constructor(
    message: string,
    readonly where: string,
  ) {
    super(`${message} (at ${where})`);
  }
}
