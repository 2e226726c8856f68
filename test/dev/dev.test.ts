// `ions dev` in-process on a copy of the example: a request goes local gateway -> real proxy ->
// signed invoke -> node -> web ion -> datom store, and a source change hot-swaps the node.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevServer } from '../../runtime/dev/dev.js';
import { invokeLocal } from '../../runtime/dev/invoke.js';
import { copyExample, type ExampleCopy } from './example-copy.js';

let example: ExampleCopy;
let dev: DevServer;
const log: string[] = [];

beforeAll(async () => {
  example = await copyExample();
  dev = await startDev({ serviceDir: example.dir, port: 0, log: (line) => log.push(line) });
});
afterAll(async () => {
  await dev?.close();
  await example?.remove();
});

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log:\n${log.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('ions dev', () => {
  it('serves the page and the JSON API through the proxy and the node', async () => {
    const page = await fetch(`${dev.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<h1>Serverless Ions Meetup</h1>');

    const created = await fetch(`${dev.url}/api/signups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada Lovelace', email: 'Ada@Example.com' }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ attendee: { name: 'Ada Lovelace', email: 'ada@example.com' }, created: true });

    const list = (await (await fetch(`${dev.url}/api/attendees`)).json()) as { attendees: Array<{ name: string }> };
    expect(list.attendees.map((a) => a.name)).toEqual(['Ada Lovelace']);
    expect(log.some((line) => line.startsWith('POST /api/signups -> web 201'))).toBe(true);
  });

  it('streams a `streaming: true` lambda at its function URL on the local gateway', async () => {
    const csvUrl = `${dev.url}/_ions/url/attendees-csv/`;
    expect(log).toContain(`ions dev: function URL of attendees-csv: ${csvUrl}`);
    const answer = await fetch(csvUrl);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename="attendees.csv"');
    // Relayed as it came, not buffered into one answer of known length.
    expect(answer.headers.get('transfer-encoding')).toBe('chunked');
    expect(answer.headers.get('content-length')).toBeNull();
    expect((await answer.text()).split('\r\n')).toEqual(['name,signedUpAt', expect.stringMatching(/^Ada Lovelace,\d{4}-\d\d-\d\dT/), '']);
    expect((await fetch(`${dev.url}/_ions/url/attendees-csv/nothing-here`)).status).toBe(404);
  });

  it('hands `ions invoke` a streaming lambda\'s answer whole', async () => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: '',
      headers: { host: 'localhost' },
      requestContext: { http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' }, requestId: 'r', stage: '$default' },
      isBase64Encoded: false,
    };
    expect(await invokeLocal({ serviceDir: example.dir, lambda: 'attendees-csv', event })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="attendees.csv"' },
      cookies: [],
      body: expect.stringMatching(/^name,signedUpAt\r\nAda Lovelace,/),
    });
  });

  it('keeps the local HMAC key in a file only its owner can read, and the data under .ions/data', async () => {
    const secret = await stat(join(example.dir, '.ions/secret'));
    expect(secret.mode & 0o777).toBe(0o600);
    expect((await readFile(join(example.dir, '.ions/secret'), 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(join(example.dir, '.ions/data'))).isDirectory()).toBe(true);
    const state = JSON.parse(await readFile(join(example.dir, '.ions/dev.json'), 'utf8')) as { nodeUrl: string; gatewayUrl: string };
    expect(state).toMatchObject({ nodeUrl: dev.nodeUrl, gatewayUrl: dev.url, pid: process.pid });
  });

  it('hot-swaps on a source change, and keeps serving when a change does not build', async () => {
    const before = dev.revision();
    await example.edit('src/page.ts', (text) => text.replace("'Sign me up'", "'Count me in'"));
    await until(async () => ((await (await fetch(`${dev.url}/`)).text()).includes('Count me in') ? true : undefined), 'the new revision');
    expect(dev.revision()).not.toBe(before);

    const good = dev.revision();
    await example.edit('src/page.ts', (text) => text.replace('export function renderPage', 'export function renderPage(( broken'));
    await until(async () => (log.some((line) => line.includes(`did not load, still serving ${good}`)) ? true : undefined), 'the failed build');
    await dev.settled();
    expect(dev.revision()).toBe(good);
    expect(await (await fetch(`${dev.url}/`)).text()).toContain('Count me in');
    // The data survived both swaps: it lives in the node's storage, not in a revision.
    const list = (await (await fetch(`${dev.url}/api/attendees`)).json()) as { attendees: Array<{ name: string }> };
    expect(list.attendees.map((a) => a.name)).toEqual(['Ada Lovelace']);
  });

  it('answers an unknown export in a change with the config path, and keeps the old revision', async () => {
    const good = dev.revision();
    log.length = 0;
    await example.edit('serverless.yml', (text) => text.replace('fn: src/web.handler', 'fn: src/web.nothing'));
    await until(async () => (log.some((line) => line.includes('ions.lambdas.web.fn')) ? true : undefined), 'the config error');
    await dev.settled();
    expect(dev.revision()).toBe(good);
    expect((await fetch(`${dev.url}/api/attendees`)).status).toBe(200);
  });
});
