// Where each term of a clause gets its value from, relative to the columns bound so far.
import type { Term } from './ast.js';
import type { Row } from './tuple-set.js';

export type Slot =
  | { readonly k: 'const'; readonly value: unknown }
  /** Bound before this clause, in column `col`. */
  | { readonly k: 'bound'; readonly col: number }
  /** First bound by this clause, into new column `col`. */
  | { readonly k: 'new'; readonly col: number }
  /** Bound earlier in this same clause, into column `col`: must be equal. */
  | { readonly k: 'dup'; readonly col: number }
  | { readonly k: 'blank' }
  | { readonly k: 'src'; readonly name: string };

/** Maps terms to slots, appending each newly bound variable to `cols`. */
export function slotsFor(terms: readonly Term[], cols: string[]): Slot[] {
  const before = cols.length;
  return terms.map((t): Slot => {
    switch (t.t) {
      case 'const':
        return { k: 'const', value: t.value };
      case 'blank':
        return { k: 'blank' };
      case 'src':
        return { k: 'src', name: t.name };
      case 'var': {
        const at = cols.indexOf(t.name);
        if (at >= 0) return at < before ? { k: 'bound', col: at } : { k: 'dup', col: at };
        cols.push(t.name);
        return { k: 'new', col: cols.length - 1 };
      }
    }
  });
}

/** The value a known slot (const or bound) has for `row`. */
export function slotGetter(slot: Slot): ((row: Row) => unknown) | undefined {
  if (slot.k === 'const') {
    const value = slot.value;
    return () => value;
  }
  if (slot.k === 'bound') {
    const col = slot.col;
    return (row) => row[col];
  }
  return undefined;
}
