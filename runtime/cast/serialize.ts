// Cast records are JSON lines. Errors become plain data (name, message, stack, cause) because
// JSON.stringify turns an Error into `{}`; bigints become strings rather than throwing.

export function errorData(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const data: Record<string, unknown> = { name: error.name, message: error.message };
  if (error.stack !== undefined) data.stack = error.stack;
  if (error.cause !== undefined) data.cause = errorData(error.cause);
  for (const [key, value] of Object.entries(error)) if (!(key in data)) data[key] = value;
  return data;
}

export function toJsonLine(record: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return errorData(value);
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  });
}
