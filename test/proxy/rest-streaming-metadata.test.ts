// The metadata a streaming proxy writes for each front, and whole answers (refusals) read into it.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fail } from '../../runtime/proxy/failure.js';
import { frontOf, metadataFor } from '../../runtime/proxy/stream-metadata.js';
import { wholeAnswer } from '../../runtime/proxy/whole-answer.js';

const sample = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(new URL(`../../../shared/fixtures/aws-events/${name}`, import.meta.url), 'utf8'));

describe('the front a streaming proxy answers', () => {
  it.each([
    ['apigw-request.json', 'rest-api'],
    ['apigw-restapi-openapi-request.json', 'rest-api'],
    ['lambda-urls-request.json', 'function-url'],
  ])('is told by the event: %s -> %s', async (name, front) => {
    expect(frontOf(await sample(name))).toBe(front);
  });
});

describe('metadataFor', () => {
  const prelude = { statusCode: 200, headers: { 'content-type': 'text/csv' }, cookies: ['a=1', 'b=2'] };

  it('keeps cookies apart in `cookies` for a function URL', () => {
    expect(metadataFor('function-url', prelude)).toEqual(prelude);
  });

  it('keeps each cookie apart in multiValueHeaders for a REST API, and writes no `cookies`', () => {
    expect(metadataFor('rest-api', prelude)).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/csv' },
      multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] },
    });
    expect(metadataFor('rest-api', { ...prelude, cookies: [] })).toEqual({ statusCode: 200, headers: { 'content-type': 'text/csv' } });
  });
});

describe('a refusal answered whole to a REST event', () => {
  it('keeps the headers REST failures carry as multi-value headers, Retry-After included', async () => {
    const event = await sample('apigw-request.json');
    const { prelude, body } = wholeAnswer(fail('api-gateway', event, 503, 'node pushed back', '2'));
    expect(metadataFor(frontOf(event), prelude)).toEqual({ statusCode: 503, headers: { 'content-type': 'application/json', 'retry-after': '2' } });
    expect(JSON.parse(body.toString('utf8'))).toEqual({ message: 'Service Unavailable' });
  });

  it('takes set-cookie values from multiValueHeaders as cookies, and a name in both maps from multiValueHeaders', () => {
    const result = { statusCode: 200, headers: { 'x-a': 'single' }, multiValueHeaders: { 'x-a': ['one', 'two'], 'Set-Cookie': ['c=1', 'd=2'] }, body: 'ok' };
    expect(wholeAnswer(result).prelude).toEqual({ statusCode: 200, headers: { 'x-a': 'one, two' }, cookies: ['c=1', 'd=2'] });
  });
});
