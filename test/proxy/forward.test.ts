import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKey } from '../../runtime/protocol/signing.js';
import { readAuthHeaders, requestVerifier } from '../../runtime/protocol/verify.js';
import { HEADERS, invokePath } from '../../runtime/protocol/wire.js';
import { forward, forwardTarget, parseEndpoint } from '../../runtime/proxy/forward.js';

// What a node (or a load balancer in front of it) receives from the proxy, byte for byte.
const seen: Array<{ url: string | undefined; headers: IncomingHttpHeaders; body: Buffer }> = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    seen.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
let base: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('forward', () => {
  it('sends a Host header, the exact UTF-8 body with its length, and a signature over those bytes', async () => {
    const key = signingKey('forward-secret');
    const json = JSON.stringify({ event: { name: 'Zoë 🚀' }, context: {} });
    const result = await forward([parseEndpoint(base)], key, forwardTarget('lambda/web'), json, 5_000);
    expect(result).toEqual({ kind: 'answer', status: 200, retryAfter: undefined, body: '{"ok":true}' });
    const request = seen.at(-1)!;
    expect(request.url).toBe(invokePath('lambda/web'));
    expect(request.headers.host).toBe(new URL(base).host);
    // The invoke protocol carries JSON by definition, so the proxy names no content type.
    expect(Object.keys(request.headers).sort()).toEqual(['connection', 'content-length', 'host', HEADERS.auth]);
    expect(request.body.equals(Buffer.from(json, 'utf8'))).toBe(true);
    expect(Number(request.headers['content-length'])).toBe(request.body.length);
    const auth = readAuthHeaders(request.headers, 60_000);
    if (!auth.ok) throw new Error(`the proxy sent no valid ${HEADERS.auth} header: ${auth.reason}`);
    expect(requestVerifier('forward-secret').verify(auth.auth, 'lambda/web', request.body)).toEqual({ ok: true });
  });

  it('takes the Host header from the endpoint as written, brackets and default ports included', () => {
    expect(parseEndpoint('http://10.0.0.5:8182').host).toBe('10.0.0.5:8182');
    expect(parseEndpoint('http://[::1]:8182')).toMatchObject({ hostname: '::1', port: 8182, host: '[::1]:8182' });
    expect(parseEndpoint('https://nodes.internal')).toMatchObject({ port: 443, host: 'nodes.internal' });
  });
});
