// HTTP API payload format 2.0, which Lambda function URLs share. The raw path and query string come
// as the client sent them; cookies come apart from the headers and go back apart in `cookies`. On the
// execute-api domain with a named stage, the raw path starts with the stage, which is stripped; a
// custom domain's path carries no stage.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { IonRequest } from '../types.js';
import { parseCookies } from './cookies.js';
import { headersFromSingle } from './headers.js';
import { hostNameOf, schemeOf, serverPortOf } from './origin.js';
import { stripPrefix } from './path.js';
import { parseQueryString } from './query.js';
import { decodeRequestBody } from './request-body.js';
import { joinedHeaders, type NormalizedResponse } from './response.js';

function stagePrefix(requestContext: APIGatewayProxyEventV2['requestContext']): string | undefined {
  const stage = requestContext.stage;
  if (stage === undefined || stage === '$default') return undefined;
  const domain = requestContext.domainName;
  if (domain !== undefined && !domain.includes('.execute-api.')) return undefined;
  return '/' + stage;
}

export function httpApiV2Request(event: APIGatewayProxyEventV2, context: Context | undefined, basePath: string | undefined): IonRequest {
  const requestContext = event.requestContext;
  const headers = headersFromSingle(event.headers);
  if (event.cookies !== undefined && event.cookies.length > 0) {
    const fromCookies = event.cookies.join('; ');
    headers.cookie = headers.cookie === undefined ? fromCookies : headers.cookie + '; ' + fromCookies;
  }
  const rawQuery = event.rawQueryString;
  const scheme = schemeOf(headers, 'https');
  return {
    requestMethod: requestContext.http.method.toLowerCase(),
    uri: stripPrefix(stripPrefix(event.rawPath ?? requestContext.http.path, stagePrefix(requestContext)), basePath),
    queryString: rawQuery === undefined || rawQuery === '' ? undefined : rawQuery,
    query: parseQueryString(rawQuery),
    headers,
    cookies: parseCookies(headers.cookie),
    body: decodeRequestBody(event.body, event.isBase64Encoded),
    remoteAddr: requestContext.http.sourceIp,
    scheme,
    serverName: hostNameOf(headers.host) ?? requestContext.domainName,
    serverPort: serverPortOf(headers, scheme),
    protocol: requestContext.http.protocol ?? 'HTTP/1.1',
    pathParams: (event.pathParameters as Record<string, string> | undefined) ?? {},
    event,
    context,
  };
}

export function httpApiV2Result(response: NormalizedResponse): APIGatewayProxyStructuredResultV2 {
  const result: APIGatewayProxyStructuredResultV2 = {
    statusCode: response.statusCode,
    headers: joinedHeaders(response),
    body: response.body,
    isBase64Encoded: response.isBase64Encoded,
  };
  if (response.cookies.length > 0) result.cookies = response.cookies;
  return result;
}
