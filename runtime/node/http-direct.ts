// HTTP-direct: plain HTTP requests (an API Gateway VPC link, a load balancer) go straight to the
// configured ring handler, with the same request map a web ion sees and the configured throttle.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestFromNodeHttp, writeNodeHttpResponse } from '../../adapter/index.js';
import { alert } from '../cast/index.js';
import { declaredTooLarge, readBodyWithin } from './read-body.js';
import { refuseUnread, RETRY_AFTER_SECONDS, sendJson } from './respond.js';
import type { Serving } from './serving.js';

export async function handleHttpDirect(
  req: IncomingMessage,
  res: ServerResponse,
  current: Serving | undefined,
  maxBodyBytes: number,
): Promise<void> {
  if (!current) return refuseUnread(req, res, 503, 'no revision loaded', { 'retry-after': RETRY_AFTER_SECONDS });
  const direct = current.httpDirect;
  if (!direct) return refuseUnread(req, res, 404, `revision ${current.revision.name} has no HTTP-direct handler`);
  if (declaredTooLarge(req, maxBodyBytes)) return refuseUnread(req, res, 413, `body is larger than ${maxBodyBytes} bytes`);
  const slot = direct.admission.enter();
  if (slot === 'full') {
    req.resume();
    res.writeHead(direct.throttleStatus, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': RETRY_AFTER_SECONDS });
    res.end(direct.throttleMessage);
    return;
  }
  const release = typeof slot === 'function' ? slot : await slot;
  try {
    const body = await readBodyWithin(req, res, maxBodyBytes);
    if (body === undefined) return;
    let response;
    try {
      response = await direct.handler(requestFromNodeHttp(req, body));
    } catch (error) {
      alert({ msg: 'HTTP-direct handler failed', uri: req.url, revision: current.revision.name, ex: error });
      return sendJson(res, 500, { error: 'Internal Server Error' });
    }
    await writeNodeHttpResponse(res, response);
  } finally {
    release();
  }
}
