// Request deadlines without a timer per request. Node keeps one timer list per duration, and a proxy's
// durations all differ (they follow the Lambda's remaining time), so a timer per request would create
// and drop a list each time. Instead one timer stays armed for the earliest pending deadline; a request
// that finishes in time only leaves the pending list, and later deadlines need no timer of their own.
//
// The pending list runs through the watched objects themselves, so watching and unwatching a request
// allocate nothing and hash nothing: every request pays for both.

/** Something that must give up at an instant: `expire()` runs once `at` has passed, unless unwatched first. */
export abstract class Deadline {
  private listPrevious: Deadline | undefined;
  private listNext: Deadline | undefined;
  private listed = false;

  constructor(
    /** Epoch milliseconds. */
    readonly at: number,
  ) {}

  abstract expire(): void;

  /** Starts watching; `expire()` runs at most once. */
  watch(): void {
    if (this.listed) return;
    this.listed = true;
    this.listPrevious = undefined;
    this.listNext = first;
    if (first !== undefined) first.listPrevious = this;
    first = this;
    arm(this.at);
  }

  /** Stops watching: `expire()` will not run. */
  unwatch(): void {
    if (!this.listed) return;
    this.listed = false;
    if (this.listPrevious === undefined) first = this.listNext;
    else this.listPrevious.listNext = this.listNext;
    if (this.listNext !== undefined) this.listNext.listPrevious = this.listPrevious;
    this.listPrevious = undefined;
    this.listNext = undefined;
  }

  /** Unwatches everything due at `now` and runs it; answers the earliest deadline left. */
  static expireDue(now: number): number {
    // Collected first: an expiry may watch or unwatch others (a retry, a destroyed request).
    const due: Deadline[] = [];
    for (let entry = first; entry !== undefined; entry = entry.listNext) if (entry.at <= now) due.push(entry);
    for (const entry of due) {
      if (!entry.listed) continue;
      entry.unwatch();
      entry.expire();
    }
    let earliest = Infinity;
    for (let entry = first; entry !== undefined; entry = entry.listNext) if (entry.at < earliest) earliest = entry.at;
    return earliest;
  }
}

let first: Deadline | undefined;
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
  const next = Deadline.expireDue(Date.now());
  if (next !== Infinity) arm(next);
}
