// DynamoDB stream images as plain values. Written here rather than taken from @aws-sdk/util-dynamodb:
// that one expects binary attributes already decoded to bytes by the SDK, while stream events carry
// them as base64 strings, and it would pull an SDK package into every app for forty lines of mapping.
import type { AttributeValue } from 'aws-lambda';

export type Unmarshalled =
  | string
  | number
  | boolean
  | null
  | Buffer
  | Set<string>
  | Set<number>
  | Set<Buffer>
  | Unmarshalled[]
  | { [key: string]: Unmarshalled };

export interface UnmarshallOptions {
  /**
   * `number` (default) converts N to a JS number and throws when that would lose digits;
   * `string` keeps every N as its decimal string.
   */
  readonly numbers?: 'number' | 'string';
}

const SAFE_DIGITS = 15;

function toNumber(text: string, path: string, numbers: 'number' | 'string'): number | string {
  if (numbers === 'string') return text;
  const digits = text.replace(/^[-+]?0*/, '').replace(/[eE].*$/, '').replace('.', '').replace(/0+$/, '');
  const value = Number(text);
  if (Number.isNaN(value)) throw new TypeError(`DynamoDB number at ${path} is not a number: '${text}'`);
  if (digits.length > SAFE_DIGITS && !Number.isSafeInteger(value)) {
    throw new RangeError(`DynamoDB number at ${path} (${text}) does not fit a JS number without losing digits; unmarshall with { numbers: 'string' }`);
  }
  return value;
}

function unmarshallAt(value: AttributeValue, path: string, numbers: 'number' | 'string'): Unmarshalled {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return toNumber(value.N, path, numbers);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return Buffer.from(value.B, 'base64');
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map((n, i) => toNumber(n, `${path}[${i}]`, numbers))) as Set<number>;
  if (value.BS !== undefined) return new Set(value.BS.map((b) => Buffer.from(b, 'base64')));
  if (value.L !== undefined) return value.L.map((item, i) => unmarshallAt(item, `${path}[${i}]`, numbers));
  if (value.M !== undefined) return unmarshallMapAt(value.M, path, numbers);
  throw new TypeError(`DynamoDB attribute at ${path} has no known type tag: ${JSON.stringify(value)}`);
}

function unmarshallMapAt(map: Record<string, AttributeValue>, path: string, numbers: 'number' | 'string'): { [key: string]: Unmarshalled } {
  const out: { [key: string]: Unmarshalled } = {};
  for (const key of Object.keys(map)) {
    Object.defineProperty(out, key, { value: unmarshallAt(map[key]!, path === '' ? key : `${path}.${key}`, numbers), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A stream record's `Keys`, `NewImage` or `OldImage` as a plain object. */
export function unmarshallImage(image: Record<string, AttributeValue>, options: UnmarshallOptions = {}): { [key: string]: Unmarshalled } {
  return unmarshallMapAt(image, '', options.numbers ?? 'number');
}

export function unmarshallValue(value: AttributeValue, options: UnmarshallOptions = {}): Unmarshalled {
  return unmarshallAt(value, '(value)', options.numbers ?? 'number');
}
