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

function lazyLeaf(list: SegmentList, at: number): Node<Datom> {
  const leaf = new Node<Datom>([], null, null);
  Object.defineProperty(leaf, 'keys', { get: () => segmentDatoms(list, at), enumerable: true });
  return leaf;
}

export function lazyTree(list: SegmentList): Node<Datom> {
  if (list.refs.length === 0) return emptyTree();
  let level = list.refs.map((_, i) => lazyLeaf(list, i));
  let lasts = list.refs.map((ref) => ref.last);
  while (level.length > 1) {
    const up: Node<Datom>[] = [];
    const upLasts: Datom[] = [];
    for (let i = 0; i < level.length; i += FANOUT) {
      up.push(new Node(lasts.slice(i, i + FANOUT), level.slice(i, i + FANOUT), null));
      upLasts.push(lasts[Math.min(i + FANOUT, level.length) - 1]!);
    }
    level = up;
    lasts = upLasts;
  }
  // A lone leaf still gets a branch above it, so that a read of the root's keys never loads a segment.
  return level[0]!.children === null ? new Node([lasts[0]!], level, null) : level[0]!;
}
