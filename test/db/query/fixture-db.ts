// A small Database over sorted arrays, so the query engine is tested on its own: enough of the
// contract for queries (index access, ident and lookup-ref resolution, attributes, history).
import { Keyword, kw } from '../../../runtime/db/edn-names.js';
import type { Attribute, Database, Datom, EntityId, EntityRef, FunctionRegistry, IndexName, ValueType, Value } from '../../../runtime/db/types.js';
import { compareValues } from '../../../runtime/db/query/values.js';

export interface AttrSpec {
  readonly valueType?: ValueType;
  readonly cardinality?: 'one' | 'many';
  readonly unique?: 'identity' | 'value';
}

const ORDER: Readonly<Record<IndexName, readonly ('e' | 'a' | 'v' | 'tx')[]>> = {
  eavt: ['e', 'a', 'v', 'tx'],
  aevt: ['a', 'e', 'v', 'tx'],
  avet: ['a', 'v', 'e', 'tx'],
  vaet: ['v', 'a', 'e', 'tx'],
};

const unsupported = (what: string) => (): never => {
  throw new Error(`fixture db: ${what} is not supported`);
};

export const FIRST_ENTITY = 1000;
const TX = 100000;

/** Entities as plain objects keyed by attribute name (without colon); `id` gives a fixed entity id. */
export function fixtureDb(
  schema: Record<string, AttrSpec>,
  entities: readonly Record<string, unknown>[],
  functions: FunctionRegistry = { resolve: () => undefined },
  retracted: readonly Record<string, unknown>[] = [],
): Database {
  const attrs = new Map<EntityId, Attribute>();
  const byIdent = new Map<Keyword, Attribute>();
  let nextAttr = 1;
  const attribute = (name: string): Attribute => {
    const ident = kw(name);
    let found = byIdent.get(ident);
    if (found === undefined) {
      const spec = schema[name] ?? {};
      found = { id: nextAttr++, ident, valueType: spec.valueType ?? 'string', cardinality: spec.cardinality ?? 'one', isComponent: false, noHistory: false, ...(spec.unique ? { unique: spec.unique } : {}) };
      attrs.set(found.id, found);
      byIdent.set(ident, found);
    }
    return found;
  };
  for (const name of Object.keys(schema)) attribute(name);
  const all: Datom[] = [];
  const add = (list: readonly Record<string, unknown>[], added: boolean, tx: number) => {
    list.forEach((entity, i) => {
      const e = typeof entity.id === 'number' ? entity.id : FIRST_ENTITY + i;
      for (const [name, value] of Object.entries(entity)) {
        if (name === 'id') continue;
        const a = attribute(name);
        const values = a.cardinality === 'many' && Array.isArray(value) ? value : [value];
        for (const v of values) all.push({ e, a: a.id, v: v as Value, tx, added });
      }
    });
  };
  add(entities, true, TX);
  add(retracted, false, TX + 1);
  const cmp = (order: readonly ('e' | 'a' | 'v' | 'tx')[]) => (x: Datom, y: Datom) => {
    for (const k of order) {
      const c = compareValues(x[k], y[k]);
      if (c !== 0) return c;
    }
    return 0;
  };
  const make = (history: boolean): Database => {
    const visible = history ? all : all.filter((d) => d.added && !all.some((r) => !r.added && r.e === d.e && r.a === d.a && compareValues(r.v, d.v) === 0));
    const sorted = Object.fromEntries(Object.entries(ORDER).map(([name, order]) => [name, [...visible].sort(cmp(order))])) as Record<IndexName, Datom[]>;
    const entid = (ref: EntityRef): EntityId | undefined => {
      if (typeof ref === 'number') return ref;
      if (ref instanceof Keyword) return byIdent.get(ref)?.id;
      const [attr, value] = ref;
      const a = db.attribute(attr);
      if (a === undefined) return undefined;
      return sorted.avet.find((d) => d.a === a.id && compareValues(d.v, value) === 0)?.e;
    };
    const datomArray = (index: IndexName, ...components: unknown[]): Datom[] => {
      const order = ORDER[index];
      return sorted[index].filter((d) => components.every((c, i) => compareValues(d[order[i]!], c) === 0));
    };
    const db: Database = {
      basisT: 1,
      isHistory: history,
      functions,
      datoms: datomArray,
      datomArray,
      seekDatoms: unsupported('seekDatoms'),
      indexRange: (attr, start, end) => {
        const a = db.attribute(attr)?.id;
        return sorted.avet.filter((d) => d.a === a && (start === undefined || compareValues(d.v, start) >= 0) && (end === undefined || compareValues(d.v, end) < 0));
      },
      entid,
      ident: (id) => attrs.get(id)?.ident,
      attribute: (ref) => {
        const id = entid(ref);
        return id === undefined ? undefined : attrs.get(id);
      },
      asOf: unsupported('asOf'),
      since: unsupported('since'),
      history: () => make(true),
      with: unsupported('with'),
      entity: unsupported('entity'),
      txRange: unsupported('txRange'),
    };
    return db;
  };
  return make(false);
}
