// The response map: body kinds, the text-or-base64 rule, and set-cookie values kept apart.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ionize, type IonResponse } from '../../adapter/index.js';
import { context } from './support/fixtures.js';
import { decodeAnswer, toEvent, type Shape, type WireRequest } from './support/shapes.js';

const get: WireRequest = { method: 'GET', path: '/', query: [], headers: [], cookies: [], body: undefined, base64: false };

async function answer(response: IonResponse, shape: Shape = 'http-api-v2'): Promise<Record<string, unknown>> {
  return (await ionize(() => response)(toEvent(shape, get), context)) as Record<string, unknown>;
}

describe('text or base64', () => {
  it.each([
    'text/html',
    'text/plain; charset=utf-8',
    'application/json',
    'application/problem+json',
    'application/xml',
    'application/atom+xml',
    'application/javascript',
    'APPLICATION/X-WWW-FORM-URLENCODED',
  ])('sends %s as text', async (type) => {
    const result = await answer({ status: 200, headers: { 'Content-Type': type }, body: 'héllo' });
    expect(result.isBase64Encoded).toBe(false);
    expect(result.body).toBe('héllo');
  });

  it.each(['image/png', 'application/octet-stream', 'application/pdf', 'font/woff2'])('sends %s as base64', async (type) => {
    const bytes = Buffer.from([0, 255, 1, 254]);
    const result = await answer({ status: 200, headers: { 'content-type': type }, body: bytes });
    expect(result.isBase64Encoded).toBe(true);
    expect(result.body).toBe(bytes.toString('base64'));
  });

  it('sends a body with no content type as base64', async () => {
    const result = await answer({ status: 200, body: 'plain' });
    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body as string, 'base64').toString()).toBe('plain');
  });

  it('sends a compressed text body as base64', async () => {
    const gz = Buffer.from([0x1f, 0x8b, 8, 0, 0xff]);
    const result = await answer({ status: 200, headers: { 'content-type': 'text/html', 'content-encoding': 'gzip' }, body: gz });
    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body as string, 'base64')).toEqual(gz);
  });

  it('lets isBase64Encoded override the rule both ways', async () => {
    const forced = await answer({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'hi', isBase64Encoded: true });
    expect(forced).toMatchObject({ isBase64Encoded: true, body: Buffer.from('hi').toString('base64') });
    const text = await answer({ status: 200, headers: { 'content-type': 'image/svg' }, body: '<svg/>', isBase64Encoded: false });
    expect(text).toMatchObject({ isBase64Encoded: false, body: '<svg/>' });
  });

  it('sends an empty body as empty text', async () => {
    expect(await answer({ status: 204 })).toMatchObject({ statusCode: 204, body: '', isBase64Encoded: false });
    expect(await answer({ status: 200, headers: { 'content-type': 'image/png' }, body: new Uint8Array(0) })).toMatchObject({
      body: '',
      isBase64Encoded: false,
    });
  });
});

describe('body kinds', () => {
  it('sends a plain object or array as JSON with a JSON content type', async () => {
    const result = await answer({ status: 200, body: { a: [1, 'x'], b: null } });
    expect(result).toMatchObject({ body: '{"a":[1,"x"],"b":null}', isBase64Encoded: false, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect((await answer({ status: 200, body: [1, 2] })).body).toBe('[1,2]');
  });

  it('keeps the content type the handler set for a JSON body', async () => {
    const result = await answer({ status: 200, headers: { 'Content-Type': 'application/vnd.api+json' }, body: { a: 1 } });
    expect(result.headers).toEqual({ 'Content-Type': 'application/vnd.api+json' });
  });

  it('sends Uint8Array bytes that are a view into a larger buffer exactly', async () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const result = await answer({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: backing.subarray(2, 5) });
    expect(Buffer.from(result.body as string, 'base64')).toEqual(Buffer.from([1, 2, 3]));
  });

  it('collects a Node stream', async () => {
    const result = await answer({ status: 200, headers: { 'content-type': 'text/plain' }, body: Readable.from(['ab', Buffer.from('cd'), 'é']) });
    expect(result.body).toBe('abcdé');
  });

  it('collects an async iterable of bytes', async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([0, 1]);
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield new Uint8Array([2, 255]);
    }
    const result = await answer({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: chunks() });
    expect(Buffer.from(result.body as string, 'base64')).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('awaits a handler that returns a thenable rather than a native promise', async () => {
    const thenable = { then: (resolve: (r: IonResponse) => void) => resolve({ status: 202, headers: { 'content-type': 'text/plain' }, body: 'later' }) };
    const result = await ionize(() => thenable as unknown as Promise<IonResponse>)(toEvent('rest', get), context);
    expect(result).toMatchObject({ statusCode: 202, body: 'later' });
  });

  it('sends numbers as header values', async () => {
    expect((await answer({ status: 200, headers: { 'x-count': 3 } })).headers).toEqual({ 'x-count': '3' });
  });

  it('defaults the ALB status description to the reason phrase', async () => {
    expect((await answer({ status: 418 }, 'alb')).statusDescription).toBe("418 I'm a Teapot");
    expect((await answer({ status: 299 }, 'alb')).statusDescription).toBe('299');
  });
});

describe('set-cookie', () => {
  const cookies = ['a=1; Path=/', 'b=2, still b; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'c=3'];

  it.each(['rest', 'rest-single', 'http-api-v2', 'function-url', 'alb', 'alb-multi', 'lattice-v2'] as const)(
    'keeps several values apart in %s',
    async (shape) => {
      const result = await answer({ status: 200, headers: { 'Set-Cookie': cookies } }, shape);
      expect(decodeAnswer(result).setCookies).toEqual(cookies);
    },
  );

  it('collects set-cookie however the handler spelled it', async () => {
    const result = await answer({ status: 200, headers: { 'set-cookie': 'a=1', 'SET-COOKIE': ['b=2'] } });
    expect(result.cookies).toEqual(['a=1', 'b=2']);
    expect(result.headers).toEqual({});
  });

  it('spells each set-cookie differently in a single-value header map', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `c${i}=${i}`);
    const result = await answer({ status: 200, headers: { 'set-cookie': many } }, 'alb');
    const names = Object.keys(result.headers as object).filter((n) => n.toLowerCase() === 'set-cookie');
    expect(new Set(names).size).toBe(40);
    expect(decodeAnswer(result).setCookies).toEqual(many);
  });
});
