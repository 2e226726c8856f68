// How a proxy surfaces a node that could not answer. An HTTP integration answers the client itself
// (502 unreachable, 503 pushed back, 504 too slow); an event integration throws so that AWS retries
// the event under its own rules (for SQS with partial batch responses: the whole batch, since the
// node's per-item verdict never arrived).

export type Integration = 'api-gateway' | 'event';

export interface GatewayResponse {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export class IonsProxyError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'IonsProxyError';
  }
}

/** Fails the invocation: a gateway response for HTTP integrations, a thrown error for events. */
export function fail(
  integration: Integration,
  event: unknown,
  status: number,
  message: string,
  retryAfter?: string,
): GatewayResponse {
  if (integration === 'event') throw new IonsProxyError(message, status);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  const body = JSON.stringify({ message: publicMessage(status) });
  // An ALB target group with multi-value headers only reads `multiValueHeaders` back; REST reads both.
  if (event !== null && typeof event === 'object' && 'multiValueHeaders' in event) {
    const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
    return { statusCode: status, multiValueHeaders, body, isBase64Encoded: false };
  }
  return { statusCode: status, headers, body, isBase64Encoded: false };
}

// Clients learn the class of failure, never the node's address or internals; those go to the log.
function publicMessage(status: number): string {
  switch (status) {
    case 502:
      return 'Bad Gateway';
    case 503:
      return 'Service Unavailable';
    case 504:
      return 'Gateway Timeout';
    default:
      return 'Internal Server Error';
  }
}
