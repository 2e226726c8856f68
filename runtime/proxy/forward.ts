// One signed POST to a node over a keep-alive connection, failing over along the endpoint list when a
// node cannot be reached. Each attempt is signed afresh: a node that never saw the request must not
// mistake the retry for a replay, and a different node keeps its own replay memory anyway.
//
// Every proxy invocation runs this, so an attempt is one object (its own deadline) and a handful of
// listeners, with no promise and no per-request timer.
import { Buffer } from 'node:buffer';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import type * as Https from 'node:https';
import { authorization, type SigningKey } from '../protocol/signing.js';
import { HEADERS, HEALTH_PATH, invokePath, STREAM_FRAMING } from '../protocol/wire.js';
import { Deadline } from './deadlines.js';

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

interface Client {
  agent: HttpAgent;
  request(options: RequestOptions, callback?: (response: IncomingMessage) => void): ClientRequest;
}

const http: Client = { agent: httpAgent, request: httpRequest };
// Loading `node:https` loads TLS, about 2 ms of every cold start. Generated stacks reach their nodes
// over plain HTTP inside the VPC, so it is loaded only once an https endpoint is used.
let https: Client | undefined;

function clientFor(endpoint: Endpoint): Client {
  if (!endpoint.https) return http;
  if (https === undefined) {
    const load = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    if (load === undefined) throw new Error('https endpoints need Node 20.16 or later (process.getBuiltinModule)');
    const module = load('node:https') as typeof Https;
    https = { agent: new module.Agent({ keepAlive: true }), request: module.request };
  }
  return https;
}

// Per container, so that successive invocations spread over the nodes.
let nextEndpoint = 0;

/**
 * Opens a kept-alive connection to the endpoint the next invoke goes to, with an unsigned health check,
 * and leaves it in the agent's pool: run while Lambda initializes the container, it takes the TCP (and
 * TLS) handshake off the first invocation. `done` hears once whether the node answered.
 */
export function preconnect(endpoints: readonly Endpoint[], done: (error: Error | undefined) => void): void {
  const endpoint = endpoints[nextEndpoint % endpoints.length]!;
  let reported = false;
  const report = (error: Error | undefined): void => {
    if (reported) return;
    reported = true;
    done(error);
  };
  let client: Client;
  try {
    client = clientFor(endpoint);
  } catch (error) {
    return report(new Error(`${endpoint.base}: ${(error as Error).message}`));
  }
  const request = client.request(
    {
      hostname: endpoint.hostname,
      port: endpoint.port,
      path: HEALTH_PATH,
      method: 'GET',
      agent: client.agent,
      headers: ['host', endpoint.host],
      timeout: PRECONNECT_TIMEOUT_MS,
    },
    (response: IncomingMessage) => {
      // Read to the end, or the connection never goes back to the pool.
      response.resume();
      response.on('end', () => report(undefined));
      response.on('error', report);
    },
  );
  request.on('timeout', () => request.destroy(new Error(`${endpoint.base} did not answer a health check within ${PRECONNECT_TIMEOUT_MS} ms`)));
  request.on('error', (error) => report(new Error(`${endpoint.base}: ${error.message}`)));
  request.end();
}

/** Long enough for a node under load; short next to Lambda's 10 s init phase. */
const PRECONNECT_TIMEOUT_MS = 2_000;

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
  new Forwarding(endpoints, secret, target, json, Date.now() + timeoutMs, done, undefined).attempt(0);
}

/**
 * `forwardThen` for a streaming proxy: a streamed answer (see STREAM_FRAMING) goes to `streamed` unread,
 * with the deadline left to the caller; anything else goes to `done` as usual. One of the two is called, once.
 */
export function forwardStreamThen(
  endpoints: readonly Endpoint[],
  secret: SigningKey,
  target: ForwardTarget,
  json: string,
  deadline: number,
  done: (result: ForwardResult) => void,
  streamed: (response: IncomingMessage) => void,
): void {
  new Forwarding(endpoints, secret, target, json, deadline, done, streamed).attempt(0);
}

/** One request across its attempts: which endpoint comes next, and what went wrong so far. */
class Forwarding {
  // The body stays a string: the signature and the socket both take its UTF-8 bytes (JSON text has no
  // lone surrogates, so there is only one way to encode it), and a string body leaves the socket in one
  // write together with the headers.
  readonly length: number;
  private readonly start: number;
  private readonly attempts: number;
  private failures: string[] | undefined;

