import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keyword, kw, sym } from '../../../runtime/db/edn-names.js';
import { EdnList, EdnSyntaxError, isList, list, printEdn, readEdn, readEdnAll } from '../../../runtime/db/edn/index.js';
import { Decimal, Uuid } from '../../../runtime/db/scalar-types.js';

describe('readEdn', () => {
  it('reads scalars', () => {
    expect(readEdn('nil')).toBe(null);
    expect(readEdn('true')).toBe(true);
    expect(readEdn('false')).toBe(false);
    expect(readEdn('42')).toBe(42);
    expect(readEdn('-7')).toBe(-7);
    expect(readEdn('+7')).toBe(7);
    expect(readEdn('1.5')).toBe(1.5);
    expect(readEdn('-2.5e3')).toBe(-2500);
    expect(readEdn('##Inf')).toBe(Infinity);
    expect(readEdn('##NaN')).toBeNaN();
  });

  it('reads big and exact numbers', () => {
    expect(readEdn('9007199254740993')).toBe(9007199254740993n);
    expect(readEdn('-9007199254740993')).toBe(-9007199254740993n);
    expect(readEdn('5N')).toBe(5n);
    const d = readEdn('1.50M');
    expect(d).toBeInstanceOf(Decimal);
    expect(String(d)).toBe('1.5');
  });

  it('reads strings with escapes and chars', () => {
    expect(readEdn('"a\\"b\\\\c\\nd\\te\\u0041"')).toBe('a"b\\c\nd\teA');
    expect(readEdn('\\a')).toBe('a');
    expect(readEdn('[\\newline \\space \\tab \\u0042 \\(]')).toEqual(['\n', ' ', '\t', 'B', '(']);
  });

  it('reads keywords and symbols, including symbols with several slashes', () => {
    expect(readEdn(':person/name')).toBe(kw(':person/name'));
    expect((readEdn(':a.b/c') as Keyword).ns).toBe('a.b');
    expect(readEdn('?e')).toBe(sym('?e'));
    expect(readEdn('src/fns.isAdult')).toBe(sym('src/fns.isAdult'));
    expect(readEdn('a/b/c')).toBe(sym('a/b/c'));
    expect(readEdn('/')).toBe(sym('/'));
  });

  it('tells lists from vectors', () => {
    const v = readEdn('[1 (2 3)]') as unknown[];
    expect(Array.isArray(v)).toBe(true);
    expect(isList(v)).toBe(false);
    expect(isList(v[1])).toBe(true);
    expect([...(v[1] as EdnList)]).toEqual([2, 3]);
    expect(isList((v[1] as EdnList).map((x) => x))).toBe(false);
  });

  it('reads maps and sets', () => {
    const m = readEdn('{:a 1, "b" [2]}') as Map<unknown, unknown>;
    expect(m).toBeInstanceOf(Map);
    expect(m.get(kw(':a'))).toBe(1);
    expect(m.get('b')).toEqual([2]);
    expect(readEdn('#{1 2 :x}')).toEqual(new Set([1, 2, kw(':x')]));
  });

  it('skips comments, commas and discarded forms', () => {
    expect(readEdn('[1 ; comment\n #_ 2 #_[3 4] 5,6]')).toEqual([1, 5, 6]);
    expect(readEdnAll('1 #_2')).toEqual([1]);
    expect(readEdnAll(' 1 :a "s" ')).toEqual([1, kw(':a'), 's']);
  });

  it('reads #inst and #uuid tagged literals and custom tags', () => {
    expect(readEdn('#inst "2024-01-02T03:04:05.000Z"')).toEqual(new Date('2024-01-02T03:04:05.000Z'));
    const u = readEdn('#uuid "6F1B2C3D-0000-4000-8000-000000000001"');
    expect(u).toBeInstanceOf(Uuid);
    expect(String(u)).toBe('6f1b2c3d-0000-4000-8000-000000000001');
    expect(readEdn('#my/tag 5', { tags: { 'my/tag': (v) => (v as number) * 2 } })).toBe(10);
  });

  it('reads regular expression literals', () => {
    const re = readEdn('#"^I\\d+\\"x"') as RegExp;
    expect(re).toBeInstanceOf(RegExp);
    expect(re.test('I12"x')).toBe(true);
    expect(re.test('J12"x')).toBe(false);
    expect((readEdn(printEdn(re)) as RegExp).source).toBe(re.source);
  });

  it('reports errors with line and column', () => {
    const at = (text: string) => {
      try {
        readEdn(text);
      } catch (error) {
        expect(error).toBeInstanceOf(EdnSyntaxError);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(at('[1 2')).toMatch(/unexpected end of input, expected \] at 1:5/);
    expect(at('[1\n 2)')).toMatch(/unmatched \) at 2:3/);
    expect(at('"abc')).toMatch(/unterminated string at 1:1/);
    expect(at('{:a}')).toMatch(/even number of forms at 1:1/);
    expect(at('#foo 1')).toMatch(/no reader for tag #foo at 1:1/);
    expect(at('#inst "nope"')).toMatch(/#inst: not a timestamp/);
    expect(at('12abc')).toMatch(/invalid number 12abc at 1:1/);
    expect(at('1 2')).toMatch(/unexpected input after the form at 1:3/);
    expect(at('"\\q"')).toMatch(/unknown escape/);
    expect(at('#{1 1}')).toMatch(/duplicate set element/);
    expect(at('#"(a"')).toMatch(/invalid regular expression.* at 1:1/);
    expect(at('#"abc')).toMatch(/unterminated regular expression at 1:1/);
  });
});

describe('printEdn', () => {
  it('prints values readEdn reads back', () => {
    const leaf = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.bigInt({ min: 2n ** 60n, max: 2n ** 70n }),
      fc.stringMatching(/^[a-z][a-z0-9.-]{0,6}(\/[a-z][a-z0-9-]{0,6})?$/).map((s) => kw(s)),
      fc.stringMatching(/^\?[a-z][a-z0-9-]{0,6}$/).map((s) => sym(s)),
      fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ maxDepth: 3 }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.array(tie('node'), { maxLength: 4 }).map((xs) => list(...xs))),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const back = readEdn(printEdn(v));
        expect(printEdn(back)).toBe(printEdn(v));
      }),
      { numRuns: 200 },
    );
  });
});
