// Short readable text of transaction data and values for error messages.
import { Keyword, Sym } from '../edn-names.js';
import { Decimal, Uuid } from '../scalar-types.js';

export function show(v: unknown, budget = 160): string {
  const text = render(v, 0);
  return text.length > budget ? `${text.slice(0, budget - 1)}…` : text;
}

function render(v: unknown, depth: number): string {
  if (depth > 4) return '…';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || v === undefined || typeof v !== 'object') return String(v);
  if (v instanceof Keyword || v instanceof Sym) return v.toString();
  if (v instanceof Date) return `#inst "${Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()}"`;
  if (v instanceof Uuid) return `#uuid "${v.text}"`;
  if (v instanceof Decimal) return `${v.toString()}M`;
  if (v instanceof URL) return `#uri "${v.href}"`;
  if (v instanceof Uint8Array) return `#bytes[${v.length}]`;
  if (Array.isArray(v)) return `[${v.map((x) => render(x, depth + 1)).join(' ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${render(k, depth + 1)} ${render(x, depth + 1)}`).join(', ')}}`;
  if (v instanceof Set) return `#{${[...v].map((x) => render(x, depth + 1)).join(' ')}}`;
  return `{${Object.entries(v).map(([k, x]) => `${k.startsWith(':') ? k : JSON.stringify(k)} ${render(x, depth + 1)}`).join(', ')}}`;
}

/** The type of a value in words, for "expects a long, got a string". */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v === 'number' && !Number.isInteger(v) ? 'a fractional number' : `a ${typeof v}`;
  if (Array.isArray(v)) return 'an array';
  return `a ${(v as object).constructor?.name ?? 'object'}`;
}
