// Builds an event of each HTTP shape from one description of a request, as the AWS service would
// deliver it, and reads a Lambda answer of each shape back into one form, so that property tests can
// send the same generated request through every shape.

export const shapes = ['rest', 'rest-single', 'http-api-v2', 'function-url', 'alb', 'alb-multi', 'lattice-v2'] as const;
export type Shape = (typeof shapes)[number];

/** Shapes whose request maps hold one value per name (so generated names must be unique). */
export const singleValueRequest: ReadonlySet<Shape> = new Set(['rest-single', 'http-api-v2', 'function-url', 'alb']);
/** Shapes whose answers hold one value per header name (joined with ", "). */
export const singleValueAnswer: ReadonlySet<Shape> = new Set(['http-api-v2', 'function-url', 'alb', 'lattice-v2']);

export interface WireRequest {
  method: string;
  path: string;
  /** Decoded key/value pairs, in order. */
  query: [string, string][];
  /** Names in any case; never `cookie`. */
  headers: [string, string][];
  cookies: [string, string][];
  body: Uint8Array | undefined;
  /** Whether the gateway base64-encoded the body. */
  base64: boolean;
}

const enc = encodeURIComponent;

function group(pairs: [string, string][], lower: boolean): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const [name, value] of pairs) (grouped[lower ? name.toLowerCase() : name] ??= []).push(value);
  return grouped;
}

function single(pairs: [string, string][]): Record<string, string> {
  return Object.fromEntries(pairs);
}

function cookieHeader(request: WireRequest): string | undefined {
  return request.cookies.length === 0 ? undefined : request.cookies.map(([n, v]) => `${n}=${v}`).join('; ');
}

function bodyField(request: WireRequest): string | null {
  if (request.body === undefined) return null;
  return Buffer.from(request.body).toString(request.base64 ? 'base64' : 'utf8');
}

export function toEvent(shape: Shape, request: WireRequest): Record<string, unknown> {
  const cookie = cookieHeader(request);
  const headerPairs: [string, string][] = cookie === undefined ? request.headers : [...request.headers, ['Cookie', cookie]];
  const body = bodyField(request);
  switch (shape) {
    case 'rest':
    case 'rest-single': {
      const event: Record<string, unknown> = {
        resource: '/{proxy+}',
        path: request.path,
        httpMethod: request.method,
        headers: single(headerPairs),
        queryStringParameters: request.query.length === 0 ? null : single(request.query),
        pathParameters: { proxy: request.path.slice(1) },
        stageVariables: null,
        requestContext: {
          accountId: '123456789012',
          stage: 'prod',
          path: '/prod' + request.path,
          requestId: 'rest-request',
          protocol: 'HTTP/1.1',
          domainName: 'abc.execute-api.us-east-1.amazonaws.com',
          identity: { sourceIp: '203.0.113.9' },
          httpMethod: request.method,
        },
        body,
        isBase64Encoded: request.base64,
      };
      if (shape === 'rest') {
        event.multiValueHeaders = group(headerPairs, false);
        event.multiValueQueryStringParameters = request.query.length === 0 ? null : group(request.query, false);
      }
      return event;
    }
    case 'http-api-v2':
    case 'function-url': {
      const domainName = shape === 'function-url' ? 'abc.lambda-url.us-east-1.on.aws' : 'abc.execute-api.us-east-1.amazonaws.com';
      const event: Record<string, unknown> = {
        version: '2.0',
        routeKey: '$default',
        rawPath: request.path,
        rawQueryString: request.query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&'),
        headers: single(request.headers),
        requestContext: {
          accountId: '123456789012',
          apiId: 'abc',
          domainName,
          http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
          requestId: 'v2-request',
          routeKey: '$default',
          stage: '$default',
          time: '21/Nov/2026:00:00:00 +0000',
          timeEpoch: 0,
        },
        isBase64Encoded: request.base64,
      };
      if (request.cookies.length > 0) event.cookies = request.cookies.map(([n, v]) => `${n}=${v}`);
      if (body !== null) event.body = body;
      return event;
    }
    case 'alb':
    case 'alb-multi': {
      const rawQuery: [string, string][] = request.query.map(([k, v]) => [enc(k), enc(v)]);
      const event: Record<string, unknown> = {
        requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/abc' } },
        httpMethod: request.method,
        path: request.path,
        body: body ?? '',
        isBase64Encoded: request.base64,
      };
      if (shape === 'alb') {
        event.headers = single(headerPairs);
        event.queryStringParameters = single(rawQuery);
      } else {
        event.multiValueHeaders = group(headerPairs, false);
        event.multiValueQueryStringParameters = group(rawQuery, false);
      }
      return event;
    }
    case 'lattice-v2': {
      const event: Record<string, unknown> = {
        version: '2.0',
        path: request.path,
        method: request.method,
        headers: group(headerPairs, true),
        queryStringParameters: group(request.query, false),
        isBase64Encoded: request.base64,
        requestContext: {
          serviceNetworkArn: 'arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-1',
          serviceArn: 'arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-1',
          targetGroupArn: 'arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-1',
          identity: { sourceVpcArn: 'arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1', type: 'AWS_IAM' },
          region: 'us-east-1',
          timeEpoch: '1690497599177430',
        },
      };
      if (body !== null) event.body = body;
      return event;
    }
  }
}

export interface DecodedAnswer {
  status: number;
  /** Lower-case names, values as the shape carried them (a single joined string per name for single-value answers). */
  headers: Record<string, string[]>;
  setCookies: string[];
  body: Buffer;
  isBase64Encoded: boolean;
}

type AnyResult = {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
};

export function decodeAnswer(result: unknown): DecodedAnswer {
  const r = result as AnyResult;
  const headers: Record<string, string[]> = {};
  const setCookies: string[] = [...(r.cookies ?? [])];
  for (const [name, values] of Object.entries(r.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'set-cookie') setCookies.push(...values);
    else (headers[name.toLowerCase()] ??= []).push(...values);
  }
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    if (name.toLowerCase() === 'set-cookie') setCookies.push(value);
    else (headers[name.toLowerCase()] ??= []).push(value);
  }
  const isBase64Encoded = r.isBase64Encoded === true;
  return { status: r.statusCode, headers, setCookies, body: Buffer.from(r.body ?? '', isBase64Encoded ? 'base64' : 'utf8'), isBase64Encoded };
}
