// Remembers the signatures seen inside the clock window so that a captured request cannot be sent
// again while its timestamp is still acceptable. Entries expire with the window; the memory is bounded
// by `maxEntries`, and a guard that is full refuses new requests rather than forgetting live ones
// (forgetting would reopen the replay it exists to close).
//
// Every signed request passes through here, and a guard under load holds tens of thousands of entries.
// In a Map or Set each check would hash a fresh 64-character string, chase several pointers through a
// large table, and keep that string alive for the whole window for the garbage collector to copy. So the
// guard keeps the first 64 bits of each signature in flat typed arrays instead: an open-addressing
// table probed from those bits (an HMAC's bits are uniform), plus a ring of entries in arrival order
// for expiry. A signature matching a remembered one in its first 64 bits counts as a replay: every real
// replay is caught, and a fresh request is wrongly refused with odds of about one in 2^64 / maxEntries.

export type ReplayVerdict = 'fresh' | 'replay' | 'full';

export interface ReplayGuard {
  /** Records `signature` (hex, signed at `timestamp`) unless it was seen before. */
  check(signature: string, timestamp: number, now?: number): ReplayVerdict;
  readonly size: number;
}

const INITIAL_CAPACITY = 1024;

/** The 32 bits that eight hex digits from `offset` spell; throws when they are not hex. */
function hexWord(signature: string, offset: number): number {
  if (signature.length < offset + 8) throw new Error(`replay guard: a signature needs at least 16 hex digits, got ${signature.length} characters`);
  let word = 0;
  for (let i = offset; i < offset + 8; i++) {
    const code = signature.charCodeAt(i);
    const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code >= 65 && code <= 70 ? code - 55 : -1;
    if (digit < 0) throw new Error(`replay guard: signature character ${i} is not a hex digit`);
    word = ((word << 4) | digit) >>> 0;
  }
  return word;
}

export function replayGuard(windowMs: number, maxEntries: number): ReplayGuard {
  // The table: both key halves, whether a slot is taken, and where in the ring its entry is. Linear
  // probing, at most half full. An entry is taken out by shifting the rest of its probe run back rather
  // than by leaving a tombstone, so a guard under steady load never rebuilds its table (a rebuild of a
  // million entries would hold the event loop for tens of milliseconds every window): it only grows.
  let capacity = INITIAL_CAPACITY;
  let his = new Uint32Array(capacity);
  let los = new Uint32Array(capacity);
  let taken = new Uint8Array(capacity);
  let ringIndexOf = new Int32Array(capacity);
  // The live entries in arrival order (roughly expiry order): their slots and expiries, in a ring whose
  // length is a power of two, read from `head`, `count` long.
  let ringSlots = new Int32Array(INITIAL_CAPACITY);
  let ringExpiries = new Float64Array(INITIAL_CAPACITY);
  let head = 0;
  let count = 0;

  const ringAt = (i: number): number => (head + i) & (ringSlots.length - 1);

  const find = (hi: number, lo: number): boolean => {
    const mask = capacity - 1;
    for (let slot = lo & mask; taken[slot] === 1; slot = (slot + 1) & mask) {
      if (his[slot] === hi && los[slot] === lo) return true;
    }
    return false;
  };

  /** Places a key whose entry is at ring index `index`; answers its slot. */
  const place = (hi: number, lo: number, index: number): number => {
    const mask = capacity - 1;
    let slot = lo & mask;
    while (taken[slot] === 1) slot = (slot + 1) & mask;
    his[slot] = hi;
    los[slot] = lo;
    taken[slot] = 1;
    ringIndexOf[slot] = index;
    return slot;
  };

  // Empties `slot`, then moves back every later entry of its probe run that a probe from the entry's
  // home would no longer reach across the hole, each move leaving a new hole behind.
  const remove = (slot: number): void => {
    const mask = capacity - 1;
    let hole = slot;
    for (let next = (hole + 1) & mask; taken[next] === 1; next = (next + 1) & mask) {
      const home = los[next]! & mask;
      const homeBetween = hole < next ? hole < home && home <= next : hole < home || home <= next;
      if (homeBetween) continue;
      his[hole] = his[next]!;
      los[hole] = los[next]!;
      const index = ringIndexOf[next]!;
      ringIndexOf[hole] = index;
      ringSlots[index] = hole;
      hole = next;
    }
    taken[hole] = 0;
  };

  // Doubles the table, placing every live entry again.
  const grow = (): void => {
    const oldHis = his;
    const oldLos = los;
    // Allocated before anything changes: a failed allocation leaves the guard as it was.
    const next = { his: new Uint32Array(capacity * 2), los: new Uint32Array(capacity * 2), taken: new Uint8Array(capacity * 2), ringIndexOf: new Int32Array(capacity * 2) };
    capacity *= 2;
    ({ his, los, taken, ringIndexOf } = next);
    for (let i = 0; i < count; i++) {
      const index = ringAt(i);
      const old = ringSlots[index]!;
      ringSlots[index] = place(oldHis[old]!, oldLos[old]!, index);
    }
  };

  const growRing = (): void => {
    const slots = new Int32Array(ringSlots.length * 2);
    const ends = new Float64Array(ringSlots.length * 2);
    for (let i = 0; i < count; i++) {
      const slot = ringSlots[ringAt(i)]!;
      slots[i] = slot;
      ends[i] = ringExpiries[ringAt(i)]!;
      ringIndexOf[slot] = i;
    }
    ringSlots = slots;
    ringExpiries = ends;
    head = 0;
  };

  // An entry expires once `now` is past its expiry: a request is inside the window while
  // |now - timestamp| <= windowMs, so its signature is remembered for as long as that holds.
  // The usual sweep looks at the oldest entries only and stops at the first live one.
  const sweep = (now: number): void => {
    while (count > 0 && ringExpiries[head]! < now) {
      remove(ringSlots[head]!);
      head = (head + 1) & (ringSlots.length - 1);
      count--;
    }
  };

  // Only a full guard pays for a walk over every entry, to find expired ones stuck behind a live one.
  // `walkAfter` is never later than the earliest expiry of a live entry (set by each walk, lowered by
  // each new entry), so while `now` has not passed it nothing can have expired and no walk is needed.
  let walkAfter = -Infinity;
  const sweepEverything = (now: number): void => {
    let kept = 0;
    walkAfter = Infinity;
    for (let i = 0; i < count; i++) {
      const at = ringAt(i);
      if (ringExpiries[at]! < now) remove(ringSlots[at]!);
      else {
        walkAfter = Math.min(walkAfter, ringExpiries[at]!);
        const to = ringAt(kept++);
        const slot = ringSlots[at]!;
        ringSlots[to] = slot;
        ringExpiries[to] = ringExpiries[at]!;
        ringIndexOf[slot] = to;
      }
    }
    count = kept;
  };

  return {
    check(signature, timestamp, now = Date.now()) {
      const hi = hexWord(signature, 0);
      const lo = hexWord(signature, 8);
      sweep(now);
      if (find(hi, lo)) return 'replay';
      if (count >= maxEntries) {
        // A full guard under load refuses many requests in a row: each walk would cost O(maxEntries).
        if (now > walkAfter) sweepEverything(now);
        if (count >= maxEntries) return 'full';
      }
      if (count === ringSlots.length) growRing();
      const index = ringAt(count++);
      ringSlots[index] = place(hi, lo, index);
      ringExpiries[index] = timestamp + windowMs;
      walkAfter = Math.min(walkAfter, timestamp + windowMs);
      if (count * 2 > capacity) grow();
      return 'fresh';
    },
    get size() {
      return count;
    },
  };
}
