import { type Db, emptyDb, kw, transact } from '../../../runtime/db/index.js';
import type { Datom, Database } from '../../../runtime/db/index.js';

export interface AttrDef {
  type: string;
  many?: boolean;
  unique?: 'identity' | 'value';
  component?: boolean;
  noHistory?: boolean;
  tupleAttrs?: string[];
  tupleType?: string;
  tupleTypes?: string[];
}

/** Tx data installing attributes given as { ':person/name': { type: 'string' } }. */
export function schemaTx(defs: Record<string, AttrDef>): Record<string, unknown>[] {
  return Object.entries(defs).map(([ident, d]) => {
    const m: Record<string, unknown> = {
      ':db/ident': kw(ident),
      ':db/valueType': kw(`:db.type/${d.type}`),
      ':db/cardinality': kw(d.many ? ':db.cardinality/many' : ':db.cardinality/one'),
    };
    if (d.unique) m[':db/unique'] = kw(`:db.unique/${d.unique}`);
    if (d.component) m[':db/isComponent'] = true;
    if (d.noHistory) m[':db/noHistory'] = true;
    if (d.tupleAttrs) m[':db/tupleAttrs'] = d.tupleAttrs.map((a) => kw(a));
    if (d.tupleType) m[':db/tupleType'] = kw(`:db.type/${d.tupleType}`);
    if (d.tupleTypes) m[':db/tupleTypes'] = d.tupleTypes.map((t) => kw(`:db.type/${t}`));
    return m;
  });
}

export const PEOPLE: Record<string, AttrDef> = {
  ':person/name': { type: 'string', unique: 'identity' },
  ':person/email': { type: 'string', unique: 'value' },
  ':person/age': { type: 'long' },
  ':person/aliases': { type: 'string', many: true },
  ':person/friends': { type: 'ref', many: true },
  ':person/best': { type: 'ref' },
  ':person/address': { type: 'ref', component: true },
  ':person/tags': { type: 'keyword', many: true },
  ':address/city': { type: 'string' },
  ':address/zip': { type: 'string' },
  ':person/counter': { type: 'long', noHistory: true },
};

/** A db with PEOPLE installed at t = 1 (instant 1000 ms). */
export function peopleDb(): Db {
  return transact(emptyDb(), schemaTx(PEOPLE), { now: new Date(1000) }).dbAfter as Db;
}

export function eav(ds: Iterable<Datom>, db?: Database): unknown[][] {
  return [...ds].map((d) => [d.e, db ? db.ident(d.a)?.toString() : d.a, d.v, d.added]);
}
