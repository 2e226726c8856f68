import type { IncomingMessage, ServerResponse } from 'node:http';

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
