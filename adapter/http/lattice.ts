// Amazon VPC Lattice, event structure version 2. Headers and query parameters come as arrays of
// values (query values already decoded); there is no source address field, only `x-forwarded-for`.
// @types/aws-lambda has no Lattice types, so they are declared here.
import type { Context } from 'aws-lambda';
import type { IonRequest } from '../types.js';
import { parseCookies } from './cookies.js';
import { headersFromMixed } from './headers.js';
import { hostNameOf, lastForwardedFor, schemeOf, serverPortOf } from './origin.js';
import { stripPrefix } from './path.js';
import { queryFromParams } from './query.js';
import { decodeRequestBody } from './request-body.js';
import { singleValueHeadersWithCookies, statusDescription, type NormalizedResponse } from './response.js';

export interface LatticeEventV2 {
  version: '2.0';
  path: string;
  method: string;
  headers: { [name: string]: string[] | string | undefined };
  queryStringParameters?: { [name: string]: string[] | undefined };
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: {
    serviceNetworkArn: string;
    serviceArn: string;
    targetGroupArn: string;
    identity: {
      sourceVpcArn?: string;
      type?: string;
      principal?: string;
      principalOrgID?: string;
      sessionName?: string;
      x509SubjectCn?: string;
      x509IssuerOu?: string;
      x509SanDns?: string;
      x509SanUri?: string;
      x509SanNameCn?: string;
    };
    region: string;
    timeEpoch: string;
  };
}

export interface LatticeResult {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

export function latticeRequest(event: LatticeEventV2, context: Context | undefined, basePath: string | undefined): IonRequest {
  const headers = headersFromMixed(event.headers);
  const { query, queryString } = queryFromParams(undefined, event.queryStringParameters, true);
  const scheme = schemeOf(headers, 'https');
  return {
    requestMethod: event.method.toLowerCase(),
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

export function latticeResult(response: NormalizedResponse): LatticeResult {
  return {
    statusCode: response.statusCode,
    statusDescription: statusDescription(response.statusCode),
    headers: singleValueHeadersWithCookies(response),
    body: response.body,
    isBase64Encoded: response.isBase64Encoded,
  };
}
