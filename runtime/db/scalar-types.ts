// Value types that JavaScript has no unambiguous primitive for. A uuid is not a string and a decimal
// is not a float, so each has a class and a value of one can never be taken for the other.

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class Uuid {
  /** Lower-case canonical text. */
  readonly text: string;

  constructor(text: string) {
    const canonical = text.toLowerCase();
    if (!UUID_PATTERN.test(canonical)) throw new TypeError(`not a uuid: ${JSON.stringify(text)}`);
    this.text = canonical;
  }

  equals(other: Uuid): boolean {
    return this.text === other.text;
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}

export function uuid(text: string): Uuid {
  return new Uuid(text);
}

const DECIMAL_PATTERN = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** An exact decimal: `unscaled * 10^-scale`, normalized so that equal numbers have equal fields. */
export class Decimal {
  readonly unscaled: bigint;
  readonly scale: number;

  constructor(text: string) {
    const match = DECIMAL_PATTERN.exec(text.trim());
    if (match === null) throw new TypeError(`not a decimal: ${JSON.stringify(text)}`);
    const [, sign, whole, fraction = ''] = match;
    let digits = `${whole}${fraction}`;
    let scale = fraction.length;
    while (scale > 0 && digits.endsWith('0')) {
      digits = digits.slice(0, -1);
      scale -= 1;
    }
    const magnitude = BigInt(digits);
    this.unscaled = sign === '-' ? -magnitude : magnitude;
    this.scale = magnitude === 0n ? 0 : scale;
  }

  compare(other: Decimal): number {
    const scale = Math.max(this.scale, other.scale);
    const a = this.unscaled * 10n ** BigInt(scale - this.scale);
    const b = other.unscaled * 10n ** BigInt(scale - other.scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.unscaled === other.unscaled && this.scale === other.scale;
  }

  toString(): string {
    const negative = this.unscaled < 0n;
    const digits = (negative ? -this.unscaled : this.unscaled).toString().padStart(this.scale + 1, '0');
    const whole = digits.slice(0, digits.length - this.scale);
    const fraction = digits.slice(digits.length - this.scale);
    return `${negative ? '-' : ''}${whole}${fraction.length > 0 ? `.${fraction}` : ''}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export function decimal(text: string): Decimal {
  return new Decimal(text);
}
