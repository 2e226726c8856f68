// The data an ion handler sees and returns. A handler is ring-style: a function from a request map to a
// response map, with nothing of Lambda's event shapes leaking in except the raw `event` kept for rare needs.
import type { Readable } from 'node:stream';
import type {
  ALBEvent,
  ALBResult,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { LatticeEventV2, LatticeResult } from './http/lattice.js';

/** Every HTTP-shaped event ionize serves. Function URL events share the HTTP API v2 shape. */
export type HttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2 | ALBEvent | LatticeEventV2;

/** What ionize answers, in the shape of the event that came in. */
export type HttpResult = APIGatewayProxyResult | APIGatewayProxyStructuredResultV2 | ALBResult | LatticeResult;

export interface IonRequest {
  /** Lower case: `'get'`, `'post'`… */
  readonly requestMethod: string;
  /** The path, without the API Gateway stage or the configured base path. */
  readonly uri: string;
  /** The raw query string without `?`; `undefined` when there is none. */
  readonly queryString: string | undefined;
  /** Parsed query; a key given once maps to a string, a repeated key to its values in order. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Lower-case names; repeated values joined with `", "`, cookies with `"; "`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed `cookie` header; the first of several same-named cookies wins, as browsers send the most specific first. */
  readonly cookies: Readonly<Record<string, string>>;
  /** The exact bytes (base64-decoded when the gateway encoded them); `undefined` when there is no body. */
  readonly body: Buffer | undefined;
  readonly remoteAddr: string | undefined;
  readonly scheme: 'http' | 'https';
  readonly serverName: string | undefined;
  readonly serverPort: number;
  /** `HTTP/1.1` and the like. */
  readonly protocol: string;
  readonly pathParams: Readonly<Record<string, string>>;
  /** The Lambda event; `undefined` when the request came straight over HTTP to a node. */
  readonly event: HttpEvent | undefined;
  /** The Lambda context; `undefined` when the request came straight over HTTP to a node. */
  readonly context: Context | undefined;
}

export type HeaderValue = string | number | readonly (string | number)[];

/** A plain object or array: sent as JSON. */
export type JsonBody = { readonly [key: string]: unknown } | readonly unknown[];

export type ResponseBody =
  | string
  | Uint8Array
  | Readable
  | AsyncIterable<string | Uint8Array>
  | JsonBody
  | null
  | undefined;

export interface IonResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, HeaderValue | undefined>>;
  readonly body?: ResponseBody;
  /**
   * Forces the Lambda answer's encoding: `true` sends the body's bytes base64-encoded, `false` as text.
   * Without it, the body is text exactly when its content type is textual and it has no content-encoding.
   */
  readonly isBase64Encoded?: boolean;
}

export type Handler = (request: IonRequest) => IonResponse | Promise<IonResponse>;

export interface IonizeOptions {
  /**
   * A path prefix to strip from every request's uri, such as the base path mapping of an API Gateway
   * custom domain (`/api`). Matches whole segments only.
   */
  readonly basePath?: string;
}

export interface IonizedHandler {
  (event: unknown, context?: Context): Promise<HttpResult>;
  /** The ring handler ionize wrapped. */
  readonly ringHandler: Handler;
}
