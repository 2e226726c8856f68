// Signed invokes: POST /_ions/invoke/<target>. The checks run in the order the node can afford them: clock
// and headers, target and admission first (so neither an unknown target nor a saturated node ever
// reads a body), then the signature, the replay memory, and finally the call.
//
// Past admission the request runs on callbacks, not async functions: every promise layer between the
// socket and the answer costs a microtask on each request, and this is the path every ion call takes.
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { alert } from '../cast/index.js';
import { readAuthHeaders, type PresentedAuth, type RequestVerifier } from '../protocol/verify.js';
import { INVOKE_PATH, STATUS, type InvokeBody } from '../protocol/wire.js';
import type { Release } from './admission.js';
import { lambdaContext, readInvokeContext } from './lambda-context.js';
import { BodyTooLarge, declaredTooLarge, readBodyThen } from './read-body.js';
import { failedToAnswer, refuseUnread, RETRY_AFTER_SECONDS, sendJson } from './respond.js';
import type { Route, Serving } from './serving.js';
import { writeStreamAnswer } from './stream-answer.js';

export interface InvokeSettings {
  verifier: RequestVerifier;
  maxBodyBytes: number;
  /** Set once the node is closing: answers then tell kept-alive clients to go elsewhere. */
  closing: boolean;
}

/** Answers one invoke; whatever goes wrong is answered here too, so nothing is left for the caller to catch. */
export function handleInvoke(req: IncomingMessage, res: ServerResponse, pathname: string, current: Serving | undefined, settings: InvokeSettings): void {
  if (req.method !== 'POST') return refuseUnread(req, res, STATUS.notPost, 'invokes are POST requests', { allow: 'POST' });
  // Node has built `req.headers` by now (it reads Host and Expect from it), so reading it costs a lookup.
  const auth = readAuthHeaders(req.headers, settings.verifier.windowMs);
  if (!auth.ok) return refuseUnread(req, res, auth.status, auth.reason);
  if (!current) return refuseUnread(req, res, STATUS.notReady, 'no revision loaded', { 'retry-after': RETRY_AFTER_SECONDS });
  let target = pathname.slice(INVOKE_PATH.length);
  if (target.includes('%')) {
    try {
      target = decodeURIComponent(target);
    } catch {
      return refuseUnread(req, res, STATUS.notExposed, 'target is not valid percent-encoding');
    }
  }
  if (declaredTooLarge(req, settings.maxBodyBytes)) return refuseUnread(req, res, STATUS.tooLarge, `body is larger than ${settings.maxBodyBytes} bytes`);

  // Refused before the body is read, so unknown targets cost no memory. Target names are in the app's
  // config, not secrets; what they can run still needs a valid signature.
  const route = current.route(target);
  if (!route) return refuseUnread(req, res, STATUS.notExposed, `target ${target} is not exposed by revision ${current.revision.name}`);
  const slot = route.admission.enter();
  if (slot === 'full') return refuseUnread(req, res, STATUS.saturated, `${target} is saturated`, { 'retry-after': RETRY_AFTER_SECONDS });
  const invocation = new Invocation(req, res, target, route, current, settings, auth.auth);
  if (typeof slot === 'function') return invocation.admitted(slot);
  slot.then(
    (release) => invocation.admitted(release),
    (error: unknown) => failedToAnswer(req, res, error),
  );
}

const noRelease: Release = () => {};

