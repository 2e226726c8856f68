// Every event in the shared AWS corpus is a case: HTTP-shaped ones become the request map stated
// here and get an answer in their own shape; every other one reaches an event ion untouched.
import { describe, expect, it } from 'vitest';
import { eventIon, httpShapeOf, ionize, type HttpShape, type IonRequest } from '../../adapter/index.js';
import { context, fixtureNames, loadFixture } from './support/fixtures.js';

type Expected = { shape: HttpShape; request: Partial<Record<keyof IonRequest, unknown>>; headers: Record<string, string> };

const restRequest: Expected = {
  shape: 'rest',
  request: {
    requestMethod: 'post',
    uri: '/hello/world',
    queryString: 'name=me',
    query: { name: 'me' },
    cookies: {},
    body: Buffer.from('{\r\n\t"a": 1\r\n}'),
    remoteAddr: '192.168.196.186',
    scheme: 'https',
    serverName: 'gy415nuibc.execute-api.us-east-1.amazonaws.com',
    serverPort: 443,
    protocol: 'HTTP/1.1',
    pathParams: { proxy: 'hello/world' },
  },
  headers: {
    'content-type': 'application/json',
    headername: 'headerValue',
    'x-forwarded-for': '54.240.196.186, 54.182.214.83',
    'accept-encoding': 'gzip, deflate',
  },
};

const v2Authorized: Expected = {
  shape: 'http-api-v2',
  request: {
    requestMethod: 'get',
    uri: '/my/path',
    queryString: 'parameter1=value1&parameter1=value2&parameter2=value',
    query: { parameter1: ['value1', 'value2'], parameter2: 'value' },
    // `cookie1` and `cookie2` have no `=`: no names to key them by.
    cookies: {},
    body: Buffer.from('{\r\n\t"a": 1\r\n}'),
    remoteAddr: 'IP',
    scheme: 'https',
    serverName: 'id.execute-api.us-east-1.amazonaws.com',
    serverPort: 443,
    protocol: 'HTTP/1.1',
    pathParams: { proxy: 'hello/world' },
  },
  headers: { header1: 'value1', header2: 'value2', cookie: 'cookie1; cookie2' },
};

const albRequest = (remoteAddr: string, host: string): Expected => ({
  shape: 'alb',
  request: {
    requestMethod: 'get',
    uri: '/',
    queryString: 'key=hello',
    query: { key: 'hello' },
    cookies: {},
    body: undefined,
    remoteAddr,
    scheme: 'http',
    serverName: host,
    serverPort: 80,
    protocol: 'HTTP/1.1',
    pathParams: {},
  },
  headers: { host, 'x-myheader': '123', 'user-agent': 'curl/7.54.0', 'x-imforwards': '20' },
});

const http: Record<string, Expected> = {
  'alb-lambda-target-request-headers-only.json': albRequest('25.12.198.67', 'lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com'),
  'alb-lambda-target-request-multivalue-headers.json': albRequest('72.21.198.67', 'lambda-test-alb-1234567.us-east-1.elb.amazonaws.com'),
  'apigw-request.json': restRequest,
  'apigw-restapi-openapi-request.json': restRequest,
  'apigw-v2-request-iam.json': v2Authorized,
  'apigw-v2-request-jwt-authorizer.json': v2Authorized,
  'apigw-v2-request-lambda-authorizer.json': v2Authorized,
  'apigw-v2-request-no-authorizer.json': {
    shape: 'http-api-v2',
    request: {
      requestMethod: 'get',
      uri: '/',
      queryString: undefined,
      query: {},
      cookies: {},
      body: undefined,
      remoteAddr: '1.2.3.4',
      scheme: 'https',
      serverName: 'aaaaaaaaaa.execute-api.us-west-2.amazonaws.com',
      serverPort: 443,
      protocol: 'HTTP/1.1',
      pathParams: {},
    },
    headers: { 'content-length': '0', 'user-agent': 'curl/7.58.0', 'x-forwarded-for': '1.2.3.4' },
  },
  'lambda-urls-request.json': {
    shape: 'http-api-v2',
    request: {
      requestMethod: 'post',
      uri: '/my/path',
      queryString: 'parameter1=value1&parameter1=value2&parameter2=value',
      query: { parameter1: ['value1', 'value2'], parameter2: 'value' },
      cookies: {},
      body: Buffer.from('Hello from client!'),
      remoteAddr: '123.123.123.123',
      scheme: 'https',
      serverName: '<url-id>.lambda-url.us-west-2.on.aws',
      serverPort: 443,
      protocol: 'HTTP/1.1',
      pathParams: {},
    },
    // The gateway already folded the repeated header with a bare comma; it stays as it came.
    headers: { header1: 'value1', header2: 'value1,value2', cookie: 'cookie1; cookie2' },
  },
};

