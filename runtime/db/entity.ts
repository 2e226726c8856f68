// Lazy entities: nothing is read until an attribute is asked for, and each answer is kept.
import { Keyword } from './edn-names.js';
import type { Database, Datom, Entity, EntityId } from './types.js';

export class EntityView implements Entity {
  private readonly cache = new Map<string, unknown>();

  constructor(
    readonly db: Database,
    readonly id: EntityId,
  ) {}

  get(attr: string | Keyword): unknown {
    const key = typeof attr === 'string' ? (attr.startsWith(':') ? attr : `:${attr}`) : attr.toString();
    if (key === ':db/id') return this.id;
    if (this.cache.has(key)) return this.cache.get(key);
    const value = this.read(Keyword.of(key));
    this.cache.set(key, value);
    return value;
  }

  private read(ident: Keyword): unknown {
    if (ident.name.startsWith('_')) {
      const forward = Keyword.of(`${ident.ns === undefined ? '' : `${ident.ns}/`}${ident.name.slice(1)}`);
      const attr = this.db.attribute(forward);
      if (attr === undefined) throw new TypeError(`entity ${this.id}: unknown attribute ${forward} (from ${ident})`);
      if (attr.valueType !== 'ref') throw new TypeError(`entity ${this.id}: ${ident} walks ${forward} backwards, but it is not a ref attribute`);
      const sources = this.db.datomArray('vaet', this.id, attr.id).map((d) => new EntityView(this.db, d.e));
      if (attr.isComponent) return sources[0];
      return sources.length === 0 ? undefined : sources;
    }
    const attr = this.db.attribute(ident);
    if (attr === undefined) throw new TypeError(`entity ${this.id}: unknown attribute ${ident}`);
    return this.valueOf(this.db.datomArray('eavt', this.id, attr.id), attr.valueType === 'ref', attr.cardinality === 'many');
  }

  private valueOf(datoms: readonly Datom[], isRef: boolean, isMany: boolean): unknown {
    const values = datoms.map((d) => (isRef ? new EntityView(this.db, d.v as number) : d.v));
    if (isMany) return values.length === 0 ? undefined : values;
    return values[0];
  }

  keys(): string[] {
    const out: string[] = [];
    let last = -1;
    for (const d of this.db.datomArray('eavt', this.id)) {
      if (d.a === last) continue;
      last = d.a;
      out.push(this.db.ident(d.a)!.toString());
    }
    return out;
  }

  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = { ':db/id': this.id };
    for (const key of this.keys()) out[key] = this.get(key);
    return out;
  }

  toJSON(): { ':db/id': EntityId } {
    return { ':db/id': this.id };
  }
}
