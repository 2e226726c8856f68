// A persistent B+ tree: every update copies the path it touches and shares the rest, so old roots
// stay valid database values. An `edit` token marks nodes made during one transaction; such nodes
// are mutated in place by later updates of the same transaction (a transient, like Clojure's), which
// makes big transactions cost little more than a mutable tree.
//
// Leaves hold keys; a branch holds its children and, per child, the child's greatest key. No search
// reads the last child's (a key above the others goes to the last child), so it is left stale when
// that child grows: appends, the common insert, then change no branch's keys. An update below a
// branch that leaves its keys as they were copies only the branch's children and shares its keys
// array; both nodes then copy that array before they change it.

export type Edit = object;
type Compare<T> = (a: T, b: T) => number;
/** A search target: `seek(key)` is negative when key lies below it; `stop(key)` ends a scan. */
export interface Bounds<T> {
  seek(key: T): number;
  stop(key: T): boolean;
}

const MAX = 64;
const MIN = 24;

export class Node<T> {
  constructor(
    public keys: T[],
    public children: Node<T>[] | null,
    public edit: Edit | null,
    /** The keys array is shared with another node, so it must be copied before a change. */
    public sharedKeys = false,
  ) {}
}

export function emptyTree<T>(): Node<T> {
  return new Node<T>([], null, null);
}

// Side results of the recursive updates, so that the common path allocates nothing extra.
let changed = false;
let splitOff: Node<unknown> | null = null;
let removedKey: unknown = undefined;

function owned<T>(node: Node<T>, edit: Edit | null): Node<T> {
  if (edit !== null && node.edit === edit) return node;
  return new Node(node.keys.slice(), node.children === null ? null : node.children.slice(), edit);
}

function writableKeys<T>(node: Node<T>): T[] {
  if (node.sharedKeys) {
    node.keys = node.keys.slice();
    node.sharedKeys = false;
  }
  return node.keys;
}

function lastKey<T>(node: Node<T>): T {
  while (node.children !== null) node = node.children[node.children.length - 1]!;
  return node.keys[node.keys.length - 1]!;
}

/** The root after adding `key`; the same root when an equal key is already there. */
export function insert<T>(root: Node<T>, key: T, cmp: Compare<T>, edit: Edit | null): Node<T> {
  changed = false;
  const out = ins(root, key, cmp, edit);
  if (splitOff === null) return out;
  const right = splitOff as Node<T>;
  splitOff = null;
  return new Node([lastKey(out), lastKey(right)], [out, right], edit);
}

/** Whether the last insert or remove changed the tree. */
export function lastChanged(): boolean {
  return changed;
}

// Splits a node that overflowed when a key went in at position p. When p is in the upper half the
// split falls right after the new key: ascending inserts (new entities, inserted just before the
// transaction datoms; a run of one attribute, before the next attribute's run) then leave full nodes
// behind them instead of half-empty ones. Other inserts split in the middle.
function split<T>(node: Node<T>, edit: Edit | null, p: number): void {
  const n = node.keys.length;
  const half = p >= n >>> 1 ? Math.min(p + 1, n - 1) : n >>> 1;
  const keys = writableKeys(node).splice(half);
  const children = node.children === null ? null : node.children.splice(half);
  splitOff = new Node(keys, children, edit) as Node<unknown>;
}

function ins<T>(node: Node<T>, key: T, cmp: Compare<T>, edit: Edit | null): Node<T> {
  const keys = node.keys;
  if (node.children === null) {
    let lo = 0;
    let hi = keys.length;
    // Most inserts append (new entities, a new transaction): one comparison settles those.
    if (hi > 0) {
      const c = cmp(keys[hi - 1]!, key);
      if (c === 0) return node;
      if (c < 0) lo = hi;
      else hi--;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cmp(keys[mid]!, key);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid;
      else return node;
    }
    changed = true;
    let out: Node<T>;
    if (edit !== null && node.edit === edit) {
      keys.splice(lo, 0, key);
      out = node;
    } else {
      const copy = new Array<T>(keys.length + 1);
      for (let i = 0; i < lo; i++) copy[i] = keys[i]!;
      copy[lo] = key;
      for (let i = lo; i < keys.length; i++) copy[i + 1] = keys[i]!;
      out = new Node(copy, null, edit);
    }
    if (out.keys.length > MAX) split(out, edit, lo);
    return out;
  }
  // A key above every child's but the last goes to the last: the path of appends, in one comparison.
  // A key between two children goes to the right one, whose greatest key then stays as it was.
  const n = keys.length;
  const at = n > 1 && cmp(keys[n - 2]!, key) < 0 ? n - 1 : childFor(keys, key, cmp);
  const child = ins(node.children[at]!, key, cmp, edit);
  if (!changed) return node;
  const right = splitOff as Node<T> | null;
  splitOff = null;
  const last = right === null && at === keys.length - 1 ? keys[at] : lastKey(child);
  let out: Node<T>;
  if (edit !== null && node.edit === edit) out = node;
  else if (right === null && keys[at] === last) {
    node.sharedKeys = true;
    out = new Node(keys, node.children.slice(), edit, true);
  } else out = new Node(keys.slice(), node.children.slice(), edit);
  out.children![at] = child;
  if (out.keys[at] !== last) writableKeys(out)[at] = last;
  if (right !== null) {
    out.children!.splice(at + 1, 0, right);
    writableKeys(out).splice(at + 1, 0, lastKey(right));
    if (out.keys.length > MAX) split(out, edit, at + 1);
  }
  return out;
}

