// Keywords and symbols are interned objects, so a keyword value can never be mistaken for a string
// value and identity comparison (===) is enough to tell two of them apart.

export class Keyword {
  private constructor(
    /** Namespace, without the colon: `person` for `:person/name`; undefined for `:name`. */
    readonly ns: string | undefined,
    readonly name: string,
  ) {}

  private static readonly interned = new Map<string, Keyword>();

  static of(text: string): Keyword {
    const key = text.startsWith(':') ? text.slice(1) : text;
    let found = Keyword.interned.get(key);
    if (found === undefined) {
      if (key.length === 0) throw new TypeError(`not a keyword: ${JSON.stringify(text)} (empty name)`);
      const slash = key.indexOf('/');
      found = slash > 0 && slash < key.length - 1 ? new Keyword(key.slice(0, slash), key.slice(slash + 1)) : new Keyword(undefined, key);
      Keyword.interned.set(key, found);
    }
    return found;
  }

  /** `ns/name` without the leading colon. */
  get fqn(): string {
    return this.ns === undefined ? this.name : `${this.ns}/${this.name}`;
  }

  toString(): string {
    return `:${this.fqn}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export class Sym {
  private constructor(readonly name: string) {}

  private static readonly interned = new Map<string, Sym>();

  static of(name: string): Sym {
    let found = Sym.interned.get(name);
    if (found === undefined) {
      if (name.length === 0) throw new TypeError('a symbol needs a name');
      found = new Sym(name);
      Sym.interned.set(name, found);
    }
    return found;
  }

  /** `?x` is a query variable. */
  get isVariable(): boolean {
    return this.name.startsWith('?');
  }

  toString(): string {
    return this.name;
  }

  toJSON(): string {
    return this.name;
  }
}

/** `kw(':person/name')` or `kw('person/name')`. */
export function kw(text: string): Keyword {
  return Keyword.of(text);
}

/** `sym('?e')`, `sym('_')`, `sym('$')`, `sym('count')`. */
export function sym(name: string): Sym {
  return Sym.of(name);
}
