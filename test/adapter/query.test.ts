// parseQueryString recognises keys it has seen before without slicing them again; whatever it has
// seen, each query string must parse exactly as a fresh WHATWG parse of it does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQueryString } from '../../adapter/http/query.js';

function reference(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const existing = query[key];
    query[key] = existing === undefined ? value : typeof existing === 'string' ? [existing, value] : [...existing, value];
  }
  return query;
}

// Short keys over few characters, so that distinct keys keep landing in the same remembered slot.
const key = fc.string({ unit: fc.constantFrom('a', 'b', 'é', ' ', '+', '%'), minLength: 1, maxLength: 3 });
const encode = (text: string, spaceAsPlus: boolean): string => {
  const encoded = encodeURIComponent(text);
  return spaceAsPlus ? encoded.replaceAll('%20', '+') : encoded;
};
const queryString = fc
  .array(fc.tuple(key, fc.string({ maxLength: 4 }), fc.boolean()), { minLength: 1, maxLength: 6 })
  .map((pairs) => pairs.map(([k, v, plus]) => `${encode(k, plus)}=${encode(v, plus)}`).join('&'));

describe('parseQueryString', () => {
  it('parses every query string as URLSearchParams does, whatever keys came before', () => {
    fc.assert(
      fc.property(fc.array(queryString, { minLength: 1, maxLength: 8 }), (raws) => {
        for (const raw of raws) expect({ ...parseQueryString(raw) }).toEqual(reference(raw));
      }),
      { numRuns: 300 },
    );
  });

  it('tells apart keys of one length and the same ends', () => {
    expect({ ...parseQueryString('axb=1&ayb=2') }).toEqual({ axb: '1', ayb: '2' });
    expect({ ...parseQueryString('ayb=3&axb=4&ayb=5') }).toEqual({ ayb: ['3', '5'], axb: '4' });
  });

  it('reads keys too long to remember as they come', () => {
    expect({ ...parseQueryString('a_rather_long_key=1&a_rather_long_kez=2') }).toEqual({ a_rather_long_key: '1', a_rather_long_kez: '2' });
    expect({ ...parseQueryString('a_rather_long_key=3&a_rather_long_key=4') }).toEqual({ a_rather_long_key: ['3', '4'] });
  });

  it('decodes a key remembered from its encoded form the same way each time', () => {
    expect({ ...parseQueryString('a%20b=1') }).toEqual({ 'a b': '1' });
    expect({ ...parseQueryString('a%20b=2&c=3') }).toEqual({ 'a b': '2', c: '3' });
    expect({ ...parseQueryString('a+b=4') }).toEqual({ 'a b': '4' });
  });
});