// A WebSocket message looks like a REST request but is not one; it goes to event ions.
const events = new Set([
  'apigw-websocket-request.json',
  'cloudwatch-logs-event.json',
  'codedeploy-deployment-event.json',
  'dynamodb-event.json',
  'kinesis-event.json',
  's3-event.json',
  'sns-event.json',
  'sqs-event.json',
]);

const answer = {
  status: 201,
  headers: { 'content-type': 'application/json', 'x-multi': ['a', 'b'], 'set-cookie': ['s=1; Path=/', 't=2; Path=/'] },
  body: { created: true },
};

describe('the AWS event corpus', () => {
  it('has a stated expectation for every fixture', () => {
    const names = fixtureNames();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name in http || events.has(name), `no expectation for ${name}`).toBe(true);
  });

  describe.each(Object.keys(http))('%s', (name) => {
    const expected = http[name]!;

    it(`is read as ${expected.shape} into the stated request map`, async () => {
      const event = loadFixture(name);
      expect(httpShapeOf(event)).toBe(expected.shape);
      let seen: IonRequest | undefined;
      await ionize((request) => {
        seen = request;
        return { status: 204 };
      })(event, context);
      expect(seen).toMatchObject(expected.request);
      // toMatchObject reads `{}` as "any object"; these maps must match exactly.
      for (const key of ['query', 'cookies', 'pathParams'] as const) expect({ ...seen![key] }).toEqual(expected.request[key]);
      expect(seen!.headers).toMatchObject(expected.headers);
      for (const headerName of Object.keys(seen!.headers)) expect(headerName).toBe(headerName.toLowerCase());
      expect(seen!.event).toBe(event);
      expect(seen!.context).toBe(context);
    });

    it(`is answered in the ${expected.shape} shape`, async () => {
      const event = loadFixture(name);
      const result = (await ionize(() => answer)(event, context)) as Record<string, unknown>;
      expect(result.statusCode).toBe(201);
      expect(result.body).toBe('{"created":true}');
      expect(result.isBase64Encoded).toBe(false);
      const multi = expected.shape === 'rest' || (expected.shape === 'alb' && 'multiValueHeaders' in event);
      if (multi) {
        expect(result.multiValueHeaders).toEqual({
          'content-type': ['application/json'],
          'x-multi': ['a', 'b'],
          'set-cookie': ['s=1; Path=/', 't=2; Path=/'],
        });
        expect(result.headers).toBeUndefined();
      } else if (expected.shape === 'http-api-v2') {
        expect(result.headers).toEqual({ 'content-type': 'application/json', 'x-multi': 'a, b' });
        expect(result.cookies).toEqual(['s=1; Path=/', 't=2; Path=/']);
      } else {
        expect(result.headers).toEqual({ 'content-type': 'application/json', 'x-multi': 'a, b', 'set-cookie': 's=1; Path=/', 'Set-cookie': 't=2; Path=/' });
        expect(result.multiValueHeaders).toBeUndefined();
      }
      if (expected.shape === 'alb') expect(result.statusDescription).toBe('201 Created');
      else expect(result.statusDescription).toBeUndefined();
    });
  });

  describe.each([...events])('%s', (name) => {
    it('reaches an event ion intact', async () => {
      const event = loadFixture(name);
      const pristine = loadFixture(name);
      let seen: unknown;
      const handler = eventIon(({ event: received, context: ctx }) => {
        seen = received;
        expect(ctx).toBe(context);
        return 'done';
      });
      expect(await handler(event, context)).toBe('done');
      expect(seen).toBe(event);
      expect(seen).toStrictEqual(pristine);
      expect(handler.ion).toBeTypeOf('function');
    });

    it('is refused by ionize with a clear error', async () => {
      expect(httpShapeOf(loadFixture(name))).toBeUndefined();
      await expect(ionize(() => ({ status: 200 }))(loadFixture(name), context)).rejects.toThrow(/not an HTTP event/);
    });
  });
});
