// The attendee list as a CSV download, streamed: its own lambda with a function URL and
// `streaming: true`, so the client gets the first rows while the rest are still being written, and
// the proxy and the node never hold the whole file. Emails are never listed, as on the page.
import { attendees, connection } from './attendees.js';
import { csvLine } from './csv.js';
import type { PageAttendee } from './page.js';
import { ionize, type Handler } from './serverless-ions.js';

async function* rows(list: readonly PageAttendee[]): AsyncGenerator<string> {
  yield csvLine(['name', 'signedUpAt']);
  for (const attendee of list) yield csvLine([attendee.name, attendee.signedUpAt.toISOString()]);
}

export const app: Handler = async (req) => {
  if (req.requestMethod !== 'get' || req.uri !== '/') {
    return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'GET / for the attendee list as CSV\n' };
  }
  const conn = await connection();
  return {
    status: 200,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="attendees.csv"' },
    body: rows(await attendees(conn.db())),
  };
};

export const handler = ionize(app);
