// The `cookie` request header, parsed. A pair without `=` carries no name (RFC 6265 §5.4 leaves it to
// the server) and is skipped; values are percent-decoded when they decode cleanly and kept raw otherwise.
import { emptyMap } from './dict.js';

function decodeValue(raw: string): string {
  let value = raw;
  if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) {
    value = value.slice(1, -1);
  }
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies = emptyMap<string>();
  if (header === undefined) return cookies;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const equals = header.indexOf('=', start);
    if (equals !== -1 && equals < end) {
      const name = header.slice(start, equals).trim();
      // The first wins: browsers send the cookie with the most specific path first.
      if (name !== '' && cookies[name] === undefined) cookies[name] = decodeValue(header.slice(equals + 1, end).trim());
    }
    start = end + 1;
  }
  return cookies;
}
