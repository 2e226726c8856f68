// What a client sees when a handler fails: a 500 with a generic body and the request id to quote when
// asking about it. The error itself goes to an alert, never to the client.
import type { NormalizedResponse } from './response.js';

export function failureResponse(requestId: string | undefined): NormalizedResponse {
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    multiValued: false,
    cookies: [],
    body: JSON.stringify({ error: 'Internal Server Error', requestId: requestId ?? null }),
    isBase64Encoded: false,
  };
}
