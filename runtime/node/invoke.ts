// Signed invokes: POST /_ions/invoke/<target>. The checks run in the order the node can afford them: clock
// and headers, target and admission first (so neither an unknown target nor a saturated node ever
// reads a body), then the signature, the replay memory, and finally the call.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { alert } from '../cast/index.js';
import { readAuthHeaders, type RequestVerifier } from '../protocol/verify.js';
import { INVOKE_PATH, STATUS, type InvokeBody } from '../protocol/wire.js';
import { lambdaContext, readInvokeContext } from './lambda-context.js';
import { declaredTooLarge, readBodyWithin } from './read-body.js';
import { refuseUnread, RETRY_AFTER_SECONDS, sendJson } from './respond.js';
import type { Serving } from './serving.js';

export interface InvokeSettings {
  verifier: RequestVerifier;
  maxBodyBytes: number;
}

export async function handleInvoke(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  current: Serving | undefined,
  settings: InvokeSettings,
): Promise<void> {
  if (req.method !== 'POST') return refuseUnread(req, res, STATUS.notPost, 'invokes are POST requests', { allow: 'POST' });
  const auth = readAuthHeaders(req.headers, settings.verifier.windowMs);
  if (!auth.ok) return refuseUnread(req, res, auth.status, auth.reason);
  if (!current) return refuseUnread(req, res, STATUS.notReady, 'no revision loaded', { 'retry-after': RETRY_AFTER_SECONDS });
  let target: string;
  try {
    target = decodeURIComponent(pathname.slice(INVOKE_PATH.length));
  } catch {
    return refuseUnread(req, res, STATUS.notExposed, 'target is not valid percent-encoding');
  }
  if (declaredTooLarge(req, settings.maxBodyBytes)) return refuseUnread(req, res, STATUS.tooLarge, `body is larger than ${settings.maxBodyBytes} bytes`);

  // Refused before the body is read, so unknown targets cost no memory. Target names are in the app's
  // config, not secrets; what they can run still needs a valid signature.
  const route = current.route(target);
  if (!route) return refuseUnread(req, res, STATUS.notExposed, `target ${target} is not exposed by revision ${current.revision.name}`);
  const slot = route.admission.enter();
  if (slot === 'full') return refuseUnread(req, res, STATUS.saturated, `${target} is saturated`, { 'retry-after': RETRY_AFTER_SECONDS });
  const release = typeof slot === 'function' ? slot : await slot;
  try {
    const body = await readBodyWithin(req, res, settings.maxBodyBytes);
    if (body === undefined) return;
    const verified = settings.verifier.verify(auth.auth, target, body);
    if (!verified.ok) {
      const headers: Record<string, string> = verified.status === 429 ? { 'retry-after': RETRY_AFTER_SECONDS } : {};
      return sendJson(res, verified.status, { error: verified.reason }, headers);
    }
    let invoke: InvokeBody;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as Partial<InvokeBody>;
      invoke = { event: parsed.event, context: readInvokeContext(parsed.context) };
    } catch (error) {
      return sendJson(res, STATUS.badRequest, { error: `bad invoke body: ${(error as Error).message}` });
    }
    const requestId = invoke.context.awsRequestId;
    // The proxy has already given up (and an event source will retry): running the ion now would be
    // wasted work at best and a duplicate at worst.
    if (Date.now() >= invoke.context.deadline) {
      return sendJson(res, STATUS.deadlinePassed, { error: `deadline passed before ${target} could start`, requestId });
    }
    let text: string;
    try {
      const result = await route.call(invoke.event, lambdaContext(invoke.context));
      text = JSON.stringify(result ?? null);
    } catch (error) {
      alert({ msg: 'ion failed', target, requestId, revision: current.revision.name, ex: error });
      return sendJson(res, STATUS.ionFailed, { error: `ion ${target} failed`, requestId });
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  } finally {
    release();
  }
}
