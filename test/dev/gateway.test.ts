import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ionize } from '../../adapter/index.js';
import type { IonRequest } from '../../adapter/types.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../runtime/dev/gateway.js';
import { localLambdaContext } from '../../runtime/dev/lambda-context.js';
import { routesOf } from '../../runtime/dev/routes.js';

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

async function gateway(invoke: GatewayOptions['invoke'], routing: GatewayOptions['routing'] = () => ({ routes: [], defaultLambda: 'web' })) {
  const g = await startGateway({ port: 0, routing, invoke });
  open.push(g);
  return g;
}

function recording(result: unknown = { statusCode: 204 }) {
  const events: Array<{ lambda: string; event: APIGatewayProxyEventV2 }> = [];
  const invoke: GatewayOptions['invoke'] = async (lambda, event) => {
    events.push({ lambda, event });
    return result;
  };
  return { events, invoke };
}

describe('local gateway: the request as an HTTP API v2 event', () => {
  it('carries path, raw query, decoded parameters, cookies apart from headers, and the request context', async () => {
    const { events, invoke } = recording();
    const g = await gateway(invoke);
    const res = await fetch(`${g.url}/a%20b/c?x=1&y=a%20b&x=2`, {
      headers: { cookie: 'session=abc; theme=dark', 'x-custom': 'v', 'user-agent': 'tester/1' },
    });
    expect(res.status).toBe(204);
    const [{ lambda, event }] = events as [{ lambda: string; event: APIGatewayProxyEventV2 }];
    expect(lambda).toBe('web');
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/a%20b/c',
      rawQueryString: 'x=1&y=a%20b&x=2',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { x: '1,2', y: 'a b' },
      isBase64Encoded: false,
      requestContext: {
        stage: '$default',
        routeKey: '$default',
        http: { method: 'GET', path: '/a%20b/c', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'tester/1' },
      },
    });
    expect(event.headers['x-custom']).toBe('v');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.requestContext.requestId).toMatch(/^\S{8,}$/);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('passes JSON as text and base64-encodes binary and form bodies', async () => {
    const { events, invoke } = recording();
    const g = await gateway(invoke);
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    await fetch(`${g.url}/j`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":"é"}' });
    await fetch(`${g.url}/b`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    await fetch(`${g.url}/f`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=A+B' });
    const [json, binary, form] = events.map((e) => e.event);
    expect(json).toMatchObject({ body: '{"a":"é"}', isBase64Encoded: false });
    expect(binary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    expect(form).toMatchObject({ body: Buffer.from('name=A+B').toString('base64'), isBase64Encoded: true });
  });

  it('routes by method and path, with path parameters, and answers 404 like API Gateway', async () => {
    const routes = routesOf({ app: 'a', lambdas: { item: { fn: 'src/a.b', events: [{ httpApi: 'GET /items/{id}' }] } } });
    const { events, invoke } = recording();
    const g = await gateway(invoke, () => ({ routes }));
    await fetch(`${g.url}/items/7`);
    expect(events[0]).toMatchObject({ lambda: 'item', event: { routeKey: 'GET /items/{id}', pathParameters: { id: '7' } } });
    const missing = await fetch(`${g.url}/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Not Found' });
  });
});

describe('local gateway: the answer', () => {
  it('writes status, headers, every cookie and a base64 body', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0xff]);
    const g = await gateway(recording({
      statusCode: 201,
      headers: { 'content-type': 'image/png', 'x-n': 3 },
      cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
      body: png.toString('base64'),
      isBase64Encoded: true,
    }).invoke);
    const res = await fetch(`${g.url}/`);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-n')).toBe('3');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(png);
  });

  it('sends a result without statusCode as a 200 JSON body, as HTTP APIs do', async () => {
    const g = await gateway(recording({ hello: 'world' }).invoke);
    const res = await fetch(`${g.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ hello: 'world' });
  });

  it('answers 502 when the invocation itself fails, and keeps serving', async () => {
    let fail = true;
    const g = await gateway(async () => {
      if (fail) throw new Error('boom');
      return { statusCode: 200, body: 'ok' };
    });
    expect((await fetch(`${g.url}/`)).status).toBe(502);
    fail = false;
    expect(await (await fetch(`${g.url}/`)).text()).toBe('ok');
  });

  it('round-trips through a real ionized handler', async () => {
    const seen: IonRequest[] = [];
    const web = ionize((req) => {
      seen.push(req);
      return { status: 200, headers: { 'set-cookie': ['x=1', 'y=2'] }, body: { uri: req.uri, query: req.query, body: req.body?.toString('utf8') } };
    });
    const g = await gateway((_lambda, event) => web(event, localLambdaContext('web')));
    const res = await fetch(`${g.url}/p/q?a=1&a=2`, { method: 'POST', headers: { cookie: 'c=3', 'content-type': 'application/x-www-form-urlencoded' }, body: 'n=v' });
    expect(await res.json()).toEqual({ uri: '/p/q', query: { a: ['1', '2'] }, body: 'n=v' });
    expect(res.headers.getSetCookie()).toEqual(['x=1', 'y=2']);
    expect(seen[0]!.cookies).toEqual({ c: '3' });
    expect(seen[0]!.requestMethod).toBe('post');
  });
});

describe('local gateway: what the handler sees', () => {
  it('any query, header value and body reach an ionized handler intact', async () => {
    let seen: IonRequest | undefined;
    const web = ionize((req) => {
      seen = req;
      return { status: 200, body: req.body ?? '', headers: { 'content-type': 'application/octet-stream' } };
    });
    const g = await gateway((_lambda, event) => web(event, localLambdaContext('web')));
    const token = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '_', '.', '~', ' ', '&', '=', '+', '%', 'é', '/', '?') });
    const headerValue = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
    const binary = fc.uint8Array({ maxLength: 300 });
    const types = fc.constantFrom('application/octet-stream', 'application/json', 'text/plain; charset=utf-8', 'image/png', 'application/x-www-form-urlencoded');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), token), { maxLength: 5 }), headerValue, binary, types, async (pairs, value, bytes, type) => {
        const textual = type.startsWith('application/json') || type.startsWith('text/');
        const body = textual ? Buffer.from(Buffer.from(bytes).toString('latin1'), 'utf8') : Buffer.from(bytes);
        const search = new URLSearchParams(pairs).toString();
        const res = await fetch(`${g.url}/p${search === '' ? '' : `?${search}`}`, { method: 'POST', headers: { 'x-value': value, 'content-type': type }, body });
        expect(Buffer.from(await res.arrayBuffer())).toEqual(body);
        const expected: Record<string, string | string[]> = {};
        for (const [k, v] of pairs) expected[k] = k in expected ? [...[expected[k]!].flat(), v] : v;
        expect(seen!.query).toEqual(expected);
        expect(seen!.headers['x-value']).toBe(value);
        expect(seen!.body ?? Buffer.alloc(0)).toEqual(body);
      }),
      { numRuns: 40 },
    );
  });
});

