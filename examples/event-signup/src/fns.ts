// The functions queries and transactions may call by name: both are on the `allow` list in
// serverless.yml. They run inside the node, in the query or inside the transaction.
import { kw, q, type Database, type TxData } from './serverless-ions.js';

/** Query function: the form emails are stored in, so that `Ada@Example.COM ` finds `ada@example.com`. */
export function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class EventFullError extends Error {
  override readonly name = 'EventFullError';
}

export interface SignupArgs {
  name: string;
  email: string;
  source: 'web' | 'csv' | 'queue';
}

/**
 * Transaction function: signs someone up, or updates the name of someone already signed up (upsert
 * by email). Refuses a new attendee once `capacity` people have signed up; it runs against the
 * transaction's own database value, so two last-seat sign-ups can never both get in.
 */
export function signup(db: Database, attendee: SignupArgs, capacity: number): TxData {
  const email = normalEmail(attendee.email);
  const existing = db.entid([kw(':attendee/email'), email]);
  if (existing === undefined) {
    const count = (q('[:find (count ?a) . :where [?a :attendee/email]]', db) as number | null) ?? 0;
    if (count >= capacity) throw new EventFullError(`the event is full: all ${capacity} seats are taken`);
    return [
      {
        ':attendee/email': email,
        ':attendee/name': attendee.name,
        ':attendee/signedUpAt': new Date(),
        ':attendee/source': kw(`:source/${attendee.source}`),
      },
    ];
  }
  return [{ ':attendee/email': email, ':attendee/name': attendee.name }];
}
