// A people database of any size, built in bulk (datoms generated, then one dbFromDatoms) so that a
// million datoms take seconds, not the minutes a million transact calls would. Shared with
// bench/segments.
import { StoredDatom } from '../../../runtime/db/datom.js';
import { dbFromDatoms, emptyDb, type Db, type Datom, kw, tToTx, transact } from '../../../runtime/db/index.js';
import { DB_TX_INSTANT } from '../../../runtime/db/schema/bootstrap.js';

export const SCHEMA = [
  { ':db/ident': kw(':person/name'), ':db/valueType': kw(':db.type/string'), ':db/cardinality': kw(':db.cardinality/one'), ':db/unique': kw(':db.unique/identity') },
  { ':db/ident': kw(':person/age'), ':db/valueType': kw(':db.type/long'), ':db/cardinality': kw(':db.cardinality/one') },
  { ':db/ident': kw(':person/city'), ':db/valueType': kw(':db.type/string'), ':db/cardinality': kw(':db.cardinality/one') },
  { ':db/ident': kw(':person/friend'), ':db/valueType': kw(':db.type/ref'), ':db/cardinality': kw(':db.cardinality/many') },
  { ':db/ident': kw(':person/score'), ':db/valueType': kw(':db.type/long'), ':db/cardinality': kw(':db.cardinality/one'), ':db/noHistory': true },
];

/** Entity id of person i. */
export const FIRST_PERSON = 100_000;
/** Datoms per person, besides the transactions' own. */
export const DATOMS_PER_PERSON = 5;

export const personName = (i: number): string => `person-${i}`;

/** A db holding `people` people (5 datoms each), added `perTx` per transaction after the schema. */
export function syntheticDb(people: number, perTx = 10_000): Db {
  const schema = transact(emptyDb(), SCHEMA, { now: new Date(1_000) });
  const id = (ident: string): number => schema.dbAfter.entid(kw(ident))!;
  const [name, age, city, friend, score] = [':person/name', ':person/age', ':person/city', ':person/friend', ':person/score'].map(id) as [number, number, number, number, number];
  const datoms: Datom[] = [...schema.txData];
  let t = 1;
  for (let from = 0; from < people; from += perTx) {
    t++;
    const tx = tToTx(t);
    datoms.push(new StoredDatom(tx, DB_TX_INSTANT, new Date(1_000 + t), tx, true));
    for (let i = from; i < Math.min(from + perTx, people); i++) {
      const e = FIRST_PERSON + i;
      datoms.push(new StoredDatom(e, name, personName(i), tx, true));
      datoms.push(new StoredDatom(e, age, 20 + (i % 60), tx, true));
      datoms.push(new StoredDatom(e, city, `city-${i % 100}`, tx, true));
      datoms.push(new StoredDatom(e, friend, FIRST_PERSON + ((i * 7919) % people), tx, true));
      datoms.push(new StoredDatom(e, score, i, tx, true));
    }
  }
  return dbFromDatoms(datoms, { basisT: t });
}
