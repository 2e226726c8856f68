import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cursor, emptyTree, firstAtOrAfter, fromSorted, insert, lookup, remove, toArray, type Node } from '../../../runtime/db/index/btree.js';

const cmp = (a: number, b: number): number => a - b;
const at = (target: number) => ({ seek: (k: number) => k - target, stop: () => false });

function depthsEqual(node: Node<number>): number {
  if (node.children === null) return 0;
  const depths = node.children.map(depthsEqual);
  expect(new Set(depths).size).toBe(1);
  // Every child's greatest key but the last child's, which no search reads and inserts leave stale.
  node.children.slice(0, -1).forEach((c, i) => expect(node.keys[i]).toBe(maxOf(c)));
  return depths[0]! + 1;
}

function maxOf(node: Node<number>): number {
  return node.children === null ? node.keys[node.keys.length - 1]! : maxOf(node.children[node.children.length - 1]!);
}

const ops = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2000 })), { maxLength: 1500 });

describe('persistent B+ tree', () => {
  it('holds the same keys as a sorted-set model under random inserts and removes', () => {
    fc.assert(
      fc.property(ops, fc.boolean(), (steps, transient) => {
        let root = emptyTree<number>();
        const model = new Set<number>();
        const edit = transient ? {} : null;
        for (const [add, k] of steps) {
          if (add) {
            root = insert(root, k, cmp, edit);
            model.add(k);
          } else {
            root = remove(root, k, cmp, edit);
            model.delete(k);
          }
        }
        expect(toArray(root)).toEqual([...model].sort(cmp));
        depthsEqual(root);
        for (const k of [0, 7, 500, 2000]) expect(lookup(root, k, cmp)).toBe(model.has(k) ? k : undefined);
      }),
      { numRuns: 60 },
    );
  });

  it('leaves earlier roots untouched (structural sharing, no mutation outside an edit)', () => {
    fc.assert(
      fc.property(ops, (steps) => {
        const roots: Node<number>[] = [emptyTree()];
        const snapshots: number[][] = [[]];
        for (const [add, k] of steps.slice(0, 300)) {
          const prev = roots[roots.length - 1]!;
          roots.push(add ? insert(prev, k, cmp, {}) : remove(prev, k, cmp, {}));
          snapshots.push(toArray(roots[roots.length - 1]!));
        }
        roots.forEach((r, i) => expect(toArray(r)).toEqual(snapshots[i]));
      }),
      { numRuns: 20 },
    );
  });

  it('leaves earlier roots untouched when one edit makes several changes (branches that share keys arrays)', () => {
    const batches = fc.array(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 4000 })), { minLength: 1, maxLength: 12 }), { minLength: 20, maxLength: 120 });
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(3000), { minLength: 300, maxLength: 800 }), batches, (start, txs) => {
        // Built by inserts, so leaves have room and an insert need not split.
        const roots = [start.reduce((root, k) => insert(root, k, cmp, null), emptyTree<number>())];
        const snapshots: number[][] = [toArray(roots[0]!)];
        for (const tx of txs) {
          const edit = {};
          let root = roots[roots.length - 1]!;
          for (const [add, k] of tx) root = add ? insert(root, k, cmp, edit) : remove(root, k, cmp, edit);
          roots.push(root);
          snapshots.push(toArray(root));
        }
        roots.forEach((r, i) => {
          expect(toArray(r)).toEqual(snapshots[i]);
          depthsEqual(r);
        });
      }),
      { numRuns: 40 },
    );
  });

  it('bulk-loads sorted keys into a valid tree', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => i * 2);
    const root = fromSorted(keys);
    expect(toArray(root)).toEqual(keys);
    depthsEqual(root);
    const grown = insert(root, 5, cmp, null);
    expect(toArray(grown).slice(0, 5)).toEqual([0, 2, 4, 5, 6]);
    expect(toArray(root).slice(0, 4)).toEqual([0, 2, 4, 6]);
  });

  it('seeks and walks ranges across leaves', () => {
    const root = fromSorted(Array.from({ length: 1000 }, (_, i) => i * 3));
    const c = new Cursor(root, at(301));
    expect([c.next(), c.next(), c.next()]).toEqual([303, 306, 309]);
    const out: number[] = [];
    new Cursor(root, at(2980)).drainInto(out, null);
    expect(out).toEqual([2982, 2985, 2988, 2991, 2994, 2997]);
    const some: number[] = [];
    new Cursor(root, at(0)).drainInto(some, { seek: () => 0, stop: (k) => k > 400 });
    expect(some.length).toBe(134);
    expect(firstAtOrAfter(root, at(1000))).toBe(1002);
    expect(firstAtOrAfter(root, at(5000))).toBeUndefined();
    expect(new Cursor(emptyTree<number>(), at(1)).next()).toBeUndefined();
  });

  it('drains exactly the keys from the seek target to the stop, whether a leaf is in range whole or in part', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(5000), { maxLength: 1500 }), fc.nat(5000), fc.nat(5000), (keys, from, to) => {
        const sorted = keys.sort(cmp);
        const out: number[] = [];
        new Cursor(fromSorted(sorted), at(from)).drainInto(out, { seek: (k) => k - from, stop: (k) => k >= to });
        expect(out).toEqual(sorted.filter((k) => k >= from && k < to));
      }),
    );
  });

  it('keeps nodes full when keys arrive in ascending order', () => {
    let root = emptyTree<number>();
    const edit = {};
    for (let i = 0; i < 6400; i++) root = insert(root, i, cmp, edit);
    const leaves: number[] = [];
    const walk = (n: Node<number>): void => (n.children === null ? void leaves.push(n.keys.length) : n.children.forEach(walk));
    walk(root);
    expect(leaves.length).toBe(100);
  });
});
