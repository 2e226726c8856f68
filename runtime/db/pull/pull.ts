// Pull: a tree of attribute values for an entity, shaped by a pattern (see pattern.ts). Result maps
// are plain objects keyed ':ns/name' (or the :as name); cardinality many gives arrays (at most
// :limit, 1000 unless given); a ref without a nested pattern gives { ':db/id': id }, except a
// component, which is pulled whole. Nothing matched gives null.
import type { Database, Datom, EntityId, EntityRef } from '../types.js';
import type { Attribute } from '../types.js';
import { type AttrSpec, type ParsedPattern, type PullPattern, parsePattern } from './pattern.js';

export type { PullPattern } from './pattern.js';
export { PullPatternError } from './pattern.js';

const WHOLE: ParsedPattern = { wildcard: true, dbId: true, dbIdKey: ':db/id', attrs: [] };

interface Walk {
  readonly db: Database;
  /** Depth reached per recursive attribute spec. */
  readonly depths: Map<AttrSpec, number>;
  /** Entities on the current recursion path (a cycle stops at { ':db/id' }). */
  readonly path: Set<EntityId>;
  /** The patterns being applied, innermost last: what a recursive attribute applies again. */
  readonly patterns: ParsedPattern[];
}

/** The entity's tree, or null when the reference resolves to nothing or the entity has no datoms. */
export function pull(db: Database, pattern: PullPattern | unknown, ref: EntityRef): Record<string, unknown> | null {
  return pullParsed(db, parsePattern(pattern), ref);
}

export function pullMany(db: Database, pattern: PullPattern | unknown, refs: Iterable<EntityRef>): (Record<string, unknown> | null)[] {
  const parsed = parsePattern(pattern);
  const out: (Record<string, unknown> | null)[] = [];
  for (const ref of refs) out.push(pullParsed(db, parsed, ref));
  return out;
}

function pullParsed(db: Database, parsed: ParsedPattern, ref: EntityRef): Record<string, unknown> | null {
  const e = db.entid(ref);
  if (e === undefined) return null;
  const out = pullEntity({ db, depths: new Map(), path: new Set([e]), patterns: [] }, parsed, e);
  for (const key in out) if (key !== parsed.dbIdKey) return out;
  return db.datomArray('eavt', e).length === 0 ? null : out;
}

function pullEntity(walk: Walk, pattern: ParsedPattern, e: EntityId): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const db = walk.db;
  if (pattern.dbId || pattern.wildcard) out[pattern.dbIdKey] = e;
  walk.patterns.push(pattern);
  if (pattern.wildcard) {
    const all = db.datomArray('eavt', e);
    for (let i = 0; i < all.length; ) {
      let j = i + 1;
      while (j < all.length && all[j]!.a === all[i]!.a) j++;
      const attr = db.attribute(all[i]!.a)!;
      const explicit = pattern.attrs.some((s) => !s.reverse && s.ident === attr.ident);
      if (!explicit) out[attr.ident.toString()] = forwardValue(walk, attr, all.slice(i, j), undefined, attr.isComponent ? WHOLE : undefined);
      i = j;
    }
  }
  for (const spec of pattern.attrs) {
    const attr = db.attribute(spec.ident);
    if (attr === undefined) throw new TypeError(`pull: unknown attribute ${spec.ident}`);
    const value = spec.reverse ? reverseValue(walk, attr, spec, e) : forwardValue(walk, attr, db.datomArray('eavt', e, attr.id), spec, spec.sub);
    if (value !== undefined) out[spec.key] = value;
    else if (spec.hasDefault) out[spec.key] = spec.defaultValue;
  }
  walk.patterns.pop();
  return out;
}

function forwardValue(walk: Walk, attr: Attribute, datoms: readonly Datom[], spec: AttrSpec | undefined, sub: ParsedPattern | undefined): unknown {
  if (datoms.length === 0) return undefined;
  if (attr.cardinality === 'one') return valueOf(walk, attr, datoms[0]!.v, spec, sub);
  const limit = spec === undefined ? datoms.length : Math.min(datoms.length, spec.limit ?? Infinity);
  const out: unknown[] = [];
  for (let i = 0; i < limit; i++) {
    const v = valueOf(walk, attr, datoms[i]!.v, spec, sub);
    if (v !== undefined) out.push(v);
  }
  return out.length === 0 ? undefined : out;
}

function reverseValue(walk: Walk, attr: Attribute, spec: AttrSpec, e: EntityId): unknown {
  if (attr.valueType !== 'ref') throw new TypeError(`pull: ${spec.key} walks ${attr.ident} backwards, but it is not a ref attribute`);
  const sources = walk.db.datomArray('vaet', e, attr.id);
  if (sources.length === 0) return undefined;
  if (attr.isComponent) return refValue(walk, sources[0]!.e, spec, spec.sub);
  const limit = Math.min(sources.length, spec.limit ?? Infinity);
  const out: unknown[] = [];
  for (let i = 0; i < limit; i++) {
    const v = refValue(walk, sources[i]!.e, spec, spec.sub);
    if (v !== undefined) out.push(v);
  }
  return out.length === 0 ? undefined : out;
}

function valueOf(walk: Walk, attr: Attribute, v: unknown, spec: AttrSpec | undefined, sub: ParsedPattern | undefined): unknown {
  if (attr.valueType !== 'ref') return v;
  return refValue(walk, v as EntityId, spec, sub ?? (attr.isComponent && spec?.recurse === undefined ? WHOLE : undefined));
}

function refValue(walk: Walk, target: EntityId, spec: AttrSpec | undefined, sub: ParsedPattern | undefined): unknown {
  if (spec?.recurse !== undefined) return recurse(walk, spec, target);
  if (sub === undefined) return { ':db/id': target };
  return pullEntity(walk, sub, target);
}

// Applies the pattern that holds `spec` again, one level deeper, unless the depth is used up; an
// entity already on the path gives just its id.
function recurse(walk: Walk, spec: AttrSpec, target: EntityId): unknown {
  const depth = walk.depths.get(spec) ?? 0;
  if (depth >= spec.recurse!) return undefined;
  if (walk.path.has(target)) return { ':db/id': target };
  const pattern = walk.patterns[walk.patterns.length - 1]!;
  walk.depths.set(spec, depth + 1);
  walk.path.add(target);
  const out = pullEntity(walk, pattern, target);
  walk.path.delete(target);
  walk.depths.set(spec, depth);
  return out;
}
