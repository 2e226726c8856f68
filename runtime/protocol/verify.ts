// The node's side of signing: everything needed to accept or refuse a signed invoke, in the order the
// node can afford to check it (headers and clock before reading the body; signature and replay after).
import { replayGuard, type ReplayGuard } from './replay-guard.js';
import { signatureMatches, signingKey, type SigningKey } from './signing.js';
import { HEADERS, STATUS } from './wire.js';

export const DEFAULT_CLOCK_WINDOW_MS = 60_000;
export const DEFAULT_REPLAY_MEMORY = 100_000;

export interface PresentedAuth {
  timestamp: number;
  nonce: string;
  signature: string;
}

/** 401 for a request that is not authentic; 429 when the node cannot afford to remember it yet. */
export type AuthRefusal = { ok: false; status: typeof STATUS.badSignature | typeof STATUS.saturated; reason: string };

/**
 * A request's headers: Node's parsed object, or its raw list (`req.rawHeaders`, names and values in
 * turn). Reading the raw list spares Node building the object, which the invoke path never needs.
 */
export type RequestHeaders = Record<string, string | string[] | undefined> | readonly string[];

/** Reads the signing headers and checks the clock window; the reason names what was wrong. A repeated signing header counts as missing. */
export function readAuthHeaders(
  headers: RequestHeaders,
  windowMs: number,
  now: number = Date.now(),
): { ok: true; auth: PresentedAuth } | AuthRefusal {
  const timestamp = header(headers, HEADERS.timestamp);
  const nonce = header(headers, HEADERS.nonce);
  const signature = header(headers, HEADERS.signature);
  if (!timestamp || !nonce || !signature) {
    return { ok: false, status: STATUS.badSignature, reason: `missing ${HEADERS.timestamp}, ${HEADERS.nonce} or ${HEADERS.signature} header` };
  }
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, status: STATUS.badSignature, reason: `${HEADERS.timestamp} is not epoch milliseconds` };
  const at = Number(timestamp);
  if (Math.abs(now - at) > windowMs) {
    return { ok: false, status: STATUS.badSignature, reason: `${HEADERS.timestamp} is outside the ${windowMs} ms window` };
  }
  return { ok: true, auth: { timestamp: at, nonce, signature } };
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
      const parts = { timestamp: auth.timestamp, nonce: auth.nonce, target, body };
      if (!signatureMatches(key, parts, auth.signature)) return { ok: false, status: STATUS.badSignature, reason: 'bad signature' };
      const verdict = guard.check(auth.signature, auth.timestamp, now);
      if (verdict === 'replay') return { ok: false, status: STATUS.badSignature, reason: 'replayed request' };
      if (verdict === 'full') return { ok: false, status: STATUS.saturated, reason: 'replay memory full; retry shortly' };
      return { ok: true };
    },
  };
}

/** The one value of a lower-case header name; undefined when it is absent or repeated. */
function header(headers: RequestHeaders, name: string): string | undefined {
  if (!isRawList(headers)) {
    const value = headers[name];
    return Array.isArray(value) ? undefined : value;
  }
  let found: string | undefined;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const key = headers[i]!;
    if (key.length !== name.length || (key !== name && key.toLowerCase() !== name)) continue;
    if (found !== undefined) return undefined;
    found = headers[i + 1]!;
  }
  return found;
}

function isRawList(headers: RequestHeaders): headers is readonly string[] {
  return Array.isArray(headers);
}
