// Signed invokes: POST /_ions/invoke/<target>. The checks run in the order the node can afford them: clock
// and headers, target and admission first (so neither an unknown target nor a saturated node ever
// reads a body), then the signature, the replay memory, and finally the call.
//
// Past admission the request runs on callbacks, not async functions: every promise layer between the
// socket and the answer costs a microtask on each request, and this is the path every ion call takes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { alert } from '../cast/index.js';
import { readAuthHeaders, type PresentedAuth, type RequestVerifier } from '../protocol/verify.js';
import { INVOKE_PATH, STATUS, type InvokeBody } from '../protocol/wire.js';
import type { Release } from './admission.js';
import { lambdaContext, readInvokeContext } from './lambda-context.js';
import { BodyTooLarge, declaredTooLarge, readBodyThen } from './read-body.js';
import { failedToAnswer, refuseUnread, RETRY_AFTER_SECONDS, sendJson } from './respond.js';
import type { Route, Serving } from './serving.js';

export interface InvokeSettings {
  verifier: RequestVerifier;
  maxBodyBytes: number;
}

/** Answers one invoke; whatever goes wrong is answered here too, so nothing is left for the caller to catch. */
export function handleInvoke(req: IncomingMessage, res: ServerResponse, pathname: string, current: Serving | undefined, settings: InvokeSettings): void {
  if (req.method !== 'POST') return refuseUnread(req, res, STATUS.notPost, 'invokes are POST requests', { allow: 'POST' });
  // The raw list: nothing on this path reads `req.headers`, so Node never has to build it.
  const auth = readAuthHeaders(req.rawHeaders, settings.verifier.windowMs);
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
  const call: Admitted = { req, res, target, route, current, settings, auth: auth.auth, release: noRelease };
  if (typeof slot === 'function') return admitted(call, slot);
  slot.then(
    (release) => admitted(call, release),
    (error: unknown) => failedToAnswer(req, res, error),
  );
}

interface Admitted {
  req: IncomingMessage;
  res: ServerResponse;
  target: string;
  route: Route;
  current: Serving;
  settings: InvokeSettings;
  auth: PresentedAuth;
  release: Release;
}

const noRelease: Release = () => {};

function admitted(call: Admitted, release: Release): void {
  call.release = release;
  try {
    readBodyThen(call.req, call.settings.maxBodyBytes, (error, body) => {
      if (error) return finish(call, () => (error instanceof BodyTooLarge ? sendJson(call.res, 413, { error: error.message }) : failedToAnswer(call.req, call.res, error)));
      try {
        run(call, body!);
      } catch (unexpected) {
        finish(call, () => failedToAnswer(call.req, call.res, unexpected));
      }
    });
  } catch (error) {
    finish(call, () => failedToAnswer(call.req, call.res, error));
  }
}

/** Answers, then gives the slot back (after answering, as a request holds its slot until it is answered). */
function finish(call: Admitted, answer: () => void): void {
  try {
    answer();
  } finally {
    call.release();
  }
}

function run(call: Admitted, body: Buffer): void {
  const { res, target, route, settings } = call;
  const verified = settings.verifier.verify(call.auth, target, body);
  if (!verified.ok) {
    const headers: Record<string, string> = verified.status === 429 ? { 'retry-after': RETRY_AFTER_SECONDS } : {};
    return finish(call, () => sendJson(res, verified.status, { error: verified.reason }, headers));
  }
  let invoke: InvokeBody;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Partial<InvokeBody>;
    invoke = { event: parsed.event, context: readInvokeContext(parsed.context) };
  } catch (error) {
    return finish(call, () => sendJson(res, STATUS.badRequest, { error: `bad invoke body: ${(error as Error).message}` }));
  }
  const requestId = invoke.context.awsRequestId;
  // The proxy has already given up (and an event source will retry): running the ion now would be
  // wasted work at best and a duplicate at worst.
  if (Date.now() >= invoke.context.deadline) {
    return finish(call, () => sendJson(res, STATUS.deadlinePassed, { error: `deadline passed before ${target} could start`, requestId }));
  }
  const failed = (error: unknown): void =>
    finish(call, () => {
      alert({ msg: 'ion failed', target, requestId, revision: call.current.revision.name, ex: error });
      sendJson(res, STATUS.ionFailed, { error: `ion ${target} failed`, requestId });
    });
  const answer = (result: unknown): void => {
    let text: string;
    try {
      text = JSON.stringify(result ?? null);
    } catch (error) {
      return failed(error);
    }
    finish(call, () => {
      res.writeHead(200, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(text))]);
      res.end(text);
    });
  };
  let outcome: unknown;
  try {
    outcome = route.call(invoke.event, lambdaContext(invoke.context));
  } catch (error) {
    return failed(error);
  }
  if (isThenable(outcome)) {
    // A native promise passes through Promise.resolve as itself; any other thenable is adopted once.
    Promise.resolve(outcome).then(answer, failed).catch((error: unknown) => failedToAnswer(call.req, res, error));
  } else answer(outcome);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
