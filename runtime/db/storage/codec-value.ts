// Binary encoding of datom values: a tag byte, then the value. Every value the db stores round-trips
// exactly (symbols and tuple elements left null included), and so does the line JavaScript blurs: a safe integer is a long, any other number (fractions, -0,
// NaN, infinities, integers beyond 2^53) is a double, and a bigint stays a bigint.
import { Keyword, Sym } from '../edn-names.js';
import { Decimal, Uuid } from '../scalar-types.js';
import type { Value } from '../types.js';
import type { ByteReader, ByteWriter } from './byte-writer.js';

const enum Tag {
  String = 0,
  /** A non-negative safe integer; NegativeLong holds the magnitude of a negative one. */
  Long = 1,
  Double = 2,
  BigInt = 3,
  True = 4,
  False = 5,
  Instant = 6,
  Keyword = 7,
  Uuid = 8,
  Decimal = 9,
  Uri = 10,
  Bytes = 11,
  Tuple = 12,
  /** A string with lone surrogates, which UTF-8 cannot carry: stored as UTF-16 code units. */
  StringUtf16 = 13,
  NegativeLong = 14,
  Symbol = 15,
  /** A missing element of a tuple. */
  Null = 16,
}

const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

export function writeValue(out: ByteWriter, value: Value): void {
  if (value === null) {
    out.byte(Tag.Null);
    return;
  }
  switch (typeof value) {
    case 'string':
      if (isWellFormed(value)) {
        out.byte(Tag.String);
        out.string(value);
      } else {
        out.byte(Tag.StringUtf16);
        out.uvarint(value.length);
        for (let i = 0; i < value.length; i++) out.uvarint(value.charCodeAt(i));
      }
      return;
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
        out.byte(value < 0 ? Tag.NegativeLong : Tag.Long);
        out.uvarint(Math.abs(value));
      } else {
        out.byte(Tag.Double);
        out.float64(value);
      }
      return;
    case 'bigint':
      out.byte(Tag.BigInt);
      writeBigInt(out, value);
      return;
    case 'boolean':
      out.byte(value ? Tag.True : Tag.False);
      return;
  }
  if (value instanceof Keyword) {
    out.byte(Tag.Keyword);
    out.string(value.fqn);
  } else if ((value as unknown) instanceof Sym) {
    out.byte(Tag.Symbol);
    out.string((value as unknown as Sym).name);
  } else if (value instanceof Date) {
    out.byte(Tag.Instant);
    out.float64(value.getTime());
  } else if (value instanceof Uuid) {
    out.byte(Tag.Uuid);
    out.raw(Buffer.from(value.text.replaceAll('-', ''), 'hex'));
  } else if (value instanceof Decimal) {
    out.byte(Tag.Decimal);
    writeBigInt(out, value.unscaled);
    out.uvarint(value.scale);
  } else if (value instanceof URL) {
    out.byte(Tag.Uri);
    out.string(value.href);
  } else if (value instanceof Uint8Array) {
    out.byte(Tag.Bytes);
    out.bytes(value);
  } else if (Array.isArray(value)) {
    out.byte(Tag.Tuple);
    out.uvarint(value.length);
    for (const element of value as readonly Value[]) writeValue(out, element);
  } else {
    throw new TypeError(`cannot store value ${String(value)} (${Object.prototype.toString.call(value)}): not a datom value type`);
  }
}

/** Sign in the low bit, then the magnitude's bytes little-endian. */
function writeBigInt(out: ByteWriter, value: bigint): void {
  const negative = value < 0n;
  let magnitude = negative ? -value : value;
  const bytes: number[] = [];
  while (magnitude > 0n) {
    bytes.push(Number(magnitude & 0xffn));
    magnitude >>= 8n;
  }
  out.uvarint(bytes.length * 2 + (negative ? 1 : 0));
  out.raw(Uint8Array.from(bytes));
}

function readBigInt(input: ByteReader): bigint {
  const header = input.uvarint();
  const bytes = input.raw(Math.floor(header / 2));
  let magnitude = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) magnitude = (magnitude << 8n) | BigInt(bytes[i]!);
  return header % 2 === 1 ? -magnitude : magnitude;
}

export function readValue(input: ByteReader): Value {
  const tag = input.byte();
  switch (tag) {
    case Tag.String:
      return input.string();
    case Tag.StringUtf16: {
      const count = input.uvarint();
      let text = '';
      for (let i = 0; i < count; i++) text += String.fromCharCode(input.uvarint());
      return text;
    }
    case Tag.Long:
      return input.uvarint();
    case Tag.NegativeLong:
      return -input.uvarint();
    case Tag.Double:
      return input.float64();
    case Tag.BigInt:
      return readBigInt(input);
    case Tag.True:
      return true;
    case Tag.False:
      return false;
    case Tag.Symbol:
      return Sym.of(input.string()) as unknown as Value;
    case Tag.Null:
      return null as unknown as Value;
    case Tag.Instant:
      return new Date(input.float64());
    case Tag.Keyword:
      return Keyword.of(input.string());
    case Tag.Uuid: {
      const hex = Buffer.from(input.raw(16)).toString('hex');
      return new Uuid(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
    }
    case Tag.Decimal: {
      const unscaled = readBigInt(input);
      return decimalOf(unscaled, input.uvarint());
    }
    case Tag.Uri:
      return new URL(input.string());
    case Tag.Bytes:
      return input.bytesField();
    case Tag.Tuple: {
      const count = input.uvarint();
      const tuple = new Array<Value>(count);
      for (let i = 0; i < count; i++) tuple[i] = readValue(input);
      return tuple;
    }
    default:
      return input.fail(`unknown value tag ${tag}`);
  }
}

function decimalOf(unscaled: bigint, scale: number): Decimal {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const cut = digits.length - scale;
  return new Decimal(`${negative ? '-' : ''}${digits.slice(0, cut)}${scale > 0 ? `.${digits.slice(cut)}` : ''}`);
}
