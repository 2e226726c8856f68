// Which HTTP-shaped event arrived. Decided by markers each service always sets rather than by field
// names that overlap (a REST event behind a custom domain can carry `rawPath`, ALB and REST both
// carry `httpMethod` and `path`, Lattice and HTTP API v2 both say version 2.0).

export type HttpShape = 'rest' | 'http-api-v2' | 'alb' | 'lattice-v2';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function httpShapeOf(event: unknown): HttpShape | undefined {
  if (!isObject(event)) return undefined;
  const requestContext = isObject(event.requestContext) ? event.requestContext : undefined;
  if (requestContext !== undefined) {
    if (isObject(requestContext.elb)) return 'alb';
    if (event.version === '2.0' && isObject(requestContext.http)) return 'http-api-v2';
    if (typeof requestContext.serviceNetworkArn === 'string' && typeof event.method === 'string') return 'lattice-v2';
    // WebSocket API events look like REST ones but are messages on a connection, not requests.
    if (requestContext.connectionId !== undefined || requestContext.eventType !== undefined) return undefined;
  }
  if (typeof event.httpMethod === 'string' && typeof event.path === 'string') return 'rest';
  return undefined;
}
