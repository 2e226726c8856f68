// The history indexes of a database value, built when first read. A transaction only records the
// datoms it moves to history (each retracted assertion and its retraction); the first read of a
// value's history (an asOf, since or history view, an index write) inserts everything recorded since
// the nearest value whose history was built, in one batch. Writers that never read history then pay
// nothing per transaction for it, and a reader pays once per batch instead of once per transaction.
import type { Edit, Node } from '../index/btree.js';
import { type IndexRoots, IndexWriter } from '../index/indexes.js';
import type { Schema } from '../schema/schema.js';
import type { Datom } from '../types.js';

export class LazyHistory implements IndexRoots {
  private built: IndexRoots | undefined;

  private constructor(
    built: IndexRoots | undefined,
    /** The history this one adds to, until built. */
    private base: LazyHistory | undefined,
    /** Datoms moved to history by one transaction, until built. */
    private added: readonly Datom[],
    /** Says which datoms go to VAET; an attribute's value type never changes, so a later schema will do. */
    private schema: Schema | undefined,
  ) {
    this.built = built;
  }

  /** `history` as a base to add to: itself when it is lazy already. */
  static of(history: IndexRoots): LazyHistory {
    return history instanceof LazyHistory ? history : new LazyHistory(history, undefined, [], undefined);
  }

  /** This history plus `added`, left unbuilt. */
  plus(added: readonly Datom[], schema: Schema): LazyHistory {
    return added.length === 0 ? this : new LazyHistory(undefined, this, added, schema);
  }

  get eavt(): Node<Datom> {
    return this.roots().eavt;
  }

  get aevt(): Node<Datom> {
    return this.roots().aevt;
  }

  get avet(): Node<Datom> {
    return this.roots().avet;
  }

  get vaet(): Node<Datom> {
    return this.roots().vaet;
  }

  private roots(): IndexRoots {
    if (this.built !== undefined) return this.built;
    // Walk back to the nearest built history without recursion: chains can be long.
    const chain: LazyHistory[] = [];
    let at: LazyHistory = this;
    while (at.built === undefined) {
      chain.push(at);
      at = at.base!;
    }
    const schema = this.schema!;
    const writer = new IndexWriter(at.built, {} as Edit, true);
    for (let i = chain.length - 1; i >= 0; i--) {
      for (const d of chain[i]!.added) writer.add(d, schema.attrs.get(d.a)?.isRef === true);
    }
    this.built = writer.roots();
    this.base = undefined;
    this.added = [];
    this.schema = undefined;
    return this.built;
  }
}
