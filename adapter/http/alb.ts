// Application Load Balancer targets. The target group either sends multi-value maps or single-value
// ones, and expects its answer in the same kind. Query parameters arrive still URL-encoded.
import type { ALBEvent, ALBResult, Context } from 'aws-lambda';
import type { IonRequest } from '../types.js';
import { parseCookies } from './cookies.js';
import { headersFromMulti, headersFromSingle } from './headers.js';
import { hostNameOf, lastForwardedFor, schemeOf, serverPortOf } from './origin.js';
import { stripPrefix } from './path.js';
import { queryFromParams } from './query.js';
import { decodeRequestBody } from './request-body.js';
import { multiValueHeaders, singleValueHeadersWithCookies, statusDescription, type NormalizedResponse } from './response.js';

export function albRequest(event: ALBEvent, context: Context | undefined, basePath: string | undefined): IonRequest {
  const headers = event.multiValueHeaders != null ? headersFromMulti(event.multiValueHeaders) : headersFromSingle(event.headers);
  const { query, queryString } = queryFromParams(event.queryStringParameters, event.multiValueQueryStringParameters, false);
  const scheme = schemeOf(headers, 'http');
  return {
    requestMethod: event.httpMethod.toLowerCase(),
    uri: stripPrefix(event.path, basePath),
    queryString,
    query,
    headers,
    cookies: parseCookies(headers.cookie),
    body: decodeRequestBody(event.body, event.isBase64Encoded),
    remoteAddr: lastForwardedFor(headers),
    scheme,
    serverName: hostNameOf(headers.host),
    serverPort: serverPortOf(headers, scheme),
    protocol: 'HTTP/1.1',
    pathParams: {},
    event,
    context,
  };
}

export function albResult(response: NormalizedResponse, event: ALBEvent): ALBResult {
  const result: ALBResult = {
    statusCode: response.statusCode,
    statusDescription: statusDescription(response.statusCode),
    body: response.body,
    isBase64Encoded: response.isBase64Encoded,
  };
  if (event.multiValueHeaders != null) result.multiValueHeaders = multiValueHeaders(response.headers, response.cookies);
  else result.headers = singleValueHeadersWithCookies(response);
  return result;
}
