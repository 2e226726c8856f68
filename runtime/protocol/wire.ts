// The signed invoke protocol between a proxy Lambda (or the dev gateway) and a compute node.
// One request shape for every target: POST /_ions/invoke/<target> with a JSON body { event, context },
// answered with the result as JSON. Both bodies are JSON by definition, so neither names a content
// type: on this path every header costs its sender a validation and its receiver a parse.

/**
 * Every route the node itself owns (invokes, health, forwarded transactions, admin) lives under this
 * prefix, because the node shares its port with the app's HTTP-direct handler: any other path is the
 * app's, so an app route such as `/health` or `/invoke/x` reaches the app rather than the node.
 */
export const NODE_PATH_PREFIX = '/_ions/';
/** Path prefix of signed invokes; everything after it is the target. */
export const INVOKE_PATH = `${NODE_PATH_PREFIX}invoke/`;
export const HEALTH_PATH = `${NODE_PATH_PREFIX}health`;

export const HEADERS = {
  /**
   * `<timestamp> <nonce> <signature>`: epoch milliseconds at signing time; a value unique per request
   * (so two legitimate identical requests sign differently), without spaces; the lower-case hex
   * HMAC-SHA256 over the canonical string (see signing.ts). One header rather than three, as each
   * header costs its sender a validation and the node a parse on every request.
   */
  auth: 'x-ions-auth',
  /** On a node's answer: `stream` (STREAM_FRAMING) when the body is a streamed web ion answer. */
  framing: 'x-ions-framing',
} as const;

/**
 * A streamed answer (asked for with `stream: true`): one line of JSON, the function URL prelude
 * `{ statusCode, headers, cookies }`, then `\n`, then the body's bytes as the ion yields them. JSON text
 * holds no raw newline, so the first one ends the prelude.
 */
export const STREAM_FRAMING = 'stream';

/** A function URL answer's head, as Lambda's HTTP integration prelude carries it ahead of the body. */
export interface StreamPrelude {
  statusCode: number;
  /** One string per name. */
  headers: Record<string, string>;
  /** Every `set-cookie` value, in order, never merged. */
  cookies: string[];
}

/**
 * Targets a signed request may name:
 * - `lambda/<name>`: a lambda ion from `ions.lambdas`
 * - `http-direct`: the HTTP-direct handler, invoked like a web ion with an HTTP event
 * - `fn/<ref>`: an allow-listed query/transaction function, called with `event` as its argument list
 * Kinds are prefixed so that no lambda name can collide with another kind of target.
 */
export type InvokeTarget =
  | { kind: 'lambda'; name: string }
  | { kind: 'http-direct' }
  | { kind: 'fn'; ref: string };

/** The request path naming `target`; the node decodes it back with `decodeURIComponent`. */
export function invokePath(target: string): string {
  return INVOKE_PATH + target.split('/').map(encodeURIComponent).join('/');
}

export function lambdaTarget(name: string): string {
  return `lambda/${name}`;
}

export function fnTarget(ref: string): string {
  return `fn/${ref}`;
}

export const HTTP_DIRECT_TARGET = 'http-direct';

/** Reads a target string; undefined when it names no kind of target at all. */
export function parseTarget(target: string): InvokeTarget | undefined {
  if (target === HTTP_DIRECT_TARGET) return { kind: 'http-direct' };
  const slash = target.indexOf('/');
  if (slash <= 0 || slash === target.length - 1) return undefined;
  const kind = target.slice(0, slash);
  const rest = target.slice(slash + 1);
  if (kind === 'lambda') return { kind: 'lambda', name: rest };
  if (kind === 'fn') return { kind: 'fn', ref: rest };
  return undefined;
}

/** The parts of a Lambda context that survive the hop to the node. */
export interface InvokeContext {
  awsRequestId: string;
  /** Epoch milliseconds by which the answer must be back. */
  deadline: number;
  functionName: string;
  invokedFunctionArn?: string;
  identity?: unknown;
  clientContext?: unknown;
}

export interface InvokeBody {
  event: unknown;
  context: InvokeContext;
  /** A streaming proxy asks a web ion for a streamed answer (see STREAM_FRAMING); anything else answers JSON. */
  stream?: boolean;
}

/** Status codes a node answers an invoke with, besides 200 and the handler's result. */
export const STATUS = {
  badRequest: 400,
  badSignature: 401,
  notExposed: 403,
  notPost: 405,
  tooLarge: 413,
  saturated: 429,
  ionFailed: 500,
  notReady: 503,
  /** The caller's deadline passed while the request waited: running it now would only duplicate a retry. */
  deadlinePassed: 504,
} as const;
