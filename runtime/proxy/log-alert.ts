// The proxy's alerts: one JSON line each on stderr, which Lambda sends to CloudWatch Logs. The proxy
// does not import cast (the node's structured output), so that its bundle stays small.
export function logAlert(data: Record<string, unknown>): void {
  console.error(JSON.stringify({ type: 'alert', ...data }));
}
