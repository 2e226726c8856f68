// Request deadlines without a timer per request. Node keeps one timer list per duration, and a proxy's
// durations all differ (they follow the Lambda's remaining time), so a timer per request would create
// and drop a list each time. Instead one timer stays armed for the earliest pending deadline; a request
// that finishes in time only leaves the pending set, and later deadlines need no timer of their own.

export interface DeadlineWatch {
  /** The request finished: its expiry will not run. */
  cancel(): void;
}

interface Pending {
  at: number;
  onExpiry: () => void;
}

const pending = new Set<Pending>();
let timer: NodeJS.Timeout | undefined;
let armedFor = Infinity;

function arm(at: number): void {
  if (timer !== undefined && armedFor <= at) return;
  if (timer !== undefined) clearTimeout(timer);
  armedFor = at;
  timer = setTimeout(expire, Math.max(0, at - Date.now()));
  // The request's own socket keeps the process alive while it waits; the watch never needs to.
  timer.unref();
}

function expire(): void {
  timer = undefined;
  armedFor = Infinity;
  const now = Date.now();
  let next = Infinity;
  for (const entry of pending) {
    if (entry.at <= now) {
      pending.delete(entry);
      entry.onExpiry();
    } else if (entry.at < next) next = entry.at;
  }
  if (next !== Infinity) arm(next);
}

/** Runs `onExpiry` once `timeoutMs` have passed, unless cancelled first. */
export function watchDeadline(timeoutMs: number, onExpiry: () => void): DeadlineWatch {
  const entry: Pending = { at: Date.now() + timeoutMs, onExpiry };
  pending.add(entry);
  arm(entry.at);
  return { cancel: () => pending.delete(entry) };
}
