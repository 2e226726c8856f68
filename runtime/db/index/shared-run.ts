// An append-only sequence that successive database values share: each value knows its own length,
// and appending to the latest value writes in place. Values also branch (`db.with`, a batch computed
// again after a conflict): appending to a value that another has already appended to copies only the
// list of chunks and the last, partly filled chunk, never the whole sequence.
//
// A run may start at an offset: the entries before it exist but are not held (a database opened from
// a segment index holds no log before the index's t).

const BITS = 9;
const CHUNK = 1 << BITS;
const MASK = CHUNK - 1;

export class SharedRun<T> {
  private constructor(
    private readonly chunks: T[][],
    /** How many entries come before the first one held. */
    readonly offset: number,
    readonly length: number,
  ) {}

  static empty<T>(offset = 0): SharedRun<T> {
    return new SharedRun<T>([], offset, offset);
  }

  static of<T>(items: readonly T[]): SharedRun<T> {
    let run = SharedRun.empty<T>();
    for (const item of items) run = run.plus(item);
    return run;
  }

  /** The entry at index i; undefined outside offset .. length-1. */
  at(i: number): T | undefined {
    if (i < this.offset || i >= this.length) return undefined;
    const j = i - this.offset;
    return this.chunks[j >>> BITS]![j & MASK];
  }

  plus(item: T): SharedRun<T> {
    const j = this.length - this.offset;
    const c = j >>> BITS;
    const k = j & MASK;
    let chunks = this.chunks;
    if (c === chunks.length) chunks.push([item]);
    else if (chunks[c]!.length === k) chunks[c]!.push(item);
    else {
      chunks = chunks.slice(0, c);
      const last = k === 0 ? [] : this.chunks[c]!.slice(0, k);
      last.push(item);
      chunks.push(last);
    }
    return new SharedRun(chunks, this.offset, this.length + 1);
  }

  /** Entries start .. end-1, each of them held. */
  slice(start: number, end: number): T[] {
    const out: T[] = [];
    for (let i = Math.max(start, this.offset); i < Math.min(end, this.length); i++) out.push(this.at(i)!);
    return out;
  }
}
