// How error messages name a value they did not expect: its kind, and enough of it to recognize.

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    if (name !== undefined && name !== 'Object') return `an object of class ${name}`;
    return `an object with keys ${Object.keys(value).slice(0, 8).join(', ') || '(none)'}`;
  }
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value).slice(0, 40)}`;
}
