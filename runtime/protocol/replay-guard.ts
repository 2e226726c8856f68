// Remembers the signatures seen inside the clock window so that a captured request cannot be sent
// again while its timestamp is still acceptable. Entries expire with the window; the memory is bounded
// by `maxEntries`, and a guard that is full refuses new requests rather than forgetting live ones
// (forgetting would reopen the replay it exists to close).

export type ReplayVerdict = 'fresh' | 'replay' | 'full';

export interface ReplayGuard {
  /** Records `signature` (signed at `timestamp`) unless it was seen before. */
  check(signature: string, timestamp: number, now?: number): ReplayVerdict;
  readonly size: number;
}

export function replayGuard(windowMs: number, maxEntries: number): ReplayGuard {
  // Signature -> expiry. Insertion order is roughly expiry order, so the usual sweep looks at the
  // oldest entries only and stops at the first live one; only a full guard pays for a walk over
  // everything to find expired entries stuck behind a live one.
  const seen = new Map<string, number>();
  // The same entries in insertion order, read from `head` on, so that the usual sweep allocates nothing.
  let order: string[] = [];
  let head = 0;
  const sweep = (now: number): void => {
    while (head < order.length) {
      const signature = order[head]!;
      const expiry = seen.get(signature);
      if (expiry !== undefined && expiry > now) break;
      seen.delete(signature);
      head++;
    }
    // Drop the consumed front once it is most of the array, so the array stays within twice the map.
    if (head > 1024 && head * 2 > order.length) {
      order = order.slice(head);
      head = 0;
    }
  };
  const sweepEverything = (now: number): void => {
    for (const [signature, expiry] of seen) if (expiry <= now) seen.delete(signature);
    order = order.filter((signature, i) => i >= head && seen.has(signature));
    head = 0;
  };
  return {
    check(signature, timestamp, now = Date.now()) {
      sweep(now);
      if (seen.has(signature)) return 'replay';
      if (seen.size >= maxEntries) sweepEverything(now);
      if (seen.size >= maxEntries) return 'full';
      seen.set(signature, timestamp + windowMs);
      order.push(signature);
      return 'fresh';
    },
    get size() {
      return seen.size;
    },
  };
}
