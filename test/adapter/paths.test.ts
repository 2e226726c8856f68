// Which shape an event is, and the uri and origin fields read from it: stage and base path
// stripping, ALB's undecoded query, forwarded scheme and port.
import { describe, expect, it } from 'vitest';
import { httpShapeOf, ionize, type IonizeOptions, type IonRequest } from '../../adapter/index.js';
import { context, loadFixture } from './support/fixtures.js';
import { shapes, toEvent, type WireRequest } from './support/shapes.js';

async function requestOf(event: unknown, options?: IonizeOptions): Promise<IonRequest> {
  let seen: IonRequest | undefined;
  await ionize((request) => {
    seen = request;
    return { status: 204 };
  }, options)(event, context);
  return seen!;
}

const at = (path: string): WireRequest => ({ method: 'GET', path, query: [], headers: [], cookies: [], body: undefined, base64: false });

describe('base path', () => {
  it.each(shapes)('is stripped by whole segments in %s', async (shape) => {
    expect((await requestOf(toEvent(shape, at('/api/users/7')), { basePath: '/api' })).uri).toBe('/users/7');
    expect((await requestOf(toEvent(shape, at('/api')), { basePath: '/api' })).uri).toBe('/');
    expect((await requestOf(toEvent(shape, at('/apiary')), { basePath: '/api' })).uri).toBe('/apiary');
    expect((await requestOf(toEvent(shape, at('/other/api')), { basePath: '/api' })).uri).toBe('/other/api');
  });

  it('is normalized from any spelling', async () => {
    for (const basePath of ['api', '/api/', 'api//']) {
      expect((await requestOf(toEvent('rest', at('/api/x')), { basePath })).uri).toBe('/x');
    }
    expect((await requestOf(toEvent('rest', at('/x')), { basePath: '/' })).uri).toBe('/x');
  });
});

describe('stage', () => {
  function v2(rawPath: string, stage: string, domainName: string): Record<string, unknown> {
    const event = toEvent('http-api-v2', at(rawPath)) as { requestContext: Record<string, unknown> };
    event.requestContext.stage = stage;
    event.requestContext.domainName = domainName;
    return event;
  }

  it('is stripped from an HTTP API raw path on the execute-api domain', async () => {
    expect((await requestOf(v2('/prod/users', 'prod', 'abc.execute-api.us-east-1.amazonaws.com'))).uri).toBe('/users');
    expect((await requestOf(v2('/prod', 'prod', 'abc.execute-api.us-east-1.amazonaws.com'))).uri).toBe('/');
    expect((await requestOf(v2('/production', 'prod', 'abc.execute-api.us-east-1.amazonaws.com'))).uri).toBe('/production');
  });

  it('is left alone behind a custom domain, whose paths carry no stage', async () => {
    expect((await requestOf(v2('/prod/users', 'prod', 'api.example.com'))).uri).toBe('/prod/users');
  });

  it('is stripped before the base path', async () => {
    expect((await requestOf(v2('/prod/api/users', 'prod', 'abc.execute-api.us-east-1.amazonaws.com'), { basePath: '/api' })).uri).toBe('/users');
  });

  it('never reaches a REST uri: it comes from `path`, not the stage-prefixed requestContext.path', async () => {
    const event = loadFixture('apigw-request.json') as { requestContext: { path: string } };
    event.requestContext.path = '/testStage/hello/world';
    expect((await requestOf(event)).uri).toBe('/hello/world');
  });
});

describe('shape detection', () => {
  it('reads a REST event behind a custom domain that carries rawPath as REST', () => {
    const event = { ...loadFixture<Record<string, unknown>>('apigw-request.json'), rawPath: '/custom/hello/world' };
    expect(httpShapeOf(event)).toBe('rest');
  });

  it('reads an HTTP API payload 1.0 event as REST', () => {
    expect(httpShapeOf({ ...loadFixture<Record<string, unknown>>('apigw-request.json'), version: '1.0' })).toBe('rest');
  });

  it('tells ALB from REST by the elb marker though both carry httpMethod and path', () => {
    expect(httpShapeOf(loadFixture('alb-lambda-target-request-headers-only.json'))).toBe('alb');
  });

  it('tells Lattice from HTTP API though both say version 2.0', () => {
    expect(httpShapeOf(toEvent('lattice-v2', at('/')))).toBe('lattice-v2');
    expect(httpShapeOf(toEvent('http-api-v2', at('/')))).toBe('http-api-v2');
  });
});

