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
  // Insertion order is roughly expiry order, so the usual sweep stops at the first live entry; only a
  // full guard pays for a walk over everything to find expired entries stuck behind a live one.
  const seen = new Map<string, number>();
  const sweep = (now: number, everything: boolean): void => {
    for (const [signature, expiry] of seen) {
      if (expiry > now) {
        if (everything) continue;
        break;
      }
      seen.delete(signature);
    }
  };
  return {
    check(signature, timestamp, now = Date.now()) {
      sweep(now, false);
      if (seen.has(signature)) return 'replay';
      if (seen.size >= maxEntries) sweep(now, true);
      if (seen.size >= maxEntries) return 'full';
      seen.set(signature, timestamp + windowMs);
      return 'fresh';
    },
    get size() {
      return seen.size;
    },
  };
}
