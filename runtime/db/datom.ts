import type { Datom, EntityId, Value } from './types.js';

/**
 * The one datom shape: a fixed-layout class so every index holds monomorphic objects. The same
 * object sits in all indexes, the log and transaction reports.
 */
export class StoredDatom implements Datom {
  constructor(
    readonly e: EntityId,
    readonly a: EntityId,
    readonly v: Value,
    readonly tx: EntityId,
    readonly added: boolean,
  ) {}
}

export function datom(e: EntityId, a: EntityId, v: Value, tx: EntityId, added = true): Datom {
  return new StoredDatom(e, a, v, tx, added);
}
