// Raised when a follower has not seen a transaction within the time it was given. Nothing is wrong
// with the data; the log is just further than this node has read, usually because storage is slow or
// unreachable (then `cause` holds the storage error). Waiting again may succeed.
export class SyncTimeoutError extends Error {
  override readonly name = 'SyncTimeoutError';
  readonly retryable = true;

  constructor(db: string, seenT: number, wantedT: number, timeoutMs: number, cause: unknown) {
    super(
      `follower of ${db} has seen up to t ${seenT}, not t ${wantedT}, after ${timeoutMs} ms` +
        (cause instanceof Error ? `; last storage error: ${cause.message}` : ''),
      cause === undefined ? undefined : { cause },
    );
  }
}
