// ionize's streaming entry: the prelude a function URL streams first (laid out as the HTTP API v2
// answer lays out status, headers and cookies) and the body as bytes, handed on rather than collected.
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ionize, type Handler, type IonResponse } from '../../adapter/index.js';
import { IONIZED_STREAM, type IonizedStream, type StreamedResponse } from '../../adapter/stream.js';
import { castTapPerTest } from '../support/cast-tap.js';
import { context } from './support/fixtures.js';
import { toEvent, type WireRequest } from './support/shapes.js';

const tap = castTapPerTest();
const get: WireRequest = { method: 'GET', path: '/x', query: [], headers: [], cookies: [], body: undefined, base64: false };
const event = toEvent('function-url', get);

const streamOf = (handler: Handler): IonizedStream => (ionize(handler) as unknown as Record<symbol, IonizedStream>)[IONIZED_STREAM]!;

async function bytes(answer: StreamedResponse): Promise<string> {
  const chunks: Uint8Array[] = [];
  for (let next = await answer.body.next(); next.done !== true; next = await answer.body.next()) chunks.push(next.value);
  return Buffer.concat(chunks).toString('utf8');
}

const alerts = () => tap.records.filter((record) => record.type === 'alert');

describe('the streaming entry', () => {
  const bodies: Record<string, [IonResponse['body'], string]> = {
    'a string': ['hello', 'hello'],
    bytes: [new Uint8Array(Buffer.from('bytes')), 'bytes'],
    'a Node stream': [Readable.from(['a', Buffer.from('b'), 'c']), 'abc'],
    'an async iterable': [(async function* () { yield 'x'; yield new Uint8Array([0x79]); })(), 'xy'],
    nothing: [undefined, ''],
    'an empty stream': [Readable.from([]), ''],
  };
  for (const [kind, [body, expected]] of Object.entries(bodies)) {
    it(`hands on ${kind} as bytes`, async () => {
      const answer = await streamOf(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body }))(event, context);
      expect(answer.prelude).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' }, cookies: [] });
      expect(await bytes(answer)).toBe(expected);
    });
  }

  it('sends a plain object as JSON, with a JSON content type unless one is given', async () => {
    const plain = await streamOf(() => ({ status: 200, body: { a: [1] } }))(event, context);
    expect(plain.prelude.headers).toEqual({ 'content-type': 'application/json; charset=utf-8' });
    expect(await bytes(plain)).toBe('{"a":[1]}');
    const typed = await streamOf(() => ({ status: 200, headers: { 'Content-Type': 'application/vnd.x+json' }, body: [] }))(event, context);
    expect(typed.prelude.headers).toEqual({ 'Content-Type': 'application/vnd.x+json' });
  });

  it('lays out status, headers and cookies as the HTTP API v2 answer does, for any response map', async () => {
    const headerName = fc.stringMatching(/^x-[a-z0-9-]{1,10}$/);
    const headerValue = fc.stringMatching(/^[!-~]([ -~]{0,20}[!-~])?$/);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 200, max: 599 }),
        fc.dictionary(headerName, fc.oneof(headerValue, fc.array(headerValue, { minLength: 1, maxLength: 3 }))),
        fc.array(fc.stringMatching(/^[a-z]{1,6}=[a-z0-9]{0,8}$/), { maxLength: 4 }),
        async (status, headers, cookies) => {
          const response: IonResponse = { status, headers: { ...headers, 'set-cookie': cookies }, body: Readable.from(['streamed']) };
          const whole = (await ionize(() => response)(event, context)) as { statusCode: number; headers: Record<string, string>; cookies?: string[] };
          const response2: IonResponse = { ...response, body: Readable.from(['streamed']) };
          const streamed = await streamOf(() => response2)(event, context);
          expect(streamed.prelude).toEqual({ statusCode: whole.statusCode, headers: whole.headers, cookies: whole.cookies ?? [] });
          expect(await bytes(streamed)).toBe('streamed');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('pulls the body only as the caller asks, never ahead', async () => {
    let pulled = 0;
    const body = (async function* () {
      for (;;) {
        pulled++;
        yield 'chunk';
      }
    })();
    const answer = await streamOf(() => ({ status: 200, body }))(event, context);
    expect(pulled).toBe(1);
    await answer.body.next();
    await answer.body.next();
    expect(pulled).toBe(2);
    await answer.body.return!();
    expect((await answer.body.next()).done).toBe(true);
  });

  const failures: Record<string, Handler> = {
    'a handler that throws': () => {
      throw new Error('boom with secret detail');
    },
    'a handler that rejects': async () => {
      throw new Error('boom with secret detail');
    },
    'a body that fails before its first chunk': () => ({
      status: 200,
      body: (async function* () {
        throw new Error('boom with secret detail');
      })(),
    }),
    'a first chunk that is not bytes': () => ({ status: 200, body: (async function* () { yield 42; })() as AsyncIterable<string> }),
    'an invalid response map': () => ({ status: 99, body: 'x' }),
    'a body of the wrong kind': () => ({ status: 200, body: new Date() as unknown as string }),
  };
  for (const [kind, handler] of Object.entries(failures)) {
    it(`answers the generic 500 and casts an alert for ${kind}`, async () => {
      const answer = await streamOf(handler)(event, context);
      expect(answer.prelude).toEqual({ statusCode: 500, headers: { 'content-type': 'application/json; charset=utf-8' }, cookies: [] });
      const text = await bytes(answer);
      expect(JSON.parse(text)).toEqual({ error: 'Internal Server Error', requestId: 'test-request-id' });
      expect(text).not.toContain('secret');
      expect(alerts()).toHaveLength(1);
      expect(alerts()[0]).toMatchObject({ msg: 'ion handler failed', requestId: 'test-request-id' });
    });
  }

  it('stops a stream body of an invalid response map', async () => {
    const source = Readable.from(['never read']);
    expect((await streamOf(() => ({ status: 99, body: source }))(event, context)).prelude.statusCode).toBe(500);
    expect(source.destroyed).toBe(true);
  });

  it('stops the source of a first chunk that is not bytes', async () => {
    const source = Readable.from([42], { objectMode: true });
    await streamOf(() => ({ status: 200, body: source as unknown as Readable }))(event, context);
    expect(source.destroyed).toBe(true);
  });

  it('fails the body, not the prelude, for a chunk that goes wrong after the first', async () => {
    const answer = await streamOf(() => ({
      status: 200,
      body: (async function* () {
        yield 'ok';
        yield 42 as unknown as string;
      })(),
    }))(event, context);
    expect(answer.prelude.statusCode).toBe(200);
    expect(Buffer.from((await answer.body.next()).value!).toString()).toBe('ok');
    await expect(answer.body.next()).rejects.toThrow(/chunks must be strings or bytes/);
  });

  it('destroys a Node stream body when the caller stops early', async () => {
    const source = Readable.from(['a', 'b', 'c']);
    const answer = await streamOf(() => ({ status: 200, body: source }))(event, context);
    await answer.body.return!();
    expect(source.destroyed).toBe(true);
  });

  it('rejects an event that is not HTTP-shaped, as the other entries throw', async () => {
    await expect(streamOf(() => ({ status: 200 }))({ Records: [] }, context)).rejects.toThrow(/not an HTTP event/);
  });
});
