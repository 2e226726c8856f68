// One signed POST to a node over a keep-alive connection, failing over along the endpoint list when a
// node cannot be reached. Each attempt is signed afresh: a node that never saw the request must not
// mistake the retry for a replay, and a different node keeps its own replay memory anyway.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { signedHeaders, type SigningKey } from '../protocol/signing.js';
import { invokePath } from '../protocol/wire.js';

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
  return { base, https, hostname, port: url.port ? Number(url.port) : https ? 443 : 80 };
}

const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

// Per container, so that successive invocations spread over the nodes.
let nextEndpoint = 0;

export async function forward(
  endpoints: readonly Endpoint[],
  secret: SigningKey,
  target: string,
  json: string,
  timeoutMs: number,
): Promise<ForwardResult> {
  // Encoded once: the signature, the length and the socket all take the same bytes.
  const body = Buffer.from(json, 'utf8');
  const start = nextEndpoint++ % endpoints.length;
  // A lone endpoint gets a second try: the usual failure there is a keep-alive socket the node closed
  // while the Lambda was frozen.
  const attempts = endpoints.length === 1 ? 2 : endpoints.length;
  const deadline = Date.now() + timeoutMs;
  const path = invokePath(target);
  const failures: string[] = [];
  for (let i = 0; i < attempts; i++) {
    const endpoint = endpoints[(start + i) % endpoints.length]!;
    const result = await post(endpoint, path, secret, target, body, deadline - Date.now());
    if (result.kind !== 'unreachable') return result;
    failures.push(result.message);
  }
  return { kind: 'unreachable', message: failures.join('; ') };
}

function post(endpoint: Endpoint, path: string, secret: SigningKey, target: string, body: Buffer, timeoutMs: number): Promise<ForwardResult> {
  return new Promise((resolve) => {
    if (timeoutMs <= 0) return resolve({ kind: 'timeout', message: `no time left to reach ${endpoint.base}` });
    const request = (endpoint.https ? httpsRequest : httpRequest)({
      hostname: endpoint.hostname,
      port: endpoint.port,
      path,
      method: 'POST',
      agent: endpoint.https ? httpsAgent : httpAgent,
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        ...signedHeaders(secret, target, body),
      },
    });
    let answered = false;
    const timer = setTimeout(() => {
      resolve({ kind: 'timeout', message: `${endpoint.base} did not answer within ${timeoutMs} ms` });
      request.destroy();
    }, timeoutMs);
    request.on('response', (response: IncomingMessage) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        clearTimeout(timer);
        const retryAfter = response.headers['retry-after'];
        resolve({ kind: 'answer', status: response.statusCode ?? 0, retryAfter, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => {
        clearTimeout(timer);
        resolve({ kind: 'unreachable', message: `${endpoint.base} broke off its answer: ${error.message}` });
      });
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      // After a response started, the response's own error handler reports the failure.
      if (!answered) resolve({ kind: 'unreachable', message: `${endpoint.base}: ${error.message}` });
    });
    request.end(body);
  });
}
