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

// Slot states in the table.
const EMPTY = 0;
const LIVE = 1;
const DELETED = 2;
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
  // The table: both key halves and the state of each slot. DELETED slots are reused but do not end a
  // probe; the table is rebuilt before it is half used, so probes stay short and always end.
  let capacity = INITIAL_CAPACITY;
  let his = new Uint32Array(capacity);
  let los = new Uint32Array(capacity);
  let states = new Uint8Array(capacity);
  let used = 0;
  // The live entries in arrival order (roughly expiry order): their slots and expiries, in a ring whose
  // length is a power of two, read from `head`, `count` long.
  let ringSlots = new Int32Array(INITIAL_CAPACITY);
  let ringExpiries = new Float64Array(INITIAL_CAPACITY);
  let head = 0;
  let count = 0;

  const ringAt = (i: number): number => (head + i) & (ringSlots.length - 1);

  const find = (hi: number, lo: number): boolean => {
    const mask = capacity - 1;
    for (let slot = lo & mask; ; slot = (slot + 1) & mask) {
      const state = states[slot]!;
      if (state === EMPTY) return false;
      if (state === LIVE && his[slot] === hi && los[slot] === lo) return true;
    }
  };

  const place = (hi: number, lo: number): number => {
    const mask = capacity - 1;
    let slot = lo & mask;
    while (states[slot] === LIVE) slot = (slot + 1) & mask;
    if (states[slot] === EMPTY) used++;
    his[slot] = hi;
    los[slot] = lo;
    states[slot] = LIVE;
    return slot;
  };

  // Rebuilds the table from the ring, dropping deleted slots, and grows it once live entries fill a quarter.
  const rehash = (): void => {
    const oldHis = his;
    const oldLos = los;
    while (count * 4 > capacity) capacity *= 2;
    his = new Uint32Array(capacity);
    los = new Uint32Array(capacity);
    states = new Uint8Array(capacity);
    used = 0;
    for (let i = 0; i < count; i++) {
      const at = ringAt(i);
      const old = ringSlots[at]!;
      ringSlots[at] = place(oldHis[old]!, oldLos[old]!);
    }
  };

  const growRing = (): void => {
    const slots = new Int32Array(ringSlots.length * 2);
    const ends = new Float64Array(ringSlots.length * 2);
    for (let i = 0; i < count; i++) {
      slots[i] = ringSlots[ringAt(i)]!;
      ends[i] = ringExpiries[ringAt(i)]!;
    }
    ringSlots = slots;
    ringExpiries = ends;
    head = 0;
  };

  // The usual sweep looks at the oldest entries only and stops at the first live one.
  const sweep = (now: number): void => {
    while (count > 0 && ringExpiries[head]! <= now) {
      states[ringSlots[head]!] = DELETED;
      head = (head + 1) & (ringSlots.length - 1);
      count--;
    }
  };

  // Only a full guard pays for a walk over every entry, to find expired ones stuck behind a live one.
  const sweepEverything = (now: number): void => {
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const at = ringAt(i);
      if (ringExpiries[at]! <= now) states[ringSlots[at]!] = DELETED;
      else {
        const to = ringAt(kept++);
        ringSlots[to] = ringSlots[at]!;
        ringExpiries[to] = ringExpiries[at]!;
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
        sweepEverything(now);
        if (count >= maxEntries) return 'full';
      }
      if (count === ringSlots.length) growRing();
      const at = ringAt(count++);
      ringSlots[at] = place(hi, lo);
      ringExpiries[at] = timestamp + windowMs;
      if (used * 2 > capacity) rehash();
      return 'fresh';
    },
    get size() {
      return count;
    },
  };
}
