// Sets and multimaps keyed by several columns of a row, as nested Maps of keyOf(value): no string
// building per row, and one level per column so single-column keys cost a single Map lookup.
import { keyOf } from './values.js';

export type Row = unknown[];

/** The map that holds the row's last column, one nested map per earlier column, made as needed. */
function innermostLevel(root: Map<unknown, unknown>, row: Row, cols: readonly number[], last: number): Map<unknown, unknown> {
  let level = root;
  for (let i = 0; i < last; i++) {
    const k = keyOf(row[cols[i]!]);
    let next = level.get(k) as Map<unknown, unknown> | undefined;
    if (next === undefined) {
      next = new Map();
      level.set(k, next);
    }
    level = next;
  }
  return level;
}

/** Remembers which projections of rows onto `cols` were seen. */
export class TupleSet {
  private readonly root = new Map<unknown, unknown>();
  size = 0;

  constructor(private readonly cols: readonly number[]) {}

  /** Adds the projection of `row`; true when it was new. */
  add(row: Row): boolean {
    const cols = this.cols;
    const last = cols.length - 1;
    if (last < 0) {
      if (this.size > 0) return false;
      this.size = 1;
      return true;
    }
    const level = innermostLevel(this.root, row, cols, last);
    const k = keyOf(row[cols[last]!]);
    if (level.has(k)) return false;
    level.set(k, true);
    this.size++;
    return true;
  }

  /** Whether the projection of `row` onto `cols` (by default the set's own columns) was added. */
  has(row: Row, cols: readonly number[] = this.cols): boolean {
    if (cols.length === 0) return this.size > 0;
    let level: unknown = this.root;
    for (let i = 0; i < cols.length; i++) {
      level = (level as Map<unknown, unknown>).get(keyOf(row[cols[i]!]));
      if (level === undefined) return false;
    }
    return true;
  }
}

/** Groups rows by their projection onto `cols`. */
export class TupleMultiMap {
  private readonly root = new Map<unknown, unknown>();
  private readonly all: Row[] = [];

  constructor(private readonly cols: readonly number[]) {}

  add(row: Row): void {
    const cols = this.cols;
    const last = cols.length - 1;
    if (last < 0) {
      this.all.push(row);
      return;
    }
    const level = innermostLevel(this.root, row, cols, last);
    const k = keyOf(row[cols[last]!]);
    const bucket = level.get(k) as Row[] | undefined;
    if (bucket === undefined) level.set(k, [row]);
    else bucket.push(row);
  }

  /** Rows whose key equals the projection of `probe` onto `probeCols`. */
  get(probe: Row, probeCols: readonly number[]): readonly Row[] | undefined {
    if (probeCols.length === 0) return this.all;
    let level: unknown = this.root;
    for (let i = 0; i < probeCols.length; i++) {
      level = (level as Map<unknown, unknown>).get(keyOf(probe[probeCols[i]!]));
      if (level === undefined) return undefined;
    }
    return level as Row[];
  }
}
