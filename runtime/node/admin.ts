// The node's admin endpoint: POST /_ions/admin/swap, signed like an invoke (same key, clock window and replay
// memory) with the target `admin/swap`, which no invoke target can equal. CodeDeploy's hooks use it to
// hot-swap the running node to a fetched revision. The answer says which revision serves afterwards;
// a revision that fails to load is refused with the reason, and the running one keeps serving.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_SWAP_PATH, ADMIN_SWAP_TARGET, type AdminSwapBody } from '../protocol/admin.js';
import { readAuthHeaders, type RequestVerifier } from '../protocol/verify.js';
import { STATUS } from '../protocol/wire.js';
import { readBodyWithin } from './read-body.js';
import { refuseUnread, sendJson } from './respond.js';

const MAX_ADMIN_BODY = 64 * 1024;

export interface AdminSettings {
  verifier: RequestVerifier;
  swap(revisionDir: string): Promise<void>;
  revision(): string | undefined;
}

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, pathname: string, settings: AdminSettings): Promise<void> {
  if (pathname !== ADMIN_SWAP_PATH) return refuseUnread(req, res, 404, `no admin endpoint ${pathname}`);
  if (req.method !== 'POST') return refuseUnread(req, res, STATUS.notPost, 'admin requests are POST requests', { allow: 'POST' });
  const auth = readAuthHeaders(req.headers, settings.verifier.windowMs);
  if (!auth.ok) return refuseUnread(req, res, auth.status, auth.reason);
  const body = await readBodyWithin(req, res, MAX_ADMIN_BODY);
  if (body === undefined) return;
  const verified = settings.verifier.verify(auth.auth, ADMIN_SWAP_TARGET, body);
  if (!verified.ok) return sendJson(res, verified.status, { error: verified.reason });
  let request: AdminSwapBody;
  try {
    request = JSON.parse(body.toString('utf8')) as AdminSwapBody;
    if (typeof request?.revisionDir !== 'string' || !request.revisionDir) throw new Error('"revisionDir" must be a non-empty string');
  } catch (error) {
    return sendJson(res, STATUS.badRequest, { error: `bad swap request: ${(error as Error).message}` });
  }
  try {
    await settings.swap(request.revisionDir);
  } catch (error) {
    return sendJson(res, 422, { error: (error as Error).message, revision: settings.revision() ?? null });
  }
  sendJson(res, 200, { revision: settings.revision() ?? null });
}