// The first child whose greatest key is >= key; the last child when key is above them all.
function childFor<T>(keys: T[], key: T, cmp: Compare<T>): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(keys[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The root after removing the key equal to `key` (see `lastRemoved`). */
export function remove<T>(root: Node<T>, key: T, cmp: Compare<T>, edit: Edit | null): Node<T> {
  changed = false;
  removedKey = undefined;
  let out = rem(root, key, cmp, edit);
  while (out.children !== null && out.children.length === 1) out = out.children[0]!;
  return out;
}

/** The stored key the last remove took out (it may differ from the search key in fields the order ignores). */
export function lastRemoved<T>(): T | undefined {
  return removedKey as T | undefined;
}

function rem<T>(node: Node<T>, key: T, cmp: Compare<T>, edit: Edit | null): Node<T> {
  const keys = node.keys;
  if (node.children === null) {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cmp(keys[mid]!, key);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid;
      else {
        changed = true;
        removedKey = keys[mid];
        const out = owned(node, edit);
        out.keys.splice(mid, 1);
        return out;
      }
    }
    return node;
  }
  const at = childFor(keys, key, cmp);
  const child = rem(node.children![at]!, key, cmp, edit);
  if (!changed) return node;
  const out = owned(node, edit);
  const children = out.children!;
  if (child.keys.length === 0) {
    children.splice(at, 1);
    writableKeys(out).splice(at, 1);
    return out;
  }
  children[at] = child;
  if (at < children.length - 1 && out.keys[at] !== lastKey(child)) writableKeys(out)[at] = lastKey(child);
  if (child.keys.length < MIN && children.length > 1) rebalance(out, at === children.length - 1 ? at - 1 : at, edit);
  return out;
}

// Merges children i and i+1 when they fit in one node, else shares their keys evenly.
function rebalance<T>(parent: Node<T>, i: number, edit: Edit | null): void {
  const children = parent.children!;
  const left = children[i]!;
  const right = children[i + 1]!;
  const keys = left.keys.concat(right.keys);
  const kids = left.children === null ? null : left.children.concat(right.children!);
  // The left branch's last key may be stale, and it is no longer last.
  if (kids !== null) keys[left.keys.length - 1] = lastKey(left);
  if (keys.length <= MAX) {
    const merged = new Node(keys, kids, edit);
    children.splice(i, 2, merged);
    writableKeys(parent).splice(i, 2, lastKey(merged));
    return;
  }
  const half = keys.length >>> 1;
  const a = new Node(keys.slice(0, half), kids === null ? null : kids.slice(0, half), edit);
  const b = new Node(keys.slice(half), kids === null ? null : kids.slice(half), edit);
  children.splice(i, 2, a, b);
  writableKeys(parent).splice(i, 2, lastKey(a), lastKey(b));
}

/**
 * The leaf that holds the first key at or after the target, if any key is: each level picks the first
 * child whose greatest key is at or after the target. A branch's last key is never read (it may be
 * stale), since a target past every other key belongs to the last child anyway.
 */
export function leafAtOrAfter<T>(root: Node<T>, target: Bounds<T>): Node<T> {
  let node = root;
  while (node.children !== null) {
    const keys = node.keys;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (target.seek(keys[mid]!) < 0) lo = mid + 1;
      else hi = mid;
    }
    node = node.children[lo]!;
  }
  return node;
}