  constructor(
    private readonly endpoints: readonly Endpoint[],
    readonly secret: SigningKey,
    readonly target: ForwardTarget,
    readonly json: string,
    /** Epoch milliseconds by which the answer must be back, whichever endpoint gives it. */
    readonly deadline: number,
    private readonly done: (result: ForwardResult) => void,
    /** Set for a streaming proxy only: where a streamed answer goes. */
    readonly streamed: ((response: IncomingMessage) => void) | undefined,
  ) {
    this.length = Buffer.byteLength(json, 'utf8');
    this.start = nextEndpoint++ % endpoints.length;
    // A lone endpoint gets a second try: the usual failure there is a keep-alive socket the node closed
    // while the Lambda was frozen.
    this.attempts = endpoints.length === 1 ? 2 : endpoints.length;
  }

  attempt(index: number): void {
    const endpoint = this.endpoints[(this.start + index) % this.endpoints.length]!;
    const attempt = new Attempt(this, index, endpoint);
    // A retry starts from a socket's callback, where a throw would end the process: it is reported instead.
    try {
      attempt.send();
    } catch (error) {
      attempt.settle({ kind: 'unreachable', message: `${endpoint.base}: ${(error as Error).message}` });
    }
  }

  /** An attempt's outcome: the answer, or the next endpoint when this one could not be reached. */
  settled(index: number, result: ForwardResult): void {
    if (result.kind !== 'unreachable') return this.done(result);
    (this.failures ??= []).push(result.message);
    if (index + 1 < this.attempts) this.attempt(index + 1);
    else this.done({ kind: 'unreachable', message: this.failures.join('; ') });
  }
}

/** One POST to one endpoint; it settles once, as a timeout and a late error or answer may all report. */
class Attempt extends Deadline {
  private settledAlready = false;
  private answered = false;
  private request: ClientRequest | undefined;
  private timeoutMs = 0;

  constructor(
    private readonly forwarding: Forwarding,
    private readonly index: number,
    private readonly endpoint: Endpoint,
  ) {
    super(forwarding.deadline);
  }

  send(): void {
    const { endpoint, forwarding } = this;
    this.timeoutMs = this.at - Date.now();
    if (this.timeoutMs <= 0) return this.settle({ kind: 'timeout', message: `no time left to reach ${endpoint.base}` });
    const client = clientFor(endpoint);
    const request = client.request({
      hostname: endpoint.hostname,
      port: endpoint.port,
      path: forwarding.target.path,
      method: 'POST',
      agent: client.agent,
      // As a flat list, the headers go straight into the request head; an object would be copied
      // header by header into the request first. A list also means Node adds no Host of its own.
      headers: [
        'host',
        endpoint.host,
        'content-length',
        String(forwarding.length),
        HEADERS.auth,
        authorization(forwarding.secret, forwarding.target.name, forwarding.json),
      ],
    });
    this.request = request;
    this.watch();
    request.on('response', (response: IncomingMessage) => this.receive(response));
    request.on('error', (error: Error) => {
      // After a response started, the response's own error handler reports the failure.
      if (!this.answered) this.settle({ kind: 'unreachable', message: `${endpoint.base}: ${error.message}` });
    });
    // ASCII text (the usual JSON) is its own UTF-8, and the socket copies latin1 text without encoding it.
    request.end(forwarding.json, forwarding.length === forwarding.json.length ? 'latin1' : 'utf8');
  }

  private receive(response: IncomingMessage): void {
    this.answered = true;
    const { streamed } = this.forwarding;
    if (streamed !== undefined && response.statusCode === 200 && response.headers[HEADERS.framing] === STREAM_FRAMING) {
      if (this.settledAlready) return void response.destroy();
      this.settledAlready = true;
      this.unwatch();
      return streamed(response);
    }
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const status = response.statusCode ?? 0;
      // Only a refusal carries Retry-After; a 200 never pays for building the header map.
      const retryAfter = status === 200 ? undefined : response.headers['retry-after'];
      const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      this.settle({ kind: 'answer', status, retryAfter, body });
    });
    response.on('error', (error) => this.settle({ kind: 'unreachable', message: `${this.endpoint.base} broke off its answer: ${error.message}` }));
  }

  expire(): void {
    this.settle({ kind: 'timeout', message: `${this.endpoint.base} did not answer within ${this.timeoutMs} ms` });
    this.request?.destroy();
  }

  settle(result: ForwardResult): void {
    if (this.settledAlready) return;
    this.settledAlready = true;
    this.unwatch();
    this.forwarding.settled(this.index, result);
  }
}
