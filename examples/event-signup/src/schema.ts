// The attendee schema, installed by a transaction the first time the app connects. Installing it
// again is harmless (attributes are upserted by ident), but skipped when it is already there.
import { kw, type Connection } from './serverless-ions.js';

const attribute = (ident: string, valueType: string, extra: Record<string, unknown> = {}) => ({
  ':db/ident': kw(ident),
  ':db/valueType': kw(`:db.type/${valueType}`),
  ':db/cardinality': kw(':db.cardinality/one'),
  ...extra,
});

export const schema = [
  attribute(':attendee/email', 'string', { ':db/unique': kw(':db.unique/identity'), ':db/doc': 'Lower-cased email address: who signed up' }),
  attribute(':attendee/name', 'string', { ':db/doc': 'Name as the attendee wrote it' }),
  attribute(':attendee/signedUpAt', 'instant', { ':db/doc': 'First sign-up; a later one with the same email keeps it' }),
  attribute(':attendee/source', 'keyword', { ':db/doc': ':source/web, :source/csv or :source/queue' }),
];

export async function ensureSchema(conn: Connection): Promise<void> {
  const db = conn.db();
  if (schema.every((a) => db.attribute(a[':db/ident']) !== undefined)) return;
  await conn.transact(schema);
}
