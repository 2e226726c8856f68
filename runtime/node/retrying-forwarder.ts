// Forwarded transactions meet a writer that is briefly unreachable whenever the lease changes hands:
// the old primary is gone, the new one has not taken over yet. A refusal that guarantees nothing was
// written is tried again until the deadline; anything else (a rejected transaction, a lost answer)
// goes back to the caller at once.
import { ForwardError } from '../db/follow/remote-forwarder.js';
import type { Forwarder } from '../db/follow/follower.js';

export const RETRY_PAUSE_MS = 100;

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `forward`, tried again after each retryable refusal for up to `waitMs`; the last refusal when time runs out. */
export function retryingForwarder(forward: Forwarder, waitMs: number): Forwarder {
  return async (request) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return await forward(request);
      } catch (error) {
        const left = deadline - Date.now();
        if (!(error instanceof ForwardError && error.retryable) || left <= 0) throw error;
        await pause(Math.min(RETRY_PAUSE_MS, left));
      }
    }
  };
}
