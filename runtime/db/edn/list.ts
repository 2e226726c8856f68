// EDN tells lists `(...)` from vectors `[...]`; both read as arrays, and a list is this subclass so
// code that cares (a `(pull ...)` in a query, a function call in a clause) can tell them apart.
export class EdnList<T = unknown> extends Array<T> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  static from_(items: readonly unknown[]): EdnList {
    const list = new EdnList();
    for (const item of items) list.push(item);
    return list;
  }
}

/** Builds a list from data, e.g. `list(sym('pull'), sym('?e'), [kw(':name')])`. */
export function list(...items: unknown[]): EdnList {
  return EdnList.from_(items);
}

export function isList(value: unknown): value is EdnList {
  return value instanceof EdnList;
}
