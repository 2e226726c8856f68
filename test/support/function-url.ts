// A Lambda function URL with InvokeMode RESPONSE_STREAM on loopback, for a streaming proxy handler:
// each request becomes a function URL event (HTTP API v2 shape), the handler runs on the stand-in for
// Lambda's runtime (runtime/dev/awslambda.ts), and its prelude and body reach the client as they come.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invokeStreaming, writeStreamed } from '../../runtime/dev/function-url-stream.js';
import { httpApiEvent } from '../../runtime/dev/http-api-event.js';
import type { StreamingHandler } from '../../runtime/proxy/awslambda.js';
import type { ProxyContext } from '../../runtime/proxy/handler.js';

export interface FunctionUrl {
  url: string;
  /** How each invocation ended: undefined, or the error that cut its answer off. */
  outcomes: Array<Error | undefined>;
  close(): Promise<void>;
}

export interface FunctionUrlOptions {
  /** The Lambda's remaining time at the start of each invocation. */
  remainingMs?: number;
}

export async function startFunctionUrl(handler: StreamingHandler, options: FunctionUrlOptions = {}): Promise<FunctionUrl> {
  const outcomes: Array<Error | undefined> = [];
  let invocations = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const event = httpApiEvent(req, Buffer.concat(chunks), { routeKey: '$default' });
      const deadline = Date.now() + (options.remainingMs ?? 10_000);
      const context: ProxyContext = {
        awsRequestId: `url-${++invocations}`,
        functionName: 'fixture-dev-primary-stream',
        getRemainingTimeInMillis: () => deadline - Date.now(),
      };
      invokeStreaming(handler, event, context)
        .then((answer) => writeStreamed(res, answer))
        .then(
          () => outcomes.push(undefined),
          (error: Error) => {
            outcomes.push(error);
            // What a function URL answers for a function that failed before its answer began.
            if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    outcomes,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A GET whose answer the caller reads as it comes (on a fresh connection, so a cut one affects nothing else). */
export function openStream(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

export interface ReadAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Whether the answer ended properly (false: the connection was cut before its end). */
  complete: boolean;
}

/** Reads an answer to its end, or to the cut that ends it early. */
export function readAll(response: IncomingMessage): Promise<ReadAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = (): void =>
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), complete: response.complete });
    response.on('end', done);
    // A cut answer errors (or only closes): either way the bytes so far and `complete` tell.
    response.on('error', done);
    response.on('close', done);
  });
}
