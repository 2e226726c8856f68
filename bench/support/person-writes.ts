// The logical write the durable-storage benchmarks repeat: one person entity of three attributes per
// transaction, the same on every backend and in the SQLite peer's one-row insert.
import { kw } from '../../runtime/db/edn-names.js';

const attr = (ident: string, type: string): Record<string, unknown> => ({
  ':db/ident': kw(ident),
  ':db/valueType': kw(`:db.type/${type}`),
  ':db/cardinality': kw(':db.cardinality/one'),
});

export const personSchema = [attr(':person/name', 'string'), attr(':person/age', 'long'), attr(':person/email', 'string')];

export const person = (i: number): Record<string, unknown> => ({ ':person/name': `person ${i}`, ':person/age': i % 100, ':person/email': `p${i}@example.com` });
