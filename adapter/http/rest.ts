// API Gateway REST APIs (and HTTP APIs on payload format 1.0). `path` holds the resource path without
// the stage (`requestContext.path` is the one that carries it); parameter maps arrive decoded, and the
// multi-value maps, when present, hold everything the single-value ones hold and more.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { IonRequest } from '../types.js';
import { parseCookies } from './cookies.js';
import { headersFromMulti, headersFromSingle } from './headers.js';
import { hostNameOf, schemeOf, serverPortOf } from './origin.js';
import { stripPrefix } from './path.js';
import { queryFromParams } from './query.js';
import { decodeRequestBody } from './request-body.js';
import { multiValueHeaders, type NormalizedResponse } from './response.js';

export function restRequest(event: APIGatewayProxyEvent, context: Context | undefined, basePath: string | undefined): IonRequest {
  const headers = event.multiValueHeaders != null ? headersFromMulti(event.multiValueHeaders) : headersFromSingle(event.headers);
  const { query, queryString } = queryFromParams(event.queryStringParameters, event.multiValueQueryStringParameters, true);
  const requestContext = event.requestContext as Partial<APIGatewayProxyEvent['requestContext']> | undefined;
  const scheme = schemeOf(headers, 'https');
  return {
    requestMethod: event.httpMethod.toLowerCase(),
    uri: stripPrefix(event.path, basePath),
    queryString,
    query,
    headers,
    cookies: parseCookies(headers.cookie),
    body: decodeRequestBody(event.body, event.isBase64Encoded),
    remoteAddr: requestContext?.identity?.sourceIp ?? undefined,
    scheme,
    serverName: hostNameOf(headers.host) ?? requestContext?.domainName,
    serverPort: serverPortOf(headers, scheme),
    protocol: requestContext?.protocol ?? 'HTTP/1.1',
    pathParams: (event.pathParameters as Record<string, string> | null) ?? {},
    event,
    context,
  };
}

/** Always multi-value headers: REST APIs accept them whatever the request carried, and cookies stay apart. */
export function restResult(response: NormalizedResponse): APIGatewayProxyResult {
  return {
    statusCode: response.statusCode,
    multiValueHeaders: multiValueHeaders(response.headers, response.cookies),
    body: response.body,
    isBase64Encoded: response.isBase64Encoded,
  };
}
