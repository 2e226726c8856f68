// The forwarder of a query-group node: sends each transaction to a primary-group node over the signed
// protocol (POST /_ions/db/transact) and resolves with the t it was logged at. A refusal keeps the primary's
// reason and says whether retrying is safe: it is when nothing can have been written (the primary
// refused before writing, or could not be reached at all), not when the answer was lost on the way.
import type { DbTransactAnswer, DbTransactError, DbTransactRefusal } from '../../protocol/db-transact.js';
import { DB_TRANSACT_PATH, DB_TRANSACT_TARGET, encodeDbTransact } from '../../protocol/db-transact.js';
import { signedHeaders, signingKey, type SigningKey } from '../../protocol/signing.js';
import type { Forwarder } from './follower.js';

export interface RemoteForwarderOptions {
  /** Base URL of the primary-group node, or a function finding the current one (called per transaction). */
  readonly url: string | (() => string | Promise<string>);
  /** The HMAC key the nodes share. */
  readonly secret: SigningKey;
  /** How long to wait for the primary's answer, in ms. Default 30,000. */
  readonly timeoutMs?: number;
}

/** `unreachable`: no connection was made. `unknown-outcome`: the answer was lost; the transaction may have landed. */
export type ForwardFailure = DbTransactRefusal | 'refused' | 'unreachable' | 'unknown-outcome';

export class ForwardError extends Error {
  override readonly name = 'ForwardError';

  constructor(
    message: string,
    readonly kind: ForwardFailure,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
const KINDS = new Set<string>(['not-primary', 'lease-lost', 'unavailable', 'rejected', 'bad-request']);

function connectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code === 'ECONNREFUSED';
}

export function remoteForwarder(options: RemoteForwarderOptions): Forwarder {
  const key = signingKey(options.secret);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new TypeError(`remoteForwarder: timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  return async ({ db, txData }) => {
    const base = typeof options.url === 'function' ? await options.url() : options.url;
    const where = `transaction of ${db} forwarded to ${base}`;
    const body = encodeDbTransact(db, txData);
    let response: Response;
    try {
      response = await fetch(new URL(DB_TRANSACT_PATH, base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders(key, DB_TRANSACT_TARGET, body) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (connectionRefused(error)) throw new ForwardError(`${where}: connection refused; nothing was sent`, 'unreachable', true, { cause: error });
      throw new ForwardError(`${where}: no answer (${(error as Error).message}); the transaction may or may not have been applied`, 'unknown-outcome', false, { cause: error });
    }
    const text = await response.text();
    let answer: Partial<DbTransactAnswer & DbTransactError>;
    try {
      answer = JSON.parse(text) as Partial<DbTransactAnswer & DbTransactError>;
    } catch {
      throw new ForwardError(`${where}: answered ${response.status} with a body that is not JSON`, 'unknown-outcome', false);
    }
    if (response.ok && typeof answer.t === 'number' && typeof answer.tempids === 'object' && answer.tempids !== null) {
      return { t: answer.t, tempids: answer.tempids };
    }
    if (typeof answer.kind === 'string' && KINDS.has(answer.kind)) {
      throw new ForwardError(`${where}: ${answer.error ?? answer.kind}`, answer.kind as DbTransactRefusal, answer.retryable === true);
    }
    throw new ForwardError(`${where}: refused with ${response.status}: ${answer.error ?? text}`, 'refused', false);
  };
}
