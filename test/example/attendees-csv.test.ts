// The example's streamed CSV download: one row per attendee, each its own chunk, quoted where needed,
// emails never listed; and the lambda wired for a function URL with response streaming.
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IONIZED_STREAM, type IonizedStream } from '../../adapter/stream.js';
import type { Storage } from '../../runtime/db/storage/storage.js';
import { localLambdaContext } from '../../runtime/dev/lambda-context.js';
import { handler } from '../../examples/event-signup/src/attendees-csv.js';
import { connection, signUp } from '../../examples/event-signup/src/attendees.js';
import { csvLine, parseCsv } from '../../examples/event-signup/src/csv.js';
import { exampleDir } from '../dev/example-copy.js';
import { closeExampleContext, useExampleContext } from './example-context.js';

let storage: Storage;
beforeEach(() => {
  storage = useExampleContext();
});
afterEach(async () => closeExampleContext(storage));

const stream = (handler as unknown as Record<symbol, IonizedStream>)[IONIZED_STREAM]!;

function functionUrlEvent(method: string, path: string): unknown {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'abc.lambda-url.us-east-1.on.aws' },
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' }, requestId: 'r', stage: '$default' },
    isBase64Encoded: false,
  };
}

async function chunks(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string>; chunks: string[] }> {
  const answer = await stream(functionUrlEvent(method, path), localLambdaContext('event-signup-dev-primary-attendees-csv'));
  const parts: string[] = [];
  for (let next = await answer.body.next(); next.done !== true; next = await answer.body.next()) parts.push(Buffer.from(next.value).toString('utf8'));
  return { status: answer.prelude.statusCode, headers: answer.prelude.headers, chunks: parts };
}

describe('the attendee CSV download', () => {
  it('streams a header row, then one row per attendee in sign-up order, without emails', async () => {
    const conn = await connection();
    await signUp(conn, { name: 'Ada Lovelace', email: 'ada@example.com', source: 'web' });
    await signUp(conn, { name: 'Hopper, "Amazing" Grace', email: 'grace@example.com', source: 'web' });
    const answer = await chunks('/');
    expect(answer.status).toBe(200);
    expect(answer.headers).toEqual({ 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="attendees.csv"' });
    expect(answer.chunks).toHaveLength(3);
    const rows = parseCsv(answer.chunks.join(''));
    expect(rows.map((row) => row.fields.name)).toEqual(['Ada Lovelace', 'Hopper, "Amazing" Grace']);
    expect(rows.every((row) => !Number.isNaN(Date.parse(row.fields.signedupat!)))).toBe(true);
    expect(answer.chunks.join('')).not.toContain('@example.com');
  });

  it('answers 404 anywhere else', async () => {
    expect((await chunks('/other')).status).toBe(404);
    expect((await chunks('/', 'POST')).status).toBe(404);
  });

  it('writes lines that the CSV reader reads back as the same fields', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', ',', '"', '\n', '\r\n', ' ', 'é') });
    fc.assert(
      fc.property(fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 6 }), (rows) => {
        const text = csvLine(['x', 'y']) + rows.map(([x, y]) => csvLine([x, y])).join('');
        const read = parseCsv(text).map((row) => [row.fields.x, row.fields.y]);
        expect(read).toEqual(rows);
      }),
    );
  });

  it('is wired as a web ion behind a function URL with response streaming', async () => {
    const config = parse(await readFile(`${exampleDir}/serverless.yml`, 'utf8')) as { ions: { lambdas: Record<string, Record<string, unknown>> } };
    expect(config.ions.lambdas['attendees-csv']).toMatchObject({ fn: 'src/attendees-csv.handler', integration: 'api-gateway', url: true, streaming: true });
  });
});