describe('local gateway: HTTP-direct', () => {
  it('passes a request no lambda serves straight to the node, and its answer straight back', async () => {
    const seen: Array<{ method?: string; url?: string; header?: string | string[]; body: string }> = [];
    const node = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, header: req.headers['x-test'], body: Buffer.concat(chunks).toString() });
        res.writeHead(202, { 'x-from': 'node', 'set-cookie': ['a=1', 'b=2'] });
        res.end('direct');
      });
    });
    await new Promise<void>((r) => node.listen(0, '127.0.0.1', r));
    try {
      const nodeUrl = `http://127.0.0.1:${(node.address() as AddressInfo).port}`;
      const { events, invoke } = recording();
      const routes = routesOf({ app: 'a', lambdas: { api: { fn: 'src/a.b', events: [{ httpApi: 'GET /api' }] } } });
      const g = await gateway(invoke, () => ({ routes, httpDirectUrl: nodeUrl }));
      const res = await fetch(`${g.url}/other/path?q=1`, { method: 'PUT', headers: { 'x-test': 'yes' }, body: 'payload' });
      expect(res.status).toBe(202);
      expect(res.headers.get('x-from')).toBe('node');
      expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(await res.text()).toBe('direct');
      expect(seen).toEqual([{ method: 'PUT', url: '/other/path?q=1', header: 'yes', body: 'payload' }]);
      await fetch(`${g.url}/api`);
      expect(events.map((e) => e.lambda)).toEqual(['api']);
    } finally {
      await new Promise((r) => node.close(r));
    }
  });
});

describe('local gateway: starting', () => {
  it('answers 503 until it has routes', async () => {
    let ready = false;
    const g = await gateway(async () => ({ statusCode: 200, body: 'up' }), () => (ready ? { routes: [], defaultLambda: 'web' } : undefined));
    expect((await fetch(`${g.url}/`)).status).toBe(503);
    ready = true;
    expect(await (await fetch(`${g.url}/`)).text()).toBe('up');
  });
});

describe('local gateway: the port', () => {
  it('says clearly when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      await expect(startGateway({ port, routing: () => ({ routes: [] }), invoke: async () => null })).rejects.toThrow(
        `port ${port} on 127.0.0.1 is already in use: stop what listens there or pick another with --port`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
