// The web ion: the sign-up page and a JSON API, as one ring handler. The page works without
// JavaScript: the form posts to /signups, which redirects back to the page (or shows what was wrong).
import { attendees, connection, eventFull, eventSettings, signUp } from './attendees.js';
import { renderPage, type PageData } from './page.js';
import { event, ionize, type Handler, type IonRequest, type IonResponse } from './serverless-ions.js';
import { checkSignup } from './signup-input.js';

const json = (status: number, body: Record<string, unknown>): IonResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body,
});

const html = (status: number, body: string): IonResponse => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body,
});

/** The request body as a plain object: JSON or an HTML form; undefined when it is neither. */
function bodyFields(req: IonRequest): unknown {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const text = req.body?.toString('utf8') ?? '';
  if (type === 'application/json') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Answered as a 400 naming the problem; the parser's message would only echo the input.
      return undefined;
    }
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  return undefined;
}

async function page(extra: Partial<PageData> = {}, status = 200): Promise<IonResponse> {
  const conn = await connection();
  const { name, capacity } = eventSettings();
  return html(status, renderPage({ eventName: name, capacity, attendees: await attendees(conn.db()), ...extra }));
}

async function listAttendees(req: IonRequest): Promise<IonResponse> {
  const conn = await connection();
  const { name, capacity } = eventSettings();
  const email = typeof req.query.email === 'string' ? req.query.email : undefined;
  const all = await attendees(conn.db());
  const shown = email === undefined ? all : await attendees(conn.db(), email);
  return json(200, {
    event: { name, capacity, seatsLeft: Math.max(0, capacity - all.length) },
    attendees: shown.map((a) => ({ name: a.name, signedUpAt: a.signedUpAt.toISOString() })),
  });
}

async function apiSignup(req: IonRequest): Promise<IonResponse> {
  const fields = bodyFields(req);
  if (fields === undefined) return json(400, { errors: { body: 'send JSON (application/json) or a form (application/x-www-form-urlencoded)' } });
  const checked = checkSignup(fields);
  if (!checked.ok) return json(400, { errors: checked.errors });
  try {
    const result = await signUp(await connection(), { ...checked.value, source: 'web' });
    event({ msg: 'signed up', created: result.created });
    return json(result.created ? 201 : 200, { attendee: { name: result.name, email: result.email }, created: result.created });
  } catch (error) {
    const full = eventFull(error);
    if (full !== undefined) return json(409, { error: full.message });
    throw error;
  }
}

async function formSignup(req: IonRequest): Promise<IonResponse> {
  const fields = bodyFields(req) ?? {};
  const values = fields as { name?: string; email?: string };
  const checked = checkSignup(fields);
  if (!checked.ok) return page({ errors: checked.errors, values }, 400);
  try {
    const result = await signUp(await connection(), { ...checked.value, source: 'web' });
    event({ msg: 'signed up', created: result.created });
    return { status: 303, headers: { location: result.created ? '/?welcome=1' : '/?updated=1' } };
  } catch (error) {
    const full = eventFull(error);
    if (full !== undefined) return page({ errors: { event: full.message }, values }, 409);
    throw error;
  }
}

export const app: Handler = async (req) => {
  const route = `${req.requestMethod} ${req.uri}`;
  switch (route) {
    case 'get /':
      return page(
        req.query.welcome !== undefined
          ? { notice: 'You are signed up. See you there!' }
          : req.query.updated !== undefined
            ? { notice: 'You were already signed up; we updated your name.' }
            : {},
      );
    case 'post /signups':
      return formSignup(req);
    case 'get /api/attendees':
      return listAttendees(req);
    case 'post /api/signups':
      return apiSignup(req);
    default:
      return req.uri.startsWith('/api/') ? json(404, { error: `no such endpoint: ${req.requestMethod.toUpperCase()} ${req.uri}` }) : html(404, '<!doctype html><title>Not found</title><p>Not found. <a href="/">Back to the sign-up page</a></p>');
  }
};

/** Runs on the node behind the proxy, and would run as a plain Lambda handler just as well. */
export const handler = ionize(app);
