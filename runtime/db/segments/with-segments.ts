// The bridge between the synchronous read API and asynchronous storage. A segment-backed database's
// reads run inside `withSegments(read)`: the read runs synchronously; when it reaches a segment that
// no local cache holds, the miss is recorded (and the read fails), the missing segments are fetched,
// and the read runs again with every segment it has touched so far pinned. Reads are pure, so running
// one again is safe, and each round pins at least one more segment, so it ends.
//
// A scan that walks many segments would otherwise miss once per segment; after two misses on
// neighbouring segments of one index the fetch reads ahead, doubling the window each time.
import type { Datom } from '../types.js';
import type { SegmentCache } from './segment-cache.js';
import type { SegmentRef } from './segment-codec.js';

/** One index's segments as a lazy tree reads them. */
export interface SegmentList {
  readonly refs: readonly SegmentRef[];
  readonly cache: SegmentCache;
  /** Names the index in errors, e.g. `live eavt of db`. */
  readonly what: string;
}

/** A read reached a segment no local cache holds; run it inside `await withSegments(() => ...)`. */
export class SegmentMissingError extends Error {
  override readonly name = 'SegmentMissingError';

  constructor(
    readonly key: string,
    what: string,
  ) {
    super(`segment ${key} of the ${what} index is not in the local caches: read a segment-backed database inside await withSegments(() => ...)`);
  }
}

const MAX_READAHEAD = 64;

class Run {
  readonly pinned = new Map<string, Datom[]>();
  misses: Array<{ list: SegmentList; at: number }> = [];
  private readonly ahead = new Map<SegmentList, { next: number; window: number }>();

  async fetchMisses(): Promise<void> {
    const loads: Array<Promise<void>> = [];
    for (const { list, at } of this.misses) {
      const seen = this.ahead.get(list);
      const window = seen !== undefined && seen.next === at ? Math.min(seen.window * 2, MAX_READAHEAD) : 1;
      const end = Math.min(at + window, list.refs.length);
      this.ahead.set(list, { next: end, window });
      for (let i = at; i < end; i++) {
        const key = list.refs[i]!.key;
        if (!this.pinned.has(key)) loads.push(list.cache.load(key).then((datoms) => void this.pinned.set(key, datoms)));
      }
    }
    this.misses = [];
    await Promise.all(loads);
  }
}

let active: Run | undefined;

/** The datoms of segment `at` of `list`, from the running read's pins or a local cache; throws when neither has them. */
export function segmentDatoms(list: SegmentList, at: number): Datom[] {
  const key = list.refs[at]!.key;
  const run = active;
  const pinned = run?.pinned.get(key);
  if (pinned !== undefined) return pinned;
  const local = list.cache.peek(key);
  if (local !== undefined) {
    run?.pinned.set(key, local);
    return local;
  }
  run?.misses.push({ list, at });
  throw new SegmentMissingError(key, list.what);
}

/**
 * The result of the synchronous `read`, fetching whatever segments it needs first. A read that missed
 * a segment is run again even when it returned (code in between may have caught the error), so a
 * result is only ever one computed with every segment present.
 */
export async function withSegments<T>(read: () => T): Promise<T> {
  const run = new Run();
  for (;;) {
    const outer = active;
    active = run;
    let result: T | undefined;
    let failure: unknown;
    let failed = false;
    try {
      result = read();
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      active = outer;
    }
    if (run.misses.length === 0) {
      if (failed) throw failure;
      if (result instanceof Promise) throw new TypeError('withSegments needs a synchronous read; it got a promise back');
      return result as T;
    }
    await run.fetchMisses();
  }
}
