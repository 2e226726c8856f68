// The app's use of the datom store: one connection, the schema on it, the attendee queries and the
// sign-up transaction. Everything runs in the node's process: no network hop to a database.
import { normalEmail, type SignupArgs } from './fns.js';
import type { PageAttendee } from './page.js';
import { ensureSchema } from './schema.js';
import { getConnection, getEnv, kw, q, withSegments, type Connection, type Database } from './serverless-ions.js';

export interface EventSettings {
  name: string;
  capacity: number;
}

export function eventSettings(): EventSettings {
  const env = getEnv();
  const capacity = Number(env.EVENT_CAPACITY ?? '100');
  if (!Number.isInteger(capacity) || capacity < 0) {
    throw new Error(`ions.environment.EVENT_CAPACITY must be a whole number, got ${JSON.stringify(env.EVENT_CAPACITY)}`);
  }
  return { name: env.EVENT_NAME ?? 'Our event', capacity };
}

const ready = new WeakMap<Connection, Promise<void>>();

export async function connection(): Promise<Connection> {
  const conn = await getConnection(getEnv().DB_NAME ?? 'event-signup');
  let schema = ready.get(conn);
  if (schema === undefined) {
    schema = ensureSchema(conn);
    ready.set(conn, schema);
    schema.catch(() => ready.delete(conn));
  }
  await schema;
  return conn;
}

const ATTENDEES = `[:find ?name ?at
                    :keys name signedUpAt
                    :where [?a :attendee/name ?name]
                           [?a :attendee/signedUpAt ?at]]`;

// The allow-listed query function normalises the email asked for, so any spelling finds the attendee.
const ATTENDEES_BY_EMAIL = `[:find ?name ?at
                             :keys name signedUpAt
                             :in $ ?asked
                             :where [(src/fns.normalEmail ?asked) ?email]
                                    [?a :attendee/email ?email]
                                    [?a :attendee/name ?name]
                                    [?a :attendee/signedUpAt ?at]]`;

/**
 * Attendees in sign-up order; only the one with `email` when given. Emails are never listed.
 * withSegments: on a query-group node the database is read lazily from index segments, and a read
 * that reaches a segment not yet cached is run again once it is fetched; elsewhere it costs nothing.
 */
export async function attendees(db: Database, email?: string): Promise<PageAttendee[]> {
  const rows = (await withSegments(() => (email === undefined ? q(ATTENDEES, db) : q(ATTENDEES_BY_EMAIL, db, email)))) as PageAttendee[];
  return rows.sort((a, b) => a.signedUpAt.getTime() - b.signedUpAt.getTime() || a.name.localeCompare(b.name));
}

export interface SignupResult {
  name: string;
  email: string;
  /** false when the email had signed up before (the name was updated). */
  created: boolean;
}

/** Runs the `signup` transaction function; rejects with EventFullError when no seat is left. */
export async function signUp(conn: Connection, attendee: SignupArgs): Promise<SignupResult> {
  const { capacity } = eventSettings();
  const report = await conn.transact([['src/fns.signup', attendee, capacity]]);
  const email = normalEmail(attendee.email);
  return { name: attendee.name, email, created: report.dbBefore.entid([kw(':attendee/email'), email]) === undefined };
}

/** The EventFullError behind a failed transaction, if that is why it failed. */
export function eventFull(error: unknown): Error | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.name === 'EventFullError') return e;
  }
  return undefined;
}
