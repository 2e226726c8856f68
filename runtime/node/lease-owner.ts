// A primary-group node's name in a database lease carries the URL other nodes reach it at, so a node
// that is not the writer can send a transaction straight to the one that is. The part after '#' makes
// the name unique per process: a restarted node at the same address must never take its
// predecessor's lease back at the same epoch (the lease keeper treats a lease in its own name as its own).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

const SEPARATOR = '#';

/** The lease owner name of this process, with `url` when other nodes can reach it there. */
export function leaseOwner(url: string | undefined): string {
  const incarnation = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  return url === undefined ? incarnation : `${url}${SEPARATOR}${incarnation}`;
}

/** The URL a lease owner name carries, if it carries one. */
export function ownerUrl(owner: string): string | undefined {
  const at = owner.lastIndexOf(SEPARATOR);
  if (at <= 0) return undefined;
  const url = owner.slice(0, at);
  return URL.canParse(url) && /^https?:$/.test(new URL(url).protocol) ? url : undefined;
}

/** A URL other hosts can use: not one whose host is the unspecified address a server listens on. */
export function reachableUrl(url: string): string | undefined {
  const { hostname: host } = new URL(url);
  return host === '0.0.0.0' || host === '[::]' ? undefined : url;
}
