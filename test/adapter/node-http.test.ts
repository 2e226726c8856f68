// The node's HTTP-direct path over real loopback HTTP: the request map built from a Node request,
// and response maps written back, streams piped as they produce.
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestFromNodeHttp, writeNodeHttpResponse, type IonizeOptions, type IonRequest } from '../../adapter/index.js';
import { redirect, tapSink, type TapSink } from '../../runtime/cast/index.js';

type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> | void;

let server: Server;
let port: number;
let route: Route;
let tap: TapSink;
let restore: () => void;

beforeEach(async () => {
  tap = tapSink();
  restore = redirect(tap);
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    await route(req, res, Buffer.concat(chunks));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  restore();
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  rawHeaders: string[];
}

function send(path: string, options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function capture(options?: IonizeOptions): Promise<IonRequest> {
  return new Promise((resolve) => {
    route = (req, res, body) => {
      resolve(requestFromNodeHttp(req, body, options));
      res.end();
    };
  });
}

describe('requestFromNodeHttp', () => {
  it('builds the same request map a Lambda event would', async () => {
    const seen = capture();
    await send('/orders/7?tag=a&tag=b&q=x+y', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Cookie: 'session=abc; theme=dark', 'X-Multi': ['1', '2'] },
      body: Buffer.from([0, 1, 2, 255]),
    });
    const request = await seen;
    expect(request).toMatchObject({
      requestMethod: 'post',
      uri: '/orders/7',
      queryString: 'tag=a&tag=b&q=x+y',
      remoteAddr: '127.0.0.1',
      scheme: 'http',
      serverName: '127.0.0.1',
      serverPort: port,
      protocol: 'HTTP/1.1',
      event: undefined,
      context: undefined,
    });
    expect({ ...request.query }).toEqual({ tag: ['a', 'b'], q: 'x y' });
    expect({ ...request.cookies }).toEqual({ session: 'abc', theme: 'dark' });
    expect({ ...request.pathParams }).toEqual({});
    expect(request.headers['content-type']).toBe('application/octet-stream');
    expect(request.headers['x-multi']).toBe('1, 2');
    expect(request.body).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('has no body, query string or cookies when the request carries none, and strips the base path', async () => {
    const seen = capture({ basePath: '/api' });
    await send('/api/health');
    const request = await seen;
    expect(request).toMatchObject({ uri: '/health', queryString: undefined, body: undefined });
    expect({ ...request.cookies }).toEqual({});
  });

  it('takes the scheme a proxy forwarded', async () => {
    const seen = capture();
    await send('/', { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Port': '443' } });
    expect(await seen).toMatchObject({ scheme: 'https', serverPort: 443 });
  });
});

describe('writeNodeHttpResponse', () => {
  const answerWith = (response: unknown): void => {
    route = (_req, res) => writeNodeHttpResponse(res, response);
  };

  it('writes a string body with status and headers, set-cookie values apart', async () => {
    answerWith({ status: 201, headers: { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], 'x-n': 5 }, body: 'créé' });
    const reply = await send('/');
    expect(reply.status).toBe(201);
    expect(reply.body.toString()).toBe('créé');
    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(reply.headers['x-n']).toBe('5');
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength('créé')));
  });

  it('writes a plain object as JSON', async () => {
    answerWith({ status: 200, body: { ok: true } });
    const reply = await send('/');
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(reply.body.toString())).toEqual({ ok: true });
  });

  it('writes bytes exactly and nothing when there is no body', async () => {
    answerWith({ status: 200, body: new Uint8Array([0, 255, 7]) });
    expect((await send('/')).body).toEqual(Buffer.from([0, 255, 7]));
    answerWith({ status: 204 });
    const empty = await send('/');
    expect(empty.status).toBe(204);
    expect(empty.body.length).toBe(0);
  });

  it('pipes a stream: the client gets the first chunk before the stream has ended', async () => {
    const body = new PassThrough();
    answerWith({ status: 200, headers: { 'content-type': 'text/plain' }, body });
    const firstChunk = new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.once('data', (chunk: Buffer) => {
          resolve(chunk.toString());
          body.end('second');
          res.resume();
        });
      });
      req.on('error', reject);
      req.end();
    });
    body.write('first');
    expect(await firstChunk).toBe('first');
  });

  it('writes an async iterable', async () => {
    async function* parts(): AsyncGenerator<string> {
      yield 'a';
      yield 'b';
    }
    answerWith({ status: 200, headers: { 'content-type': 'text/plain' }, body: parts() });
    expect((await send('/')).body.toString()).toBe('ab');
  });

  it('answers 500 and casts an alert for an invalid response map', async () => {
    answerWith({ status: 'ok', body: 'x' });
    const reply = await send('/');
    expect(reply.status).toBe(500);
    expect(reply.body.toString()).not.toContain('status');
    expect(tap.records[0]).toMatchObject({ type: 'alert', msg: 'ion response map invalid' });
  });

  it('cuts the response short and casts an alert when the stream fails midway', async () => {
    let done!: Promise<void>;
    route = (_req, res) => {
      const body = new Readable({
        read() {
          this.push('partial');
          setTimeout(() => this.destroy(new Error('disk went away')), 5);
        },
      });
      done = writeNodeHttpResponse(res, { status: 200, headers: { 'content-type': 'text/plain' }, body });
    };
    await expect(send('/')).rejects.toThrow();
    await done;
    expect(tap.records.some((r) => r.type === 'alert' && r.msg === 'ion response body failed while streaming')).toBe(true);
  });
});
