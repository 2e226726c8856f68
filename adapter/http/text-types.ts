// Which bodies a gateway can carry as text. Everything else goes base64-encoded: a gateway's JSON
// answer holds a string, and bytes that are not UTF-8 text would not survive the trip.

// An app answers with a handful of content types, so each one's verdict is remembered (up to a bound).
const verdicts = new Map<string, boolean>();
const VERDICTS_MAX = 256;

/** Text: text/*, JSON (also `+json`), XML (also `+xml`), JavaScript, or form-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  let verdict = verdicts.get(contentType);
  if (verdict === undefined) {
    verdict = judge(contentType);
    if (verdicts.size < VERDICTS_MAX) verdicts.set(contentType, verdict);
  }
  return verdict;
}

function judge(contentType: string): boolean {
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript' ||
    type === 'application/x-javascript' ||
    type === 'application/ecmascript' ||
    type === 'application/x-www-form-urlencoded'
  );
}
