import type { IncomingMessage, ServerResponse } from 'node:http';
import { alert } from '../cast/index.js';

export const RETRY_AFTER_SECONDS = '1';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Answers without reading the body, which is drained unkept so the connection stays usable. */
export function refuseUnread(req: IncomingMessage, res: ServerResponse, status: number, error: string, headers?: Record<string, string>): void {
  req.resume();
  sendJson(res, status, { error }, headers);
}

/** The last resort for an error no handler expected: alerted, and a generic 500 (or a cut connection mid-answer). */
export function failedToAnswer(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  alert({ msg: 'node failed to answer a request', uri: req.url, ex: error });
  if (!res.headersSent) sendJson(res, 500, { error: 'Internal Server Error' });
  else res.destroy();
}
