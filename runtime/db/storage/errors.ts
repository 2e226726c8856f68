// The three ways a storage call can fail. Callers branch on the class: a conflict means another writer
// got there first (catch up, then retry), unavailable means try again later, corrupt means stop.

/** A compare-and-set lost: the log or the root pointer was not what the caller expected. */
export class StorageConflictError extends Error {
  override readonly name = 'StorageConflictError';
}

/** The storage could not be reached or refused the call for now; retrying may succeed. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  readonly retryable = true;
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
