// An EDN reader: enough of EDN for queries, rules, pull patterns and transaction data.
// Vectors read as arrays, lists as EdnList (an array subclass), maps as Map, sets as Set,
// keywords and symbols as the interned Keyword and Sym, #inst as Date, #uuid as Uuid,
// integers as number (bigint beyond the safe range or with N), M-suffixed numbers as Decimal, and,
// beyond EDN, Clojure's #"regex" literal as RegExp (queries use it with re-find and friends).
import { Keyword, Sym } from '../edn-names.js';
import { Decimal, Uuid } from '../scalar-types.js';
import { EdnList } from './list.js';

export class EdnSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at ${line}:${column}`);
    this.name = 'EdnSyntaxError';
  }
}

export type TagReader = (value: unknown, text: string) => unknown;

const defaultTags: Readonly<Record<string, TagReader>> = {
  inst: (value) => {
    if (typeof value !== 'string') throw new TypeError('#inst needs a string');
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new TypeError(`#inst: not a timestamp: ${JSON.stringify(value)}`);
    return date;
  },
  uuid: (value) => {
    if (typeof value !== 'string') throw new TypeError('#uuid needs a string');
    return new Uuid(value);
  },
};

export interface ReadOptions {
  /** Extra tagged-literal readers by tag name (without `#`). */
  readonly tags?: Readonly<Record<string, TagReader>>;
}

const DELIMITERS = new Set(['(', ')', '[', ']', '{', '}', '"', ';']);
const NAMED_CHARS: Readonly<Record<string, string>> = {
  newline: '\n',
  return: '\r',
  space: ' ',
  tab: '\t',
  formfeed: '\f',
  backspace: '\b',
};
const STRING_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '"': '"',
  '\\': '\\',
};
const INTEGER = /^([+-]?)(0|[1-9]\d*)(N)?$/;
const FLOAT = /^[+-]?(0|[1-9]\d*)(\.\d*)?([eE][+-]?\d+)?(M)?$/;

/** Marker for a `#_` form or a closing delimiter while reading collection items. */
const NOTHING = Symbol('nothing');

class Reader {
  private pos = 0;
  private readonly tags: Readonly<Record<string, TagReader>>;

  constructor(
    private readonly text: string,
    options: ReadOptions,
  ) {
    this.tags = { ...defaultTags, ...options.tags };
  }

