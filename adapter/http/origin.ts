// Where a request came from and which server it addressed, read from the headers that gateways and
// load balancers set (`host`, `x-forwarded-*`) when the event has no field for it.
import type { HeaderMap } from './headers.js';

export function schemeOf(headers: HeaderMap, fallback: 'http' | 'https'): 'http' | 'https' {
  const proto = headers['x-forwarded-proto'];
  if (proto === undefined) return fallback;
  const first = proto.indexOf(',') === -1 ? proto : proto.slice(0, proto.indexOf(','));
  return first.trim().toLowerCase() === 'http' ? 'http' : 'https';
}

/** The host name without its port; an IPv6 literal keeps its brackets. */
export function hostNameOf(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  if (host.charCodeAt(0) === 91) {
    const close = host.indexOf(']');
    return close === -1 ? host : host.slice(0, close + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function hostPortOf(host: string | undefined): number | undefined {
  if (host === undefined) return undefined;
  const close = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  if (colon === -1 || colon < close) return undefined;
  const port = Number(host.slice(colon + 1));
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** From `x-forwarded-port`, else the `host` port, else `fallback`, else the scheme's default. */
export function serverPortOf(headers: HeaderMap, scheme: 'http' | 'https', fallback?: number): number {
  const forwarded = headers['x-forwarded-port'];
  if (forwarded !== undefined) {
    const port = Number(forwarded.indexOf(',') === -1 ? forwarded : forwarded.slice(0, forwarded.indexOf(',')));
    if (Number.isInteger(port) && port > 0) return port;
  }
  return hostPortOf(headers.host) ?? fallback ?? (scheme === 'https' ? 443 : 80);
}

/** The address the load balancer itself saw: it appends it last to `x-forwarded-for`. */
export function lastForwardedFor(headers: HeaderMap): string | undefined {
  const forwarded = headers['x-forwarded-for'];
  if (forwarded === undefined) return undefined;
  const comma = forwarded.lastIndexOf(',');
  const address = (comma === -1 ? forwarded : forwarded.slice(comma + 1)).trim();
  return address === '' ? undefined : address;
}
