// The web ion the proxy benchmark calls: a small JSON answer, as a typical API route gives.
import { ionize } from '../../../../adapter/index.js';

export const handler = ionize(async (request) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: { ok: true, method: request.requestMethod, uri: request.uri, items: [1, 2, 3] },
}));