  fail(message: string, at = this.pos): never {
    let line = 1;
    let column = 1;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text[i] === '\n') {
        line++;
        column = 1;
      } else column++;
    }
    throw new EdnSyntaxError(message, line, column);
  }

  skipSpace(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === ';') {
        while (this.pos < text.length && text[this.pos] !== '\n') this.pos++;
      } else if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === ',' || c === '\f') this.pos++;
      else break;
    }
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  /** The next form; NOTHING when `close` is met first. */
  readForm(close: string | undefined): unknown {
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) {
        if (close !== undefined) this.fail(`unexpected end of input, expected ${close}`);
        this.fail('unexpected end of input');
      }
      const start = this.pos;
      const c = this.text[this.pos]!;
      if (c === close) {
        this.pos++;
        return NOTHING;
      }
      switch (c) {
        case '(':
          this.pos++;
          return this.readItems(')', new EdnList());
        case '[':
          this.pos++;
          return this.readItems(']', []);
        case '{':
          this.pos++;
          return this.readMap(start);
        case ')':
        case ']':
        case '}':
          this.fail(`unmatched ${c}`);
        // falls through: fail never returns
        case '"':
          return this.readString();
        case '\\':
          return this.readChar();
        case '#':
          if (this.readDispatch(start)) {
            if (close === undefined && this.atEnd()) return NOTHING;
            continue;
          }
          return this.dispatched;
        default:
          return this.readAtom();
      }
    }
  }

  private dispatched: unknown;

  /** Reads a `#` form into `this.dispatched`; false for a `#_` discard, which yields nothing. */
  private readDispatch(start: number): boolean {
    const next = this.text[this.pos + 1];
    if (next === '{') {
      this.pos += 2;
      const items = this.readItems('}', []);
      const set = new Set<unknown>();
      for (const item of items) {
        if (set.has(item)) this.fail(`duplicate set element ${String(item)}`, start);
        set.add(item);
      }
      this.dispatched = set;
      return false;
    }
    if (next === '"') {
      this.pos++;
      this.dispatched = this.readRegex(start);
      return false;
    }
    if (next === '_') {
      this.pos += 2;
      if (this.readForm(undefined) === NOTHING) this.fail('#_ needs a form to discard', start);
      return true;
    }
    if (next === '#') {
      this.pos += 2;
      const token = this.readToken();
      const value = token === 'Inf' ? Infinity : token === '-Inf' ? -Infinity : token === 'NaN' ? NaN : undefined;
      if (value === undefined) this.fail(`unknown symbolic value ##${token}`, start);
      this.dispatched = value;
      return false;
    }
    this.pos++;
    const tag = this.readToken();
    if (tag.length === 0) this.fail('expected a tag after #', start);
    const reader = this.tags[tag];
    if (reader === undefined) this.fail(`no reader for tag #${tag}`, start);
    const value = this.readForm(undefined);
    if (value === NOTHING) this.fail(`#${tag} needs a value`, start);
    try {
      this.dispatched = reader(value, tag);
    } catch (error) {
      this.fail(`#${tag}: ${(error as Error).message}`, start);
    }
    return false;
  }

  private readItems<T extends unknown[]>(close: string, into: T): T {
    for (;;) {
      const item = this.readForm(close);
      if (item === NOTHING) return into;
      into.push(item);
    }
  }

  private readMap(start: number): Map<unknown, unknown> {
    const items = this.readItems('}', []);
    if (items.length % 2 !== 0) this.fail('a map needs an even number of forms', start);
    const map = new Map<unknown, unknown>();
    for (let i = 0; i < items.length; i += 2) {
      if (map.has(items[i])) this.fail(`duplicate map key ${String(items[i])}`, start);
      map.set(items[i], items[i + 1]);
    }
    return map;
  }

  private readString(): string {
    const text = this.text;
    const start = this.pos;
    this.pos++;
    let out = '';
    let chunk = this.pos;
    for (;;) {
      if (this.pos >= text.length) this.fail('unterminated string', start);
      const c = text[this.pos]!;
      if (c === '"') {
        out += text.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c === '\\') {
        out += text.slice(chunk, this.pos);
        const e = text[this.pos + 1];
        if (e === 'u') {
          const hex = text.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape in string');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
        } else {
          const escaped = e === undefined ? undefined : STRING_ESCAPES[e];
          if (escaped === undefined) this.fail(`unknown escape \\${e ?? ''} in string`);
          out += escaped;
          this.pos += 2;
        }
        chunk = this.pos;
      } else this.pos++;
    }
  }

  /** `#"..."`, as in Clojure: the text between the quotes is the pattern, backslashes kept. */
  private readRegex(start: number): RegExp {
    const text = this.text;
    let end = this.pos + 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    if (end >= text.length) this.fail('unterminated regular expression', start);
    const source = text.slice(this.pos + 1, end).replace(/\\"/g, '"');
    this.pos = end + 1;
    try {
      return new RegExp(source);
    } catch (error) {
      return this.fail(`invalid regular expression: ${(error as Error).message}`, start);
    }
  }

  private readChar(): string {
    const start = this.pos;
    this.pos++;
    // A char token is at least one character, even a delimiter: `\(`, `\ `.
    const first = this.text[this.pos];
    if (first === undefined) this.fail('expected a character after \\', start);
    this.pos++;
    const rest = this.readToken();
    const token = first + rest;
    if (token.length === 1) return token;
    const named = NAMED_CHARS[token];
    if (named !== undefined) return named;
    if (/^u[0-9a-fA-F]{4}$/.test(token)) return String.fromCharCode(parseInt(token.slice(1), 16));
    this.fail(`unknown character \\${token}`, start);
  }

  private readToken(): string {
    const text = this.text;
    const start = this.pos;
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === ',' || c === '\f' || DELIMITERS.has(c)) break;
      this.pos++;
    }
    return text.slice(start, this.pos);
  }

  private readAtom(): unknown {
    const start = this.pos;
    const token = this.readToken();
    if (token.length === 0) this.fail(`unexpected character ${this.text[start]}`, start);
    const c = token[0]!;
    if ((c >= '0' && c <= '9') || ((c === '-' || c === '+') && token.length > 1 && token[1]! >= '0' && token[1]! <= '9')) {
      return this.number(token, start);
    }
    if (c === ':') {
      if (token.length === 1 || token[1] === ':') this.fail(`invalid keyword ${token}`, start);
      if (token.endsWith('/')) this.fail(`invalid keyword ${token}`, start);
      return Keyword.of(token);
    }
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token.endsWith('/') && token !== '/') this.fail(`invalid symbol ${token}`, start);
    return Sym.of(token);
  }

  private number(token: string, start: number): number | bigint | Decimal {
    const integer = INTEGER.exec(token);
    if (integer !== null) {
      const [, sign, digits, big] = integer;
      const value = BigInt(`${sign}${digits}`);
      if (big === 'N' || value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return value;
      return Number(value);
    }
    const float = FLOAT.exec(token);
    if (float !== null) {
      if (float[4] === 'M') {
        if (float[3] !== undefined) this.fail(`exponent not supported in decimal ${token}`, start);
        return new Decimal(token.slice(0, -1));
      }
      return Number(token);
    }
    return this.fail(`invalid number ${token}`, start);
  }
}

/** Reads exactly one EDN form from `text`; anything after it other than whitespace/comments is an error. */
export function readEdn(text: string, options: ReadOptions = {}): unknown {
  const reader = new Reader(text, options);
  const value = reader.readForm(undefined);
  if (value === NOTHING) reader.fail('no form to read');
  if (!reader.atEnd()) reader.fail('unexpected input after the form');
  return value;
}

/** Reads every EDN form in `text`, in order. */
export function readEdnAll(text: string, options: ReadOptions = {}): unknown[] {
  const reader = new Reader(text, options);
  const forms: unknown[] = [];
  while (!reader.atEnd()) {
    const form = reader.readForm(undefined);
    if (form !== NOTHING) forms.push(form);
  }
  return forms;
}
