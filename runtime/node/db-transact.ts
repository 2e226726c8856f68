// Forwarded transactions: POST /_ions/db/transact, signed with the target `db/transact`. A primary-group
// node answers them through the forwarder it was started with (its lease-holding connections); a node
// started without one takes no transactions. Refusals say whether the caller may retry: only those
// that guarantee nothing was written are retryable.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { alert } from '../cast/index.js';
import type { Forwarder } from '../db/follow/follower.js';
import { NotPrimaryError } from '../db/lease/errors.js';
import { LeaseLostError, StorageUnavailableError } from '../db/storage/errors.js';
import { DB_TRANSACT_TARGET, decodeDbTransact, type DbTransactAnswer, type DbTransactError, type DbTransactRefusal } from '../protocol/db-transact.js';
import { readAuthHeaders, type RequestVerifier } from '../protocol/verify.js';
import { STATUS } from '../protocol/wire.js';
import { declaredTooLarge, readBodyWithin } from './read-body.js';
import { refuseUnread, RETRY_AFTER_SECONDS, sendJson } from './respond.js';

export interface DbTransactSettings {
  verifier: RequestVerifier;
  maxBodyBytes: number;
  /** Runs a forwarded transaction on this node; undefined on nodes that take no transactions. */
  transact: Forwarder | undefined;
}

function refusal(error: unknown): { status: number; kind: DbTransactRefusal; retryable: boolean } {
  if (error instanceof NotPrimaryError) return { status: STATUS.notReady, kind: 'not-primary', retryable: true };
  if (error instanceof LeaseLostError) return { status: STATUS.notReady, kind: 'lease-lost', retryable: true };
  if (error instanceof StorageUnavailableError) return { status: STATUS.notReady, kind: 'unavailable', retryable: true };
  return { status: 422, kind: 'rejected', retryable: false };
}

/** Answers POST /_ions/db/transact; the node routes only that exact path here. */
export async function handleDbTransact(req: IncomingMessage, res: ServerResponse, settings: DbTransactSettings): Promise<void> {
  if (req.method !== 'POST') return refuseUnread(req, res, STATUS.notPost, 'transactions are POST requests', { allow: 'POST' });
  const auth = readAuthHeaders(req.headers, settings.verifier.windowMs);
  if (!auth.ok) return refuseUnread(req, res, auth.status, auth.reason);
  if (settings.transact === undefined) return refuseUnread(req, res, STATUS.notExposed, 'this node takes no transactions: send them to the primary group');
  if (declaredTooLarge(req, settings.maxBodyBytes)) return refuseUnread(req, res, STATUS.tooLarge, `body is larger than ${settings.maxBodyBytes} bytes`);
  const body = await readBodyWithin(req, res, settings.maxBodyBytes);
  if (body === undefined) return;
  const verified = settings.verifier.verify(auth.auth, DB_TRANSACT_TARGET, body);
  if (!verified.ok) return sendJson(res, verified.status, { error: verified.reason });
  let request: ReturnType<typeof decodeDbTransact>;
  try {
    request = decodeDbTransact(body.toString('utf8'));
  } catch (error) {
    const answer: DbTransactError = { error: `bad transaction request: ${(error as Error).message}`, kind: 'bad-request', retryable: false };
    return sendJson(res, STATUS.badRequest, answer);
  }
  try {
    const { t, tempids } = await settings.transact(request);
    const answer: DbTransactAnswer = { t, tempids: { ...tempids } };
    sendJson(res, 200, answer);
  } catch (error) {
    const { status, kind, retryable } = refusal(error);
    if (kind !== 'rejected') alert({ msg: 'db.transact/refused', db: request.db, kind, ex: error });
    const answer: DbTransactError = { error: (error as Error).message ?? String(error), kind, retryable };
    sendJson(res, status, answer, retryable ? { 'retry-after': RETRY_AFTER_SECONDS } : {});
  }
}
