// The node's HTTP-direct path: a plain Node HTTP request becomes the same request map a Lambda event
// would, and a response map is written straight to the socket, streams piped rather than buffered.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TLSSocket } from 'node:tls';
import { alert } from '../../runtime/cast/index.js';
import type { IonizeOptions, IonRequest } from '../types.js';
import { parseCookies } from './cookies.js';
import { emptyMap } from './dict.js';
import { hostNameOf, schemeOf, serverPortOf } from './origin.js';
import { normalizeBasePath, stripPrefix } from './path.js';
import { parseQueryString } from './query.js';
import { checkResponse, checkStatus, headerStrings, isAsyncIterable, isJsonBody } from './response.js';

export function requestFromNodeHttp(req: IncomingMessage, body: Buffer, options: IonizeOptions = {}): IonRequest {
  const url = req.url ?? '/';
  const question = url.indexOf('?');
  const path = question === -1 ? url : url.slice(0, question);
  const rawQuery = question === -1 ? '' : url.slice(question + 1);
  // Node already folds repeated headers: `", "` in general, `"; "` for cookie.
  const headers = emptyMap<string>();
  for (const name in req.headers) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = typeof value === 'string' ? value : value.join(', ');
  }
  // Behind an API Gateway VPC link the node sees plain HTTP; the scheme the client used is forwarded.
  const scheme = schemeOf(headers, (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http');
  return {
    requestMethod: (req.method ?? 'GET').toLowerCase(),
    uri: stripPrefix(path, normalizeBasePath(options.basePath)),
    queryString: rawQuery === '' ? undefined : rawQuery,
    query: parseQueryString(rawQuery),
    headers,
    cookies: parseCookies(headers.cookie),
    body: body.length === 0 ? undefined : body,
    remoteAddr: req.socket.remoteAddress,
    scheme,
    serverName: hostNameOf(headers.host),
    serverPort: serverPortOf(headers, scheme, req.socket.localPort),
    protocol: `HTTP/${req.httpVersion}`,
    pathParams: {},
    event: undefined,
    context: undefined,
  };
}

async function writeBody(res: ServerResponse, body: unknown): Promise<void> {
  if (body === undefined || body === null) {
    res.end();
  } else if (typeof body === 'string' || body instanceof Uint8Array) {
    res.end(body);
  } else if (body instanceof Readable) {
    await pipeline(body, res);
  } else if (isAsyncIterable(body)) {
    await pipeline(Readable.from(body, { objectMode: false }), res);
  } else {
    res.end(JSON.stringify(body));
  }
}

/**
 * Writes a response map to `res`. Never rejects: an invalid response map becomes a 500 and a stream
 * that fails midway cuts the response short (the client sees a truncated body); both cast an alert.
 */
export async function writeNodeHttpResponse(res: ServerResponse, response: unknown): Promise<void> {
  let body: unknown;
  try {
    const checked = checkResponse(response);
    body = checked.body;
    const status = checkStatus(checked.status);
    const names: string[] = [];
    const values: (string | string[])[] = [];
    let hasContentType = false;
    if (checked.headers != null) {
      for (const name in checked.headers) {
        const value = checked.headers[name];
        if (value === undefined) continue;
        names.push(name);
        values.push(headerStrings(name, value));
        if (name.toLowerCase() === 'content-type') hasContentType = true;
      }
    }
    const json = body != null && typeof body !== 'string' && !(body instanceof Uint8Array) && !isAsyncIterable(body);
    if (json && !isJsonBody(body)) {
      throw new TypeError('ion response body must be a string, bytes, a stream or async iterable, a plain object or array, or nothing');
    }
    res.statusCode = status;
    for (let i = 0; i < names.length; i++) res.setHeader(names[i]!, values[i]!);
    if (json && !hasContentType) res.setHeader('content-type', 'application/json; charset=utf-8');
  } catch (error) {
    alert({ msg: 'ion response map invalid', ex: error });
    if (body instanceof Readable) body.destroy();
    if (!res.headersSent) {
      res.statusCode = 500;
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: 'Internal Server Error' }));
    }
    return;
  }
  try {
    await writeBody(res, body);
  } catch (error) {
    alert({ msg: 'ion response body failed while streaming', ex: error });
    res.destroy();
  }
}