/** One admitted invoke, from its body to its answer; it holds its admission slot until it has answered. */
class Invocation {
  private release: Release = noRelease;
  private requestId = '';

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly target: string,
    private readonly route: Route,
    private readonly current: Serving,
    private readonly settings: InvokeSettings,
    private readonly auth: PresentedAuth,
  ) {}

  admitted(release: Release): void {
    this.release = release;
    try {
      readBodyThen(this.req, this.settings.maxBodyBytes, (error, body) => {
        if (error) return this.finish(() => (error instanceof BodyTooLarge ? sendJson(this.res, 413, { error: error.message }) : failedToAnswer(this.req, this.res, error)));
        try {
          this.run(body!);
        } catch (unexpected) {
          this.finish(() => failedToAnswer(this.req, this.res, unexpected));
        }
      });
    } catch (error) {
      this.finish(() => failedToAnswer(this.req, this.res, error));
    }
  }

  /** Answers, then gives the slot back (after answering, as a request holds its slot until it is answered). */
  private finish(answer: () => void): void {
    try {
      answer();
    } finally {
      this.release();
    }
  }

  private run(body: Buffer): void {
    const { res, target, settings } = this;
    const now = Date.now();
    const verified = settings.verifier.verify(this.auth, target, body, now);
    if (!verified.ok) {
      const headers: Record<string, string> = verified.status === 429 ? { 'retry-after': RETRY_AFTER_SECONDS } : {};
      return this.finish(() => sendJson(res, verified.status, { error: verified.reason }, headers));
    }
    let invoke: InvokeBody;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as Partial<InvokeBody>;
      invoke = { event: parsed.event, context: readInvokeContext(parsed.context), stream: parsed.stream };
    } catch (error) {
      return this.finish(() => sendJson(res, STATUS.badRequest, { error: `bad invoke body: ${(error as Error).message}` }));
    }
    const requestId = invoke.context.awsRequestId;
    this.requestId = requestId;
    // The proxy has already given up (and an event source will retry): running the ion now would be
    // wasted work at best and a duplicate at worst.
    if (now >= invoke.context.deadline) {
      return this.finish(() => sendJson(res, STATUS.deadlinePassed, { error: `deadline passed before ${target} could start`, requestId }));
    }
    const { respond, stream } = this.route;
    // Only a web ion streams; any other target answers a streaming proxy with JSON, which it relays.
    if (invoke.stream === true && stream !== undefined) {
      stream(invoke.event, lambdaContext(invoke.context)).then(
        (answer) => {
          try {
            writeStreamAnswer(res, answer, { target, requestId, revision: this.current.revision.name }, this.release);
          } catch (unexpected) {
            this.finish(() => failedToAnswer(this.req, res, unexpected));
          }
        },
        (error: unknown) => this.failed(error),
      );
      return;
    }
    if (respond !== undefined) {
      // A web ion answers through its callback entry, with no promise of ours in between.
      try {
        respond(invoke.event, lambdaContext(invoke.context), (result) => this.answer(result));
      } catch (error) {
        this.failed(error);
      }
      return;
    }
    let outcome: unknown;
    try {
      outcome = this.route.call(invoke.event, lambdaContext(invoke.context));
    } catch (error) {
      return this.failed(error);
    }
    if (isThenable(outcome)) {
      // A native promise passes through Promise.resolve as itself; any other thenable is adopted once.
      // Neither callback throws, so the chain needs no catch of its own.
      void Promise.resolve(outcome).then(
        (result) => this.answer(result),
        (error: unknown) => this.failed(error),
      );
    } else this.answer(outcome);
  }

  private answer(result: unknown): void {
    let text: string;
    try {
      text = JSON.stringify(result ?? null);
    } catch (error) {
      return this.failed(error);
    }
    const { res, settings } = this;
    try {
      // The head a proxy needs and nothing else: no Date (nobody reads it), and a Connection header of
      // our own, which stops Node adding its Keep-Alive timeout hint: an agent
      // builds the header map of every answer to read that hint, and the proxy's (no idle timeout of
      // its own) would ignore it anyway.
      res.sendDate = false;
      res.writeHead(200, ['content-length', String(Buffer.byteLength(text)), 'connection', res.shouldKeepAlive && !settings.closing ? 'keep-alive' : 'close']);
      res.end(text);
    } catch (unexpected) {
      failedToAnswer(this.req, res, unexpected);
    } finally {
      this.release();
    }
  }

  private failed(error: unknown): void {
    const { res, target, requestId } = this;
    try {
      alert({ msg: 'ion failed', target, requestId, revision: this.current.revision.name, ex: error });
      sendJson(res, STATUS.ionFailed, { error: `ion ${target} failed`, requestId });
    } catch (unexpected) {
      failedToAnswer(this.req, res, unexpected);
    } finally {
      this.release();
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
