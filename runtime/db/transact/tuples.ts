// Composite tuples: the database keeps each one equal to the values of its parts, asserting it when
// a part changes and retracting it when every part is gone.
import type { Schema } from '../schema/schema.js';
import type { Value } from '../types.js';
import type { TxWriter } from './apply.js';

export function maintainTuples(w: TxWriter, schema: Schema): void {
  for (const [tupleId, entities] of w.tuplesTouched) {
    const attr = schema.attrs.get(tupleId)!;
    for (const e of entities) {
      const parts = attr.tupleAttrs!.map((a) => w.first(e, a)?.v ?? null);
      if (parts.every((p) => p === null)) w.retractAttr(e, attr);
      else w.add(e, attr, parts as unknown as Value, undefined);
    }
  }
}
