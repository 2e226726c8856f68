// A REST API method whose Lambda proxy integration streams (ResponseTransferMode STREAM), on loopback.
// Each request becomes a REST event (payload 1.0) laid over AWS's sample apigw-request.json, the
// streaming handler runs on the stand-in for Lambda's runtime (runtime/dev/awslambda.ts), and what it
// writes is read as API Gateway reads it: the metadata JSON up to 8 zero bytes (statusCode, headers,
// multiValueHeaders), then the body, relayed to the client as it comes. The metadata of each
// invocation is kept as written, for the tests to check field by field.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { PRELUDE_DELIMITER_BYTES, ResponseStream } from '../../../runtime/dev/awslambda.js';
import type { StreamingHandler } from '../../../runtime/proxy/awslambda.js';
import type { ProxyContext } from '../../../runtime/proxy/handler.js';

const SAMPLE = JSON.parse(readFileSync(new URL('../../../../shared/fixtures/aws-events/apigw-request.json', import.meta.url), 'utf8')) as Record<string, any>;
const STAGE = 'test';
/** API Gateway gives up on metadata that has not ended within the first 16 KB of the stream. */
const METADATA_LIMIT_BYTES = 16 * 1024;

export interface RestApi {
  url: string;
  /** The metadata each invocation wrote, parsed, in order. */
  metadata: unknown[];
  close(): Promise<void>;
}

/** The REST event API Gateway would send for `req`: the sample's shape, this request's method, path, query, headers and body. */
export function restEvent(req: IncomingMessage, body: Buffer, requestId: string): Record<string, unknown> {
  const url = new URL(req.url ?? '/', 'http://rest.invalid');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i]!, req.rawHeaders[i + 1]!];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const some = (map: object) => (Object.keys(map).length > 0 ? map : null);
  return {
    ...structuredClone(SAMPLE),
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: some(query),
    multiValueQueryStringParameters: some(multiQuery),
    pathParameters: { proxy: url.pathname.slice(1) },
    requestContext: { ...structuredClone(SAMPLE.requestContext), path: `/${STAGE}${url.pathname}`, stage: STAGE, httpMethod: req.method, requestId },
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

export async function startRestApi(handler: StreamingHandler): Promise<RestApi> {
  const metadata: unknown[] = [];
  let invocations = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const requestId = `rest-${++invocations}`;
      const context: ProxyContext = { awsRequestId: requestId, functionName: 'fixture-test-primary-stream', getRemainingTimeInMillis: () => 10_000 };
      const stream = new ResponseStream();
      handler(restEvent(req, Buffer.concat(chunks), requestId), stream, context as never).then(
        () => {
          if (!stream.writableEnded) stream.end();
        },
        (error: Error) => stream.destroy(error),
      );
      relay(stream, res, metadata).catch(() => {
        // What API Gateway answers when the integration failed before its answer began.
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Internal server error"}');
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    metadata,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface RestMetadata {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
}

async function relay(stream: ResponseStream, res: ServerResponse, seen: unknown[]): Promise<void> {
  let head = Buffer.alloc(0);
  let delimiter = -1;
  // Left at the delimiter, not destroyed: the body after it is piped on below.
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
    head = Buffer.concat([head, chunk as Buffer]);
    delimiter = head.indexOf(Buffer.alloc(PRELUDE_DELIMITER_BYTES));
    if (delimiter !== -1) break;
    if (head.length > METADATA_LIMIT_BYTES) throw new Error('no metadata within the first 16 KB');
  }
  if (delimiter === -1) throw new Error('the answer ended inside its metadata');
  const metadata = JSON.parse(head.subarray(0, delimiter).toString('utf8')) as RestMetadata;
  seen.push(metadata);
  for (const [name, value] of Object.entries(metadata.headers ?? {})) res.setHeader(name, value);
  // REST merges the two maps; for a name in both, the multi-value one wins.
  for (const [name, values] of Object.entries(metadata.multiValueHeaders ?? {})) res.setHeader(name, values);
  res.writeHead(metadata.statusCode);
  res.flushHeaders();
  const rest = head.subarray(delimiter + PRELUDE_DELIMITER_BYTES);
  if (rest.length > 0) res.write(rest);
  await pipeline(stream, res);
}
