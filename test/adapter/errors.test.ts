// A failing handler: the client gets a 500 with the request id and nothing of the error; the error
// goes to an alert; nothing ever becomes an unhandled rejection.
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ionize, type Handler, type IonResponse } from '../../adapter/index.js';
import { redirect, tapSink, type TapSink } from '../../runtime/cast/index.js';
import { context } from './support/fixtures.js';
import { decodeAnswer, shapes, toEvent, type WireRequest } from './support/shapes.js';

const post: WireRequest = { method: 'POST', path: '/orders', query: [], headers: [], cookies: [], body: undefined, base64: false };

let tap: TapSink;
let restore: () => void;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeEach(() => {
  tap = tapSink();
  restore = redirect(tap);
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(() => {
  restore();
  process.off('unhandledRejection', onUnhandled);
});

const secret = 'db password is hunter2';

async function failWith(handler: Handler, shape: (typeof shapes)[number] = 'http-api-v2') {
  const result = await ionize(handler)(toEvent(shape, post), context);
  // Give any stray rejection the chance to surface before the test checks for it.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { result: result as Record<string, unknown>, decoded: decodeAnswer(result) };
}

function expectGenericFailure(decoded: ReturnType<typeof decodeAnswer>, errorText: string): void {
  expect(decoded.status).toBe(500);
  const body = decoded.body.toString();
  expect(JSON.parse(body)).toEqual({ error: 'Internal Server Error', requestId: 'test-request-id' });
  expect(body).not.toContain(errorText);
  expect(body).not.toMatch(/at .*\.ts:\d+/);
  expect(unhandled).toEqual([]);
}

function expectAlert(messageText: string): void {
  const alerts = tap.records.filter((r) => r.type === 'alert');
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ msg: 'ion handler failed', requestId: 'test-request-id', ex: expect.objectContaining({ message: expect.stringContaining(messageText) }) });
}

describe('a failing handler', () => {
  it.each(shapes)('that throws answers 500 in the %s shape and casts an alert', async (shape) => {
    const { decoded } = await failWith(() => {
      throw new Error(secret);
    }, shape);
    expectGenericFailure(decoded, secret);
    expectAlert(secret);
    const alert = tap.records[0]!;
    expect(alert).toMatchObject({ requestMethod: 'post', uri: '/orders' });
    expect((alert.ex as { stack: string }).stack).toContain(secret);
  });

  it('that rejects answers 500', async () => {
    const { decoded } = await failWith(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new Error(secret);
    });
    expectGenericFailure(decoded, secret);
    expectAlert(secret);
  });

  it('that throws a non-error value answers 500', async () => {
    const { decoded } = await failWith(() => {
      throw 'just a string';
    });
    expectGenericFailure(decoded, 'just a string');
    expect(tap.records[0]).toMatchObject({ type: 'alert', ex: 'just a string' });
  });

  it('whose body stream fails midway answers 500 with no unhandled rejection', async () => {
    const body = new Readable({
      read() {
        this.push('partial');
        this.destroy(new Error(secret));
      },
    });
    const { decoded } = await failWith(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body }));
    expectGenericFailure(decoded, 'partial');
    expectAlert(secret);
  });

  it('whose async iterable body throws answers 500', async () => {
    async function* body(): AsyncGenerator<string> {
      yield 'partial';
      throw new Error(secret);
    }
    const { decoded } = await failWith(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: body() }));
    expectGenericFailure(decoded, 'partial');
    expectAlert(secret);
  });

  it.each([
    ['no response map', undefined, /must return a response map/],
    ['a status out of range', { status: 99 }, /status must be an integer from 100 to 599, got number 99/],
    ['a status that is a string', { status: '200' }, /status must be an integer.*got string 200/],
    ['a header of the wrong type', { status: 200, headers: { 'x-a': { nested: true } } }, /header 'x-a' must be a string, a number or an array/],
    ['a body of the wrong type', { status: 200, body: new Map() }, /body must be .*got an object of class Map/],
    ['an isBase64Encoded that is not a boolean', { status: 200, body: 'x', isBase64Encoded: 'yes' }, /isBase64Encoded must be true, false or absent, got string yes/],
    ['a stream chunk of the wrong type', { status: 200, body: Readable.from([{ not: 'bytes' }]) }, /stream yielded an object/],
  ])('that returns %s answers 500 and says what was wrong', async (_name, response, message) => {
    const { decoded } = await failWith(() => response as unknown as IonResponse);
    expectGenericFailure(decoded, 'must');
    const alert = tap.records[0]!;
    expect((alert.ex as { message: string }).message).toMatch(message);
  });

  it('that returns an invalid status with a stream consumes the stream rather than leave it to error unheard', async () => {
    let destroyed = false;
    const body = new Readable({
      read() {
        this.push('x');
        this.push(null);
      },
      destroy(error, callback) {
        destroyed = true;
        callback(error);
      },
    });
    const { decoded } = await failWith(() => ({ status: 1000, body }));
    expect(decoded.status).toBe(500);
    expect(destroyed).toBe(true);
    expect(unhandled).toEqual([]);
  });

  it('takes the request id from the event when there is no context', async () => {
    const event = toEvent('rest', post);
    const result = await ionize(() => {
      throw new Error('x');
    })(event);
    expect(JSON.parse(decodeAnswer(result).body.toString()).requestId).toBe('rest-request');
  });
});

describe('ionize itself', () => {
  it('keeps the ring handler it wrapped', () => {
    const handler: Handler = () => ({ status: 200 });
    expect(ionize(handler).ringHandler).toBe(handler);
  });

  it('refuses something that is not a function', () => {
    expect(() => ionize({} as unknown as Handler)).toThrow(/ionize\(handler\) needs a function/);
  });

  it('refuses a base path that is not a string', () => {
    expect(() => ionize(() => ({ status: 200 }), { basePath: 3 as unknown as string })).toThrow(/basePath must be a string/);
  });

  it.each([null, 'text', 42, {}])('rejects %j as not an HTTP event', async (event) => {
    await expect(ionize(() => ({ status: 200 }))(event, context)).rejects.toThrow(/not an HTTP event/);
  });
});
