// The metadata a streaming proxy writes ahead of the body, laid out for the service that invoked it.
// A function URL (payload 2.0) takes `set-cookie` values from `cookies`. A REST API's Lambda proxy
// integration in STREAM mode reads the REST output fields: `headers` and `multiValueHeaders`, where
// each `set-cookie` value stays its own entry (AWS, "Set up a Lambda proxy integration with payload
// response streaming in API Gateway"). Cookies go in one place only, so none arrives twice.
import type { StreamPrelude } from '../protocol/wire.js';
import type { HttpResponseMetadata } from './awslambda.js';

export type StreamFront = 'function-url' | 'rest-api';

/** A REST API request (payload 1.0) carries `httpMethod`; a function URL's event (2.0) never does. */
export function frontOf(event: unknown): StreamFront {
  return typeof (event as { httpMethod?: unknown } | null)?.httpMethod === 'string' ? 'rest-api' : 'function-url';
}

export function metadataFor(front: StreamFront, { statusCode, headers, cookies }: StreamPrelude): HttpResponseMetadata {
  if (front === 'function-url') return { statusCode, headers, cookies };
  return cookies.length === 0 ? { statusCode, headers } : { statusCode, headers, multiValueHeaders: { 'set-cookie': cookies } };
}
