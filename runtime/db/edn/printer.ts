// Prints values back as EDN text; error messages quote the offending query clause with it.
import { Keyword, Sym } from '../edn-names.js';
import { Decimal, Uuid } from '../scalar-types.js';
import { EdnList } from './list.js';

const CHAR_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' };

export function printEdn(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  switch (typeof value) {
    case 'string':
      return `"${value.replace(/["\\\n\t\r]/g, (c) => CHAR_ESCAPES[c]!)}"`;
    case 'number':
      if (Number.isNaN(value)) return '##NaN';
      if (!Number.isFinite(value)) return value > 0 ? '##Inf' : '##-Inf';
      // An integral double beyond the safe range would read back as a bigint without a decimal point.
      if (Number.isInteger(value) && !Number.isSafeInteger(value) && !/[e.]/.test(String(value))) return `${value}.0`;
      return String(value);
    case 'bigint':
      return `${value}N`;
    case 'boolean':
      return String(value);
    case 'function':
      return `#function ${value.name || 'anonymous'}`;
  }
  if (value instanceof Keyword || value instanceof Sym) return value.toString();
  if (value instanceof EdnList) return `(${value.map(printEdn).join(' ')})`;
  if (Array.isArray(value)) return `[${value.map(printEdn).join(' ')}]`;
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${printEdn(k)} ${printEdn(v)}`).join(', ')}}`;
  if (value instanceof Set) return `#{${[...value].map(printEdn).join(' ')}}`;
  if (value instanceof Date) return `#inst "${value.toISOString()}"`;
  if (value instanceof Uuid) return `#uuid "${value.text}"`;
  if (value instanceof Decimal) return `${value.toString()}M`;
  if (value instanceof RegExp) return `#"${value.source.replace(/(^|[^\\])"/g, '$1\\"')}"`;
  if (value instanceof Uint8Array) return `#bytes "${Buffer.from(value).toString('base64')}"`;
  if (value instanceof URL) return `#uri "${value.href}"`;
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${printEdn(Keyword.of(k))} ${printEdn(v)}`).join(', ')}}`;
  }
  return String(value);
}
