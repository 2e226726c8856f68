// Property: whatever headers, cookies, query and body a client sends, every event shape delivers them
// to the handler intact, and whatever the handler answers comes back intact in that shape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ionize, type IonRequest, type IonResponse } from '../../adapter/index.js';
import { context } from './support/fixtures.js';
import { decodeAnswer, shapes, singleValueAnswer, singleValueRequest, toEvent, type Shape, type WireRequest } from './support/shapes.js';

const tokenChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
const cookieValueChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&'()*+-./:<=>?@[]^_`{|}~";

const token = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...tokenChars), minLength: min, maxLength: max });

/** Visible ASCII and inner spaces: what survives as a header value. */
const headerValue = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 })
  .map((s) => s.trim());

const headerName = token(1, 12).map((s) => `x-${s}`);

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const wireRequest = (shape: Shape): fc.Arbitrary<WireRequest> => {
  const unique = singleValueRequest.has(shape);
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      path: fc.array(token(1, 8), { maxLength: 4 }).map((segments) => '/' + segments.join('/')),
      query: fc.array(fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 8 })), {
        maxLength: 6,
      }),
      headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
      cookies: fc.array(fc.tuple(token(1, 8), fc.string({ unit: fc.constantFrom(...cookieValueChars), maxLength: 12 })), { maxLength: 5 }),
      body: fc.option(
        fc.oneof(
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).map((s) => ({ bytes: new Uint8Array(Buffer.from(s)), base64: false })),
          fc.uint8Array({ minLength: 1, maxLength: 60 }).map((bytes) => ({ bytes, base64: true })),
        ),
        { nil: undefined },
      ),
    })
    .map((r) => ({
      method: r.method,
      path: r.path,
      query: unique ? uniqueBy(r.query, ([k]) => k) : r.query,
      headers: unique ? uniqueBy(r.headers, ([name]) => name.toLowerCase()) : r.headers,
      cookies: uniqueBy(r.cookies, ([name]) => name),
      body: r.body?.bytes,
      base64: r.body?.base64 ?? false,
    }));
};

function expectedQuery(pairs: [string, string][]): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const existing = query[k];
    query[k] = existing === undefined ? v : typeof existing === 'string' ? [existing, v] : [...existing, v];
  }
  return query;
}

function expectedHeaders(request: WireRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
  }
  if (request.cookies.length > 0) headers.cookie = request.cookies.map(([n, v]) => `${n}=${v}`).join('; ');
  return headers;
}

interface GeneratedAnswer {
  status: number;
  headers: [string, string[]][];
  setCookies: string[];
  body: { text: string } | { bytes: Uint8Array };
}

const answer: fc.Arbitrary<GeneratedAnswer> = fc.record({
  status: fc.integer({ min: 200, max: 599 }),
  headers: fc
    .array(fc.tuple(headerName, fc.array(headerValue.filter((v) => v !== ''), { minLength: 1, maxLength: 3 })), { maxLength: 5 })
    .map((hs) => uniqueBy(hs, ([n]) => n.toLowerCase())),
  setCookies: fc.array(
    fc.tuple(token(1, 8), token(0, 10)).map(([n, v]) => `${n}=${v}; Path=/; HttpOnly`),
    { maxLength: 4 },
  ),
  body: fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }).map((text) => ({ text })),
    fc.uint8Array({ maxLength: 60 }).map((bytes) => ({ bytes })),
  ),
});

function toResponse(generated: GeneratedAnswer): IonResponse {
  const text = 'text' in generated.body;
  return {
    status: generated.status,
    headers: {
      ...Object.fromEntries(generated.headers.map(([n, vs]) => [n, vs.length === 1 ? vs[0]! : vs])),
      'content-type': text ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      'set-cookie': generated.setCookies,
    },
    body: 'text' in generated.body ? generated.body.text : generated.body.bytes,
  };
}

describe.each(shapes)('round trip through %s', (shape) => {
  it('delivers random requests intact and returns random answers intact', async () => {
    await fc.assert(
      fc.asyncProperty(wireRequest(shape), answer, async (request, generated) => {
        let seen: IonRequest | undefined;
        const handler = ionize((r) => {
          seen = r;
          return toResponse(generated);
        });
        const result = await handler(toEvent(shape, request), context);

        expect(seen).toBeDefined();
        const got = seen!;
        expect(got.requestMethod).toBe(request.method.toLowerCase());
        expect(got.uri).toBe(request.path);
        expect({ ...got.headers }).toEqual(expectedHeaders(request));
        expect({ ...got.cookies }).toEqual(Object.fromEntries(request.cookies));
        expect({ ...got.query }).toEqual(expectedQuery(request.query));
        expect(got.queryString === undefined).toBe(request.query.length === 0);
        if (request.body === undefined) expect(got.body).toBeUndefined();
        else expect(got.body!.equals(Buffer.from(request.body))).toBe(true);

        const decoded = decodeAnswer(result);
        const text = 'text' in generated.body;
        expect(decoded.status).toBe(generated.status);
        expect(decoded.setCookies).toEqual(generated.setCookies);
        for (const [name, values] of generated.headers) {
          expect(decoded.headers[name.toLowerCase()]).toEqual(singleValueAnswer.has(shape) ? [values.join(', ')] : values);
        }
        const sent = text ? Buffer.from((generated.body as { text: string }).text) : Buffer.from((generated.body as { bytes: Uint8Array }).bytes);
        expect(decoded.body.equals(sent)).toBe(true);
        expect(decoded.isBase64Encoded).toBe(!text && sent.length > 0);
      }),
      { numRuns: 150 },
    );
  });
});
