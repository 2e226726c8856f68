// Growable output buffer and bounds-checked input cursor for the binary codec. Varints are unsigned
// LEB128 (signs travel in tags and flags, which keeps every safe integer exact); they are computed
// with arithmetic because bitwise operators truncate to 32 bits.
import { StorageCorruptError } from './errors.js';

const encoder = new TextEncoder();

export class ByteWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  byte(value: number): void {
    this.ensure(1);
    this.buffer[this.length++] = value;
  }

  /** Unsigned varint of a non-negative safe integer. */
  uvarint(value: number): void {
    this.ensure(8);
    let v = value;
    while (v >= 0x80) {
      this.buffer[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buffer[this.length++] = v;
  }

  float64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  bytes(value: Uint8Array): void {
    this.uvarint(value.length);
    this.raw(value);
  }

  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  string(value: string): void {
    const count = value.length;
    if (count < 0x80) {
      // Short ASCII, the common case: bytes are char codes and the length fits in one byte.
      this.ensure(count + 1);
      const start = this.length;
      let i = 0;
      for (; i < count; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        this.buffer[start + 1 + i] = code;
      }
      if (i === count) {
        this.buffer[start] = count;
        this.length = start + 1 + count;
        return;
      }
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit; write in place, then the length in front.
    const max = count * 3;
    this.ensure(max + 8);
    if (max < 0x80) {
      const at = this.length + 1;
      const { written } = encoder.encodeInto(value, this.buffer.subarray(at));
      this.buffer[this.length] = written;
      this.length = at + written;
    } else {
      this.bytes(encoder.encode(value));
    }
  }

  /** Empties the buffer for reuse, keeping its capacity. */
  reset(): void {
    this.length = 0;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export class ByteReader {
  offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly where: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  fail(message: string): never {
    throw new StorageCorruptError(message, `${this.where}, byte ${this.offset}`);
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) this.fail(`record ends early (needs ${count} more bytes)`);
  }

  byte(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  uvarint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 56) this.fail('varint too long');
    }
    if (!Number.isSafeInteger(result)) this.fail('varint above the safe integer range');
    return result;
  }

  float64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  raw(count: number): Uint8Array {
    this.need(count);
    const value = this.bytes.slice(this.offset, this.offset + count);
    this.offset += count;
    return value;
  }

  bytesField(): Uint8Array {
    return this.raw(this.uvarint());
  }

  string(): string {
    const count = this.uvarint();
    this.need(count);
    const start = this.offset;
    this.offset += count;
    try {
      return decoder.decode(this.bytes.subarray(start, start + count));
    } catch {
      this.offset = start;
      return this.fail('string is not valid UTF-8');
    }
  }
}
