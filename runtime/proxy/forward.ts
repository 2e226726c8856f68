// One signed POST to a node over a keep-alive connection, failing over along the endpoint list when a
// node cannot be reached. Each attempt is signed afresh: a node that never saw the request must not
// mistake the retry for a replay, and a different node keeps its own replay memory anyway.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { signedHeaders, type SigningKey } from '../protocol/signing.js';
import { HEADERS, invokePath } from '../protocol/wire.js';
import { watchDeadline } from './deadlines.js';

export type ForwardResult =
  | { kind: 'answer'; status: number; retryAfter: string | undefined; body: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'timeout'; message: string };

/** A node endpoint, parsed once per cold start rather than once per request. */
export interface Endpoint {
  base: string;
  https: boolean;
  hostname: string;
  port: number;
  /** The Host header: host and port as the URL gave them (the port left out when it is the default). */
  host: string;
}

export function parseEndpoint(base: string): Endpoint {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new Error(`ions proxy: endpoint ${JSON.stringify(base)} is not a URL like http://10.0.0.5:8182`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`ions proxy: endpoint ${base} must be http or https`);
  const https = url.protocol === 'https:';
  // URL keeps the brackets of an IPv6 literal; a socket address must not have them.
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { base, https, hostname, port: url.port ? Number(url.port) : https ? 443 : 80, host: url.host };
}

const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

// Per container, so that successive invocations spread over the nodes.
let nextEndpoint = 0;

/** A signed target and its request path, worked out once per cold start. */
export interface ForwardTarget {
  name: string;
  path: string;
}

export function forwardTarget(name: string): ForwardTarget {
  return { name, path: invokePath(name) };
}

export function forward(
  endpoints: readonly Endpoint[],
  secret: SigningKey,
  target: ForwardTarget,
  json: string,
  timeoutMs: number,
): Promise<ForwardResult> {
  return new Promise((resolve) => forwardThen(endpoints, secret, target, json, timeoutMs, resolve));
}

/**
 * `forward` with a callback, called exactly once: the proxy's handler settles its own promise from it,
 * so that no promise layer of ours sits between the node's answer and the Lambda runtime.
 */
export function forwardThen(
  endpoints: readonly Endpoint[],
  secret: SigningKey,
  target: ForwardTarget,
  json: string,
  timeoutMs: number,
  done: (result: ForwardResult) => void,
): void {
  // The body stays a string: the signature and the socket both take its UTF-8 bytes (JSON text has no
  // lone surrogates, so there is only one way to encode it), and a string body leaves the socket in one
  // write together with the headers.
  const length = Buffer.byteLength(json, 'utf8');
  const start = nextEndpoint++ % endpoints.length;
  // A lone endpoint gets a second try: the usual failure there is a keep-alive socket the node closed
  // while the Lambda was frozen.
  const attempts = endpoints.length === 1 ? 2 : endpoints.length;
  const deadline = Date.now() + timeoutMs;
  const failures: string[] = [];
  const attempt = (i: number): void => {
    const endpoint = endpoints[(start + i) % endpoints.length]!;
    const next = (result: ForwardResult): void => {
      if (result.kind !== 'unreachable') return done(result);
      failures.push(result.message);
      if (i + 1 < attempts) attempt(i + 1);
      else done({ kind: 'unreachable', message: failures.join('; ') });
    };
    // A retry starts from a socket's callback, where a throw would end the process: it is reported instead.
    try {
      post(endpoint, target, secret, json, length, deadline - Date.now(), next);
    } catch (error) {
      next({ kind: 'unreachable', message: `${endpoint.base}: ${(error as Error).message}` });
    }
  };
  attempt(0);
}

function post(
  endpoint: Endpoint,
  target: ForwardTarget,
  secret: SigningKey,
  body: string,
  length: number,
  timeoutMs: number,
  done: (result: ForwardResult) => void,
): void {
  // Settles once: a timeout and a late error or answer may both report.
  let settled = false;
  const resolve = (result: ForwardResult): void => {
    if (settled) return;
    settled = true;
    done(result);
  };
  if (timeoutMs <= 0) return resolve({ kind: 'timeout', message: `no time left to reach ${endpoint.base}` });
  const signed = signedHeaders(secret, target.name, body);
  const request = (endpoint.https ? httpsRequest : httpRequest)({
    hostname: endpoint.hostname,
    port: endpoint.port,
    path: target.path,
    method: 'POST',
    agent: endpoint.https ? httpsAgent : httpAgent,
    // As a flat list, the headers go straight into the request head; an object would be copied
    // header by header into the request first. A list also means Node adds no Host of its own.
    headers: [
      'host',
      endpoint.host,
      'content-type',
      'application/json',
      'content-length',
      String(length),
      HEADERS.timestamp,
      signed[HEADERS.timestamp]!,
      HEADERS.nonce,
      signed[HEADERS.nonce]!,
      HEADERS.signature,
      signed[HEADERS.signature]!,
    ],
  });
  let answered = false;
  const deadline = watchDeadline(timeoutMs, () => {
    resolve({ kind: 'timeout', message: `${endpoint.base} did not answer within ${timeoutMs} ms` });
    request.destroy();
  });
  request.on('response', (response: IncomingMessage) => {
    answered = true;
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      deadline.cancel();
      const status = response.statusCode ?? 0;
      // Only a refusal carries Retry-After; a 200 never pays for building the header map.
      const retryAfter = status === 200 ? undefined : response.headers['retry-after'];
      resolve({ kind: 'answer', status, retryAfter, body: Buffer.concat(chunks).toString('utf8') });
    });
    response.on('error', (error) => {
      deadline.cancel();
      resolve({ kind: 'unreachable', message: `${endpoint.base} broke off its answer: ${error.message}` });
    });
  });
  request.on('error', (error) => {
    deadline.cancel();
    // After a response started, the response's own error handler reports the failure.
    if (!answered) resolve({ kind: 'unreachable', message: `${endpoint.base}: ${error.message}` });
  });
  request.end(body);
}
