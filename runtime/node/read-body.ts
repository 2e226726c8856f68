// Reads a request body up to a limit; a body past the limit is refused without being kept.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './respond.js';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** Whether the declared Content-Length is past `limit` (Node has parsed `req.headers` for every request). */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = req.headers['content-length'];
  if (declared === undefined) return false;
  const length = Number(declared);
  return Number.isFinite(length) && length > limit;
}

/**
 * Calls `done` once with the whole body or the error that ended it. The invoke path reads through this
 * callback rather than a promise: each promise layer costs a microtask on every request.
 */
export function readBodyThen(req: IncomingMessage, limit: number, done: (error: Error | undefined, body?: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (error: Error | undefined, body?: Buffer): void => {
    if (settled) return;
    settled = true;
    done(error, body);
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      chunks.length = 0;
      req.removeAllListeners('data');
      req.resume();
      settle(new BodyTooLarge(limit));
      return;
    }
    chunks.push(chunk);
  });
  // A body that came in one chunk (the usual invoke) is that chunk, not a copy of it.
  req.on('end', () => settle(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  req.on('error', (error) => settle(error));
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => readBodyThen(req, limit, (error, body) => (error ? reject(error) : resolve(body!))));
}

/** The whole body, or undefined once a body past the limit has been answered with 413. */
export async function readBodyWithin(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> {
  try {
    return await readBody(req, limit);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    sendJson(res, 413, { error: error.message });
    return undefined;
  }
}