/** Position of the first of a leaf's keys at or after the target; `keys.length` when there is none. */
export function indexAtOrAfter<T>(keys: readonly T[], target: Bounds<T>): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (target.seek(keys[mid]!) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first key at or after the target, found without a cursor. */
export function firstAtOrAfter<T>(root: Node<T>, target: Bounds<T>): T | undefined {
  const keys = leafAtOrAfter(root, target).keys;
  return keys[indexAtOrAfter(keys, target)];
}

/** The stored key equal to `key`, if any. */
export function lookup<T>(root: Node<T>, key: T, cmp: Compare<T>): T | undefined {
  let node = root;
  while (node.children !== null) {
    if (node.keys.length === 0) return undefined;
    node = node.children[childFor(node.keys, key, cmp)]!;
  }
  const keys = node.keys;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmp(keys[mid]!, key);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid;
    else return keys[mid];
  }
  return undefined;
}

/** A tree over keys that are already sorted and distinct, built bottom-up in linear time. */
export function fromSorted<T>(sorted: readonly T[]): Node<T> {
  if (sorted.length === 0) return emptyTree();
  let level: Node<T>[] = [];
  for (let i = 0; i < sorted.length; i += MAX) level.push(new Node(sorted.slice(i, i + MAX), null, null));
  while (level.length > 1) {
    const up: Node<T>[] = [];
    for (let i = 0; i < level.length; i += MAX) {
      const kids = level.slice(i, i + MAX);
      up.push(new Node(kids.map(lastKey), kids, null));
    }
    level = up;
  }
  return level[0]!;
}

/** Every key in order. */
export function toArray<T>(root: Node<T>): T[] {
  const out: T[] = [];
  collect(root, out);
  return out;
}

function collect<T>(node: Node<T>, out: T[]): void {
  if (node.children === null) {
    for (const k of node.keys) out.push(k);
    return;
  }
  for (const child of node.children) collect(child, out);
}

/**
 * Walks keys in order from the first one whose `seek` is >= 0. `next()` gives undefined at the end,
 * so keys must never be undefined themselves.
 */
export class Cursor<T> {
  private readonly path: Node<T>[] = [];
  private readonly at: number[] = [];
  private leaf: T[];
  private i: number;

  constructor(root: Node<T>, seek: Bounds<T> | null) {
    let node = root;
    while (node.children !== null) {
      let lo = 0;
      if (seek !== null) {
        let hi = node.keys.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (seek.seek(node.keys[mid]!) < 0) lo = mid + 1;
          else hi = mid;
        }
      }
      this.path.push(node);
      this.at.push(lo);
      node = node.children[lo]!;
    }
    this.leaf = node.keys;
    let lo = 0;
    if (seek !== null) {
      let hi = this.leaf.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (seek.seek(this.leaf[mid]!) < 0) lo = mid + 1;
        else hi = mid;
      }
    }
    this.i = lo;
  }

  next(): T | undefined {
    if (this.i < this.leaf.length) return this.leaf[this.i++];
    return this.nextLeaf() ? this.leaf[this.i++] : undefined;
  }

  /** Appends keys to `out` while `stop` says no; the fast path for collecting a range. */
  drainInto(out: T[], stop: Bounds<T> | null): void {
    for (;;) {
      const leaf = this.leaf;
      let i = this.i;
      const n = leaf.length;
      // A leaf whose last key is inside the range is copied whole, without a check per key.
      if (stop === null || (n > 0 && !stop.stop(leaf[n - 1]!))) {
        for (; i < n; i++) out.push(leaf[i]!);
      } else
        for (; i < n; i++) {
          const k = leaf[i]!;
          if (stop.stop(k)) {
            this.i = i;
            return;
          }
          out.push(k);
        }
      this.i = i;
      if (!this.nextLeaf()) return;
    }
  }

  private nextLeaf(): boolean {
    const path = this.path;
    while (path.length > 0) {
      const top = path.length - 1;
      const p = this.at[top]! + 1;
      this.at[top] = p;
      const node = path[top]!;
      if (p < node.children!.length) {
        let child = node.children![p]!;
        while (child.children !== null) {
          path.push(child);
          this.at.push(0);
          child = child.children[0]!;
        }
        this.leaf = child.keys;
        this.i = 0;
        if (this.leaf.length > 0) return true;
        continue;
      }
      path.pop();
      this.at.pop();
    }
    return false;
  }
}
