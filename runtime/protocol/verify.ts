// The node's side of signing: everything needed to accept or refuse a signed invoke, in the order the
// node can afford to check it (headers and clock before reading the body; signature and replay after).
import { replayGuard, type ReplayGuard } from './replay-guard.js';
import { signatureMatches, signingKey, type SigningKey } from './signing.js';
import { HEADERS, STATUS } from './wire.js';

export const DEFAULT_CLOCK_WINDOW_MS = 60_000;
/**
 * Signed requests remembered at once. A node refuses (429) what it cannot remember, so this bounds its
 * signed request rate to about this many per clock window: a million is ~16,000 per second for the
 * 60-second window, past what one node serves. The memory grows with use, to ~40 MB when full.
 */
export const DEFAULT_REPLAY_MEMORY = 1_000_000;

export interface PresentedAuth {
  timestamp: number;
  nonce: string;
  signature: string;
}

/** 401 for a request that is not authentic; 429 when the node cannot afford to remember it yet. */
export type AuthRefusal = { ok: false; status: typeof STATUS.badSignature | typeof STATUS.saturated; reason: string };

/**
 * A request's headers as Node parses them (`req.headers`). Node builds that object for every request
 * anyway (it reads Host and Expect from it), so reading it costs a lookup.
 */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/**
 * Reads the auth header and checks the clock window; the reason names what was wrong. A repeated auth
 * header is refused too: Node joins its values with ", ", which no longer reads as one.
 */
export function readAuthHeaders(
  headers: RequestHeaders,
  windowMs: number,
  now: number = Date.now(),
): { ok: true; auth: PresentedAuth } | AuthRefusal {
  const value = header(headers, HEADERS.auth);
  if (!value) return { ok: false, status: STATUS.badSignature, reason: `missing ${HEADERS.auth} header` };
  const first = value.indexOf(' ');
  const last = value.lastIndexOf(' ');
  if (first <= 0 || last <= first + 1 || last === value.length - 1 || value.indexOf(' ', first + 1) !== last) {
    return { ok: false, status: STATUS.badSignature, reason: `${HEADERS.auth} is not "<timestamp> <nonce> <signature>"` };
  }
  const timestamp = value.slice(0, first);
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, status: STATUS.badSignature, reason: `${HEADERS.auth} timestamp is not epoch milliseconds` };
  const at = Number(timestamp);
  const late = outsideWindow(at, now, windowMs);
  if (late) return late;
  return { ok: true, auth: { timestamp: at, nonce: value.slice(first + 1, last), signature: value.slice(last + 1) } };
}

export interface RequestVerifier {
  readonly windowMs: number;
  /** Signature over target and body, then replay; records the request when it is accepted. */
  verify(auth: PresentedAuth, target: string, body: Uint8Array, now?: number): { ok: true } | AuthRefusal;
}

export function requestVerifier(
  secret: SigningKey,
  windowMs: number = DEFAULT_CLOCK_WINDOW_MS,
  replayMemory: number = DEFAULT_REPLAY_MEMORY,
): RequestVerifier {
  const guard: ReplayGuard = replayGuard(windowMs, replayMemory);
  const key = signingKey(secret);
  return {
    windowMs,
    verify(auth, target, body, now = Date.now()) {
      // The window was checked when the headers came; a body can take long to follow, and the replay
      // memory forgets a signature once its window has passed, so the window holds at this moment too.
      const late = outsideWindow(auth.timestamp, now, windowMs);
      if (late) return late;
      const parts = { timestamp: auth.timestamp, nonce: auth.nonce, target, body };
      if (!signatureMatches(key, parts, auth.signature)) return { ok: false, status: STATUS.badSignature, reason: 'bad signature' };
      const verdict = guard.check(auth.signature, auth.timestamp, now);
      if (verdict === 'replay') return { ok: false, status: STATUS.badSignature, reason: 'replayed request' };
      if (verdict === 'full') return { ok: false, status: STATUS.saturated, reason: 'replay memory full; retry shortly' };
      return { ok: true };
    },
  };
}

/** The refusal of a request signed at `at` when `now` is outside its clock window; undefined inside it. */
function outsideWindow(at: number, now: number, windowMs: number): AuthRefusal | undefined {
  if (Math.abs(now - at) <= windowMs) return undefined;
  return { ok: false, status: STATUS.badSignature, reason: `${HEADERS.auth} timestamp is outside the ${windowMs} ms window` };
}

/** The value of a lower-case header name; undefined when it is absent or a list (as only set-cookie is). */
function header(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? undefined : value;
}
