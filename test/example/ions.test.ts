// The example's ions, called as the node calls them, against an in-memory datom store.
import type { Context, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IonRequest, IonResponse } from '../../adapter/types.js';
import { getConnection } from '../../runtime/app/context.js';
import type { Storage } from '../../runtime/db/storage/storage.js';
import { localLambdaContext } from '../../runtime/dev/lambda-context.js';
import { app } from '../../examples/event-signup/src/web.js';
import { handler as queueHandler } from '../../examples/event-signup/src/signups-queue.js';
import { closeExampleContext, useExampleContext } from './example-context.js';

let storage: Storage;
beforeEach(() => {
  storage = useExampleContext();
});
afterEach(async () => closeExampleContext(storage));

function request(method: string, target: string, options: { body?: string; type?: string } = {}): IonRequest {
  const url = new URL(target, 'http://127.0.0.1');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? [...[query[k]!].flat(), v] : v;
  return {
    requestMethod: method,
    uri: url.pathname,
    queryString: url.search === '' ? undefined : url.search.slice(1),
    query,
    headers: options.type === undefined ? {} : { 'content-type': options.type },
    cookies: {},
    body: options.body === undefined ? undefined : Buffer.from(options.body),
    remoteAddr: '127.0.0.1',
    scheme: 'http',
    serverName: '127.0.0.1',
    serverPort: 3000,
    protocol: 'HTTP/1.1',
    pathParams: {},
    event: undefined,
    context: undefined,
  };
}

const postJson = (uri: string, value: unknown) => app(request('post', uri, { body: JSON.stringify(value), type: 'application/json' }));
const postForm = (uri: string, fields: Record<string, string>) =>
  app(request('post', uri, { body: new URLSearchParams(fields).toString(), type: 'application/x-www-form-urlencoded' }));
const bodyOf = (res: IonResponse) => res.body as Record<string, unknown>;
const names = async () => (bodyOf(await app(request('get', '/api/attendees'))).attendees as Array<{ name: string }>).map((a) => a.name);

describe('web ion: JSON API', () => {
  it('signs up, upserts by email in any spelling, and lists without emails', async () => {
    const first = await postJson('/api/signups', { name: 'Ada', email: 'ada@example.com' });
    expect(first.status).toBe(201);
    const again = await postJson('/api/signups', { name: 'Ada Lovelace', email: ' ADA@example.COM' });
    expect(again).toMatchObject({ status: 200, body: { created: false, attendee: { name: 'Ada Lovelace', email: 'ada@example.com' } } });

    const list = bodyOf(await app(request('get', '/api/attendees')));
    expect(list.event).toEqual({ name: 'Test Meetup', capacity: 3, seatsLeft: 2 });
    expect(list.attendees).toEqual([{ name: 'Ada Lovelace', signedUpAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
    expect(JSON.stringify(list)).not.toContain('ada@example.com');
  });

  it('finds one attendee by email through the allow-listed query function', async () => {
    await postJson('/api/signups', { name: 'Ada', email: 'ada@example.com' });
    await postJson('/api/signups', { name: 'Grace', email: 'grace@example.com' });
    const found = bodyOf(await app(request('get', '/api/attendees?email=%20Grace@EXAMPLE.com')));
    expect((found.attendees as Array<{ name: string }>).map((a) => a.name)).toEqual(['Grace']);
  });

  it('accepts a form body too', async () => {
    expect((await postForm('/api/signups', { name: 'Form Person', email: 'f@example.com' })).status).toBe(201);
    expect(await names()).toEqual(['Form Person']);
  });

  it.each([
    [{ name: '', email: 'x' }, { name: 'name is required', email: 'email is not a valid address' }],
    [['not', 'an object'], { body: 'expected an object with name and email' }],
  ])('answers 400 with the errors for %j', async (input, errors) => {
    expect(await postJson('/api/signups', input)).toMatchObject({ status: 400, body: { errors } });
    expect(await names()).toEqual([]);
  });

  it('answers 400 for a body that is not JSON or a form', async () => {
    const res = await app(request('post', '/api/signups', { body: '{oops', type: 'application/json' }));
    expect(res).toMatchObject({ status: 400, body: { errors: { body: expect.stringContaining('send JSON') } } });
  });

  it('refuses the fourth of three seats, all or nothing, and still lets a signed-up person update', async () => {
    for (const n of [1, 2, 3]) expect((await postJson('/api/signups', { name: `P${n}`, email: `p${n}@example.com` })).status).toBe(201);
    const conn = await getConnection('event-signup');
    const basis = conn.db().basisT;
    const refused = await postJson('/api/signups', { name: 'Late', email: 'late@example.com' });
    expect(refused).toMatchObject({ status: 409, body: { error: 'the event is full: all 3 seats are taken' } });
    expect(conn.db().basisT).toBe(basis);
    expect((await postJson('/api/signups', { name: 'P1 renamed', email: 'p1@example.com' })).status).toBe(200);
    expect(await names()).toEqual(['P1 renamed', 'P2', 'P3']);
  });

  it('never lets concurrent sign-ups past the capacity', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => postJson('/api/signups', { name: `C${i}`, email: `c${i}@example.com` })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(7);
    expect(await names()).toHaveLength(3);
  });

  it('answers 404 in JSON under /api and in HTML elsewhere', async () => {
    expect(await app(request('get', '/api/nope'))).toMatchObject({ status: 404, body: { error: 'no such endpoint: GET /api/nope' } });
    const page = await app(request('get', '/nope'));
    expect(page.status).toBe(404);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
  });
});

describe('web ion: the page', () => {
  it('signs up through the form and redirects back to a page that lists the name', async () => {
    const posted = await postForm('/signups', { name: 'Form <Fan>', email: 'fan@example.com' });
    expect(posted).toMatchObject({ status: 303, headers: { location: '/?welcome=1' } });
    const page = await app(request('get', '/?welcome=1'));
    expect(page.body).toContain('You are signed up. See you there!');
    expect(page.body).toContain('<li>Form &lt;Fan&gt;<time');
    expect(page.body).toContain('1 signed up, 2 of 3 seats left');
  });

  it('shows what was wrong and keeps what was typed', async () => {
    const page = await postForm('/signups', { name: 'Typo', email: 'typo@' });
    expect(page.status).toBe(400);
    expect(page.body).toContain('email is not a valid address');
    expect(page.body).toContain('value="Typo"');
  });
});

describe('SQS event ion', () => {
  const record = (messageId: string, body: string) => ({
    messageId,
    receiptHandle: 'r',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:event-signup-signups',
    awsRegion: 'us-east-1',
  });

  it('signs up every good message and reports only the bad ones', async () => {
    const event: SQSEvent = {
      Records: [
        record('ok-1', JSON.stringify({ name: 'Queue One', email: 'q1@example.com' })),
        record('not-json', '{'),
        record('no-email', JSON.stringify({ name: 'Nobody' })),
        record('ok-2', JSON.stringify({ name: 'Queue Two', email: 'q2@example.com' })),
      ],
    };
    const context: Context = localLambdaContext('signups-queue');
    const result = await queueHandler({ event, context });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['no-email', 'not-json']);
    expect((await names()).sort()).toEqual(['Queue One', 'Queue Two']);
  });
});
