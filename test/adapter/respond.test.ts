// The callback entry a compute node calls instead of the promise-returning handler: the same answer for
// every outcome of a handler, given once, and without waiting for a microtask when nothing is pending.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ionize, type Handler, type HttpResult } from '../../adapter/index.js';
import { IONIZED_RESPOND, type IonizedRespond } from '../../adapter/ionize.js';
import { context } from './support/fixtures.js';
import { shapes, toEvent, type WireRequest } from './support/shapes.js';
import { castTapPerTest } from '../support/cast-tap.js';

const get: WireRequest = { method: 'GET', path: '/things', query: [['a', '1']], headers: [['x-k', 'v']], cookies: [], body: undefined, base64: false };

const tap = castTapPerTest();

const respondOf = (handler: Handler): IonizedRespond => (ionize(handler) as unknown as Record<symbol, IonizedRespond>)[IONIZED_RESPOND]!;

/** Every answer `respond` gives for one event, once it has settled. */
async function answers(handler: Handler, event: unknown): Promise<HttpResult[]> {
  const given: HttpResult[] = [];
  respondOf(handler)(event, context, (result) => given.push(result));
  await new Promise((resolve) => setTimeout(resolve, 5));
  return given;
}

const handlers: Record<string, Handler> = {
  'a value': (request) => ({ status: 200, body: { uri: request.uri, query: request.query } }),
  'a promise': async (request) => ({ status: 201, headers: { 'set-cookie': ['a=1', 'b=2'] }, body: request.requestMethod }),
  'a streamed body': () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: Readable.from(['a', 'b']) }),
  'a throw': () => {
    throw new Error('boom');
  },
  'a rejection': async () => {
    throw new Error('boom');
  },
  'a broken stream': () => ({
    status: 200,
    body: (async function* () {
      yield 'a';
      throw new Error('boom');
    })(),
  }),
  'no response map': () => 'ok' as never,
};

describe('the callback entry of an ionized handler', () => {
  for (const shape of shapes) {
    for (const [name, handler] of Object.entries(handlers)) {
      it(`answers ${shape} once, as the promise does, for a handler giving ${name}`, async () => {
        const event = toEvent(shape, get);
        const expected = await ionize(handler)(event, context);
        expect(await answers(handler, event)).toEqual([expected]);
      });
    }
  }

  it('answers a synchronous handler before it returns, and alerts a failure as the promise does', async () => {
    const given: HttpResult[] = [];
    respondOf(handlers['a value']!)(toEvent('http-api-v2', get), context, (result) => given.push(result));
    expect(given).toHaveLength(1);
    await answers(handlers['a throw']!, toEvent('rest', get));
    expect(tap.records.filter((record) => record.type === 'alert' && record.msg === 'ion handler failed')).toHaveLength(1);
  });

  it('throws for an event that is not HTTP-shaped, where the promise rejects', async () => {
    const respond = respondOf(handlers['a value']!);
    expect(() => respond({ Records: [] }, context, () => undefined)).toThrow(TypeError);
    await expect(ionize(handlers['a value']!)({ Records: [] }, context)).rejects.toThrow(TypeError);
  });
});
