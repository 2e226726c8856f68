// The local stand-in for API Gateway: an HTTP server on loopback that routes each request to a lambda
// ion, hands it over as an HTTP API v2 event and writes the answer back.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { forwardHttp } from './forward-http.js';
import { httpApiEvent } from './http-api-event.js';
import { writeGatewayError, writeHttpApiResult } from './http-api-response.js';
import { StreamedInvocation, writeStreamed } from './function-url-stream.js';
import { matchFunctionUrl, matchRoute, type Route } from './routes.js';

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface GatewayRouting {
  routes: Route[];
  /** Serves requests no route matches. */
  defaultLambda?: string;
  /** Without a default lambda: a node whose HTTP-direct handler serves requests no route matches. */
  httpDirectUrl?: string;
  /** Lambdas with a function URL, each served under `/_ions/url/<lambda>/` (see FUNCTION_URL_PREFIX). */
  functionUrls?: string[];
}

export interface GatewayOptions {
  host?: string;
  port: number;
  /** Read on every request, so a hot swap that changes routes takes effect at once; undefined while starting. */
  routing: () => GatewayRouting | undefined;
  invoke: (lambda: string, event: APIGatewayProxyEventV2) => Promise<unknown>;
  log?: (line: string) => void;
}

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const server = createServer((req, res) => {
    const started = Date.now();
    const path = (req.url ?? '/').split('?')[0]!;
    void (async () => {
      const body = await readBody(req);
      if (body === undefined) return writeGatewayError(res, 413, 'Request Entity Too Large');
      const routing = options.routing();
      if (routing === undefined) return writeGatewayError(res, 503, 'Service Unavailable');
      const { routes, defaultLambda, httpDirectUrl, functionUrls } = routing;
      const functionUrl = matchFunctionUrl(functionUrls ?? [], path);
      const match =
        (functionUrl === undefined ? undefined : { ...functionUrl, routeKey: '$default' }) ??
        matchRoute(routes, req.method ?? 'GET', path) ??
        (defaultLambda === undefined ? undefined : { lambda: defaultLambda, routeKey: '$default' });
      if (match === undefined && httpDirectUrl !== undefined) {
        await forwardHttp(req, body, res, httpDirectUrl);
        log(`${req.method} ${req.url} -> http-direct ${res.statusCode} (${Date.now() - started} ms)`);
        return;
      }
      if (match === undefined) return writeGatewayError(res, 404, 'Not Found');
      const result = await options.invoke(match.lambda, httpApiEvent(req, body, match));
      if (result instanceof StreamedInvocation) await writeStreamed(res, result);
      else writeHttpApiResult(res, result);
      log(`${req.method} ${req.url} -> ${match.lambda} ${res.statusCode} (${Date.now() - started} ms)`);
    })().catch((err: unknown) => {
      log(`${req.method} ${req.url} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      writeGatewayError(res, 502, 'Internal Server Error');
    });
  });
  server.keepAliveTimeout = 5_000;
  await listen(server, options.port, host);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(new Error(`port ${port} on ${host} is already in use: stop what listens there or pick another with --port`));
      } else {
        reject(err);
      }
    });
    server.listen(port, host, () => resolve());
  });
}

/** The whole body, or undefined once it passes the payload limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
