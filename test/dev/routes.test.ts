import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IonsConfig } from '../../runtime/config/ions-config.js';
import { defaultWebLambda, FUNCTION_URL_PREFIX, functionUrlsOf, matchFunctionUrl, matchRoute, routesOf } from '../../runtime/dev/routes.js';

const config = (lambdas: IonsConfig['lambdas']): IonsConfig => ({ app: 'a', lambdas });

describe('routes', () => {
  const routes = routesOf(
    config({
      list: { fn: 'src/a.list', integration: 'api-gateway', events: [{ httpApi: 'GET /api/items' }] },
      one: { fn: 'src/a.one', integration: 'api-gateway', events: [{ httpApi: { method: 'get', path: '/api/items/{id}' } }] },
      mine: { fn: 'src/a.mine', integration: 'api-gateway', events: [{ httpApi: 'GET /api/items/mine' }] },
      files: { fn: 'src/a.files', integration: 'api-gateway', events: [{ http: { method: 'any', path: 'files/{path+}' } }] },
      rest: { fn: 'src/a.rest', integration: 'api-gateway', events: [{ http: 'POST items' }] },
      fallback: { fn: 'src/a.fallback', integration: 'api-gateway', events: [{ httpApi: '*' }] },
      queue: { fn: 'src/a.queue', events: [{ sqs: { arn: 'arn:aws:sqs:us-east-1:1:q' } }] },
    }),
  );

  it.each([
    ['GET', '/api/items', { lambda: 'list', routeKey: 'GET /api/items' }],
    ['GET', '/api/items/mine', { lambda: 'mine', routeKey: 'GET /api/items/mine' }],
    ['GET', '/api/items/42', { lambda: 'one', routeKey: 'GET /api/items/{id}', pathParameters: { id: '42' } }],
    ['GET', '/api/items/a%20b', { lambda: 'one', routeKey: 'GET /api/items/{id}', pathParameters: { id: 'a b' } }],
    ['DELETE', '/files/x/y.txt', { lambda: 'files', routeKey: 'ANY /files/{path+}', pathParameters: { path: 'x/y.txt' } }],
    ['POST', '/items', { lambda: 'rest', routeKey: 'POST /items' }],
    ['POST', '/api/items', { lambda: 'fallback', routeKey: '$default' }],
    ['GET', '/files', { lambda: 'fallback', routeKey: '$default' }],
  ])('%s %s goes to the most specific route', (method, path, expected) => {
    expect(matchRoute(routes, method, path)).toEqual(expected);
  });

  it('finds nothing without a catch-all', () => {
    const only = routesOf(config({ list: { fn: 'src/a.list', events: [{ httpApi: 'GET /x' }] } }));
    expect(matchRoute(only, 'GET', '/y')).toBeUndefined();
    expect(matchRoute(only, 'POST', '/x')).toBeUndefined();
  });

  it('a literal route always beats a parameter route in the same place, whatever the order', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,8}$/), fc.boolean(), (literal, literalFirst) => {
        const lambdas: IonsConfig['lambdas'] = {};
        const entries: Array<[string, string]> = [
          ['lit', `GET /p/${literal}`],
          ['param', 'GET /p/{x}'],
        ];
        for (const [name, spec] of literalFirst ? entries : entries.reverse()) lambdas[name] = { fn: 'src/a.b', events: [{ httpApi: spec }] };
        const table = routesOf(config(lambdas));
        expect(matchRoute(table, 'GET', `/p/${literal}`)?.lambda).toBe('lit');
        expect(matchRoute(table, 'GET', `/p/${literal}z`)?.lambda).toBe('param');
      }),
    );
  });

  it('names the event of a malformed route', () => {
    expect(() => routesOf(config({ w: { fn: 'src/a.b', events: [{ httpApi: 'GET' }] } }))).toThrow(
      'ions.lambdas.w.events[0].httpApi: expected "METHOD /path" or "*"',
    );
  });

  it('takes the only web ion as the default when it declares no routes', () => {
    expect(defaultWebLambda(config({ w: { fn: 'src/a.b', integration: 'api-gateway' }, q: { fn: 'src/a.c' } }))).toBe('w');
    expect(defaultWebLambda(config({ w: { fn: 'src/a.b', integration: 'api-gateway', events: [{ httpApi: 'GET /x' }] } }))).toBeUndefined();
    expect(defaultWebLambda(config({ w: { fn: 'src/a.b', integration: 'api-gateway' }, v: { fn: 'src/a.c', integration: 'api-gateway' } }))).toBeUndefined();
    // A web ion with a function URL answers only there, so it neither serves unmatched paths nor competes for them.
    const withUrl = { fn: 'src/a.c', integration: 'api-gateway', url: true, streaming: true } as const;
    expect(defaultWebLambda(config({ w: { fn: 'src/a.b', integration: 'api-gateway' }, csv: withUrl }))).toBe('w');
    expect(defaultWebLambda(config({ csv: withUrl }))).toBeUndefined();
  });

  it('serves each function URL under /_ions/url/<lambda>/, with the path the lambda sees at its own URL', () => {
    const urls = functionUrlsOf(config({ w: { fn: 'src/a.b', integration: 'api-gateway' }, csv: { fn: 'src/a.c', integration: 'api-gateway', url: { authorizer: 'aws_iam' } } }));
    expect(urls).toEqual(['csv']);
    expect(matchFunctionUrl(urls, `${FUNCTION_URL_PREFIX}csv`)).toEqual({ lambda: 'csv', rawPath: '/' });
    expect(matchFunctionUrl(urls, `${FUNCTION_URL_PREFIX}csv/`)).toEqual({ lambda: 'csv', rawPath: '/' });
    expect(matchFunctionUrl(urls, `${FUNCTION_URL_PREFIX}csv/a/b`)).toEqual({ lambda: 'csv', rawPath: '/a/b' });
    expect(matchFunctionUrl(urls, `${FUNCTION_URL_PREFIX}w/a`)).toBeUndefined();
    expect(matchFunctionUrl(urls, '/csv/a')).toBeUndefined();
  });
});