describe('query strings', () => {
  it('decodes ALB parameters, which arrive still encoded, and keeps them raw in queryString', async () => {
    const event = loadFixture('alb-lambda-target-request-multivalue-headers.json') as Record<string, unknown>;
    event.multiValueQueryStringParameters = { q: ['a+b%20c', '%E2%9C%93'], 'k%26': ['x'] };
    const request = await requestOf(event);
    expect({ ...request.query }).toEqual({ q: ['a b c', '✓'], 'k&': 'x' });
    expect(request.queryString).toBe('q=a+b%20c&q=%E2%9C%93&k%26=x');
  });

  it('encodes REST parameters, which arrive decoded, into queryString', async () => {
    const event = loadFixture('apigw-request.json') as Record<string, unknown>;
    event.multiValueQueryStringParameters = { q: ['a b&c', '✓'] };
    const request = await requestOf(event);
    expect({ ...request.query }).toEqual({ q: ['a b&c', '✓'] });
    expect(request.queryString).toBe('q=a%20b%26c&q=%E2%9C%93');
  });

  it('parses an HTTP API raw query string: + is a space, keys without values are empty, bad escapes stay raw', async () => {
    const event = toEvent('http-api-v2', at('/')) as Record<string, unknown>;
    event.rawQueryString = 'a=1+2&flag&b=%ZZ&&c=%7E';
    const request = await requestOf(event);
    expect({ ...request.query }).toEqual({ a: '1 2', flag: '', b: '%ZZ', c: '~' });
    expect(request.queryString).toBe('a=1+2&flag&b=%ZZ&&c=%7E');
  });

  it('keeps keys that name Object.prototype members as plain keys', async () => {
    const event = toEvent('http-api-v2', at('/')) as Record<string, unknown>;
    event.rawQueryString = '__proto__=x&constructor=y&toString=z';
    const request = await requestOf(event);
    expect(Object.entries(request.query)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['toString', 'z'],
    ]);
  });
});

describe('origin fields', () => {
  it('reads scheme and port from x-forwarded headers and the host name without its port', async () => {
    const event = toEvent('rest', { ...at('/'), headers: [['X-Forwarded-Proto', 'http'], ['Host', 'example.com:8080']] });
    const request = await requestOf(event);
    expect(request).toMatchObject({ scheme: 'http', serverName: 'example.com', serverPort: 8080 });
  });

  it('keeps the brackets of an IPv6 host', async () => {
    const request = await requestOf(toEvent('alb', { ...at('/'), headers: [['host', '[::1]:9000']] }));
    expect(request).toMatchObject({ serverName: '[::1]', serverPort: 9000, scheme: 'http' });
  });

  it('takes the address the load balancer saw, the last x-forwarded-for entry', async () => {
    const request = await requestOf(toEvent('lattice-v2', { ...at('/'), headers: [['x-forwarded-for', '198.51.100.1, 192.0.2.5, 10.0.0.7']] }));
    expect(request.remoteAddr).toBe('10.0.0.7');
  });

  it('joins repeated headers with ", " and cookie headers with "; "', async () => {
    const request = await requestOf(
      toEvent('alb-multi', {
        ...at('/'),
        headers: [
          ['Accept', 'text/html'],
          ['accept', 'application/json'],
          ['Cookie', 'a=1'],
          ['cookie', 'b=%E2%9C%93'],
        ],
      }),
    );
    expect(request.headers.accept).toBe('text/html, application/json');
    expect(request.headers.cookie).toBe('a=1; b=%E2%9C%93');
    expect({ ...request.cookies }).toEqual({ a: '1', b: '✓' });
  });

  it('parses cookies: the first of a name wins, quotes are removed, bad escapes stay raw', async () => {
    const request = await requestOf(toEvent('rest', { ...at('/'), cookies: [['a', '"quoted"'], ['b', '%ZZ'], ['a', 'second']] }));
    expect({ ...request.cookies }).toEqual({ a: 'quoted', b: '%ZZ' });
  });
});
