// The four indexes over one set of datoms. A database value holds two sets: the live datoms (what is
// true now, each fact once) and the history (retracted facts: each assertion that was later retracted
// and its retraction), like Datomic's current and history indexes. VAET holds ref datoms only.
import type { Datom } from '../types.js';
import { type Edit, type Node, fromSorted, insert, lastChanged, lastRemoved, remove } from './btree.js';
import { AEVT, AVET, EAVT, VAET } from './orders.js';

export interface IndexRoots {
  readonly eavt: Node<Datom>;
  readonly aevt: Node<Datom>;
  readonly avet: Node<Datom>;
  readonly vaet: Node<Datom>;
}

/** Index roots being updated by one transaction; nodes it made are changed in place. */
export class IndexWriter {
  eavt: Node<Datom>;
  aevt: Node<Datom>;
  avet: Node<Datom>;
  vaet: Node<Datom>;

  constructor(
    roots: IndexRoots,
    private readonly edit: Edit,
    /** true for a history set, whose order includes tx and added. */
    private readonly history: boolean,
  ) {
    this.eavt = roots.eavt;
    this.aevt = roots.aevt;
    this.avet = roots.avet;
    this.vaet = roots.vaet;
  }

  /** false when the datom (by e, a, v in a live set) was already there. */
  add(d: Datom, isRef: boolean): boolean {
    const full = this.history;
    const edit = this.edit;
    this.eavt = insert(this.eavt, d, full ? EAVT.full : EAVT.key, edit);
    if (!lastChanged()) return false;
    this.aevt = insert(this.aevt, d, full ? AEVT.full : AEVT.key, edit);
    this.avet = insert(this.avet, d, full ? AVET.full : AVET.key, edit);
    if (isRef) this.vaet = insert(this.vaet, d, full ? VAET.full : VAET.key, edit);
    return true;
  }

  /** Takes the live datom with d's e, a and v out; gives the stored one (with its own tx). */
  removeLive(d: Datom, isRef: boolean): Datom | undefined {
    const edit = this.edit;
    this.eavt = remove(this.eavt, d, EAVT.key, edit);
    if (!lastChanged()) return undefined;
    const stored = lastRemoved<Datom>();
    this.aevt = remove(this.aevt, d, AEVT.key, edit);
    this.avet = remove(this.avet, d, AVET.key, edit);
    if (isRef) this.vaet = remove(this.vaet, d, VAET.key, edit);
    return stored;
  }

  roots(): IndexRoots {
    return { eavt: this.eavt, aevt: this.aevt, avet: this.avet, vaet: this.vaet };
  }
}

/**
 * Index roots over datoms already in EAVT order (bulk load). AEVT falls out of a stable split by
 * attribute; AVET only needs each attribute's run sorted by value.
 */
export function rootsFromEavt(eavt: readonly Datom[], isRef: (a: number) => boolean, history: boolean): IndexRoots {
  const byAttr = new Map<number, Datom[]>();
  for (const d of eavt) {
    const run = byAttr.get(d.a);
    if (run === undefined) byAttr.set(d.a, [d]);
    else run.push(d);
  }
  const attrs = [...byAttr.keys()].sort((x, y) => x - y);
  const aevt: Datom[] = [];
  const avet: Datom[] = [];
  const refs: Datom[] = [];
  const avetOrder = history ? AVET.full : AVET.key;
  for (const a of attrs) {
    const run = byAttr.get(a)!;
    for (const d of run) aevt.push(d);
    for (const d of history ? run.slice().sort(avetOrder) : sortByValue(run)) avet.push(d);
    if (isRef(a)) for (const d of run) refs.push(d);
  }
  return {
    eavt: fromSorted(eavt),
    aevt: fromSorted(aevt),
    avet: fromSorted(avet),
    vaet: fromSorted(refs.sort(history ? VAET.full : VAET.key)),
  };
}

// One attribute's live datoms (in entity order) in AVET order. When every value is a number, or
// every one a string (the usual case), the datoms are grouped by value, which keeps entity order
// within a value, and only the distinct values get sorted.
function sortByValue(run: readonly Datom[]): Datom[] {
  const t = typeof run[0]!.v;
  let primitive = t === 'number' || t === 'string';
  for (let i = 0; primitive && i < run.length; i++) primitive = typeof run[i]!.v === t;
  if (!primitive) return run.slice().sort(AVET.key);
  const groups = new Map<unknown, Datom[]>();
  for (const d of run) {
    const g = groups.get(d.v);
    if (g === undefined) groups.set(d.v, [d]);
    else g.push(d);
  }
  const values = [...groups.keys()];
  if (t === 'number') (values as number[]).sort((x, y) => x - y);
  else (values as string[]).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const out: Datom[] = [];
  for (const v of values) for (const d of groups.get(v)!) out.push(d);
  return out;
}

/**
 * Datoms in EAVT order (`full` adds tx and added). Entities hold few datoms each, so grouping by
 * entity and sorting the small groups beats one comparison sort of everything.
 */
export function sortEavt(datoms: readonly Datom[], full: boolean): Datom[] {
  const groups = new Map<number, Datom[]>();
  for (const d of datoms) {
    const g = groups.get(d.e);
    if (g === undefined) groups.set(d.e, [d]);
    else g.push(d);
  }
  const es = Float64Array.from(groups.keys()).sort();
  const cmp = full ? EAVT.full : EAVT.key;
  const out: Datom[] = [];
  for (const e of es) {
    const g = groups.get(e)!;
    if (g.length > 1) g.sort(cmp);
    for (const d of g) out.push(d);
  }
  return out;
}

/** Index roots over datoms in no particular order (bulk load). */
export function rootsFromDatoms(datoms: readonly Datom[], isRef: (a: number) => boolean, history: boolean): IndexRoots {
  return rootsFromEavt(sortEavt(datoms, history), isRef, history);
}
