// B+ trees over segments that load their leaves on first touch. The branches are built in memory
// from the index root's segment list (a branch is keyed by its children's greatest datoms, which the
// list holds), and each leaf is a btree Node whose `keys` reads its segment through the caches. The
// index code walks these trees exactly as it walks in-memory ones: nothing in it changes, and plain
// in-memory trees never meet the accessor, so their reads keep their speed.
import { Node, emptyTree } from '../index/btree.js';
import type { Datom } from '../types.js';
import { type SegmentList, segmentDatoms } from './with-segments.js';

/** Children per branch, as the in-memory tree has at most. */
const FANOUT = 64;

/** A leaf whose datoms `read` gives each time they are needed; nothing is held by the node itself. */
export function lazyLeaf(read: () => Datom[]): Node<Datom> {
  const leaf = new Node<Datom>([], null, null);
  Object.defineProperty(leaf, 'keys', { get: read, enumerable: true });
  return leaf;
}

/** A tree over `leaves`, in order, whose greatest datoms are `lasts`. */
export function treeOf(leaves: readonly Node<Datom>[], lasts: readonly Datom[]): Node<Datom> {
  if (leaves.length === 0) return emptyTree();
  let level = leaves.slice();
  let keys = lasts.slice();
  while (level.length > 1) {
    const up: Node<Datom>[] = [];
    const upKeys: Datom[] = [];
    for (let i = 0; i < level.length; i += FANOUT) {
      up.push(new Node(keys.slice(i, i + FANOUT), level.slice(i, i + FANOUT), null));
      upKeys.push(keys[Math.min(i + FANOUT, level.length) - 1]!);
    }
    level = up;
    keys = upKeys;
  }
  // A lone leaf still gets a branch above it, so that a read of the root's keys never loads a segment.
  return level[0]!.children === null ? new Node([keys[0]!], level, null) : level[0]!;
}

export function lazyTree(list: SegmentList): Node<Datom> {
  return treeOf(
    list.refs.map((_, at) => lazyLeaf(() => segmentDatoms(list, at))),
    list.refs.map((ref) => ref.last),
  );
}
