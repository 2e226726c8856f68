import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../examples/event-signup/src/csv.js';
import { escapeHtml, renderPage } from '../../examples/event-signup/src/page.js';
import { checkSignup } from '../../examples/event-signup/src/signup-input.js';

describe('checkSignup', () => {
  it('trims and collapses the name, trims the email', () => {
    expect(checkSignup({ name: '  Ada   Lovelace ', email: ' ada@example.com ' })).toEqual({
      ok: true,
      value: { name: 'Ada Lovelace', email: 'ada@example.com' },
    });
  });

  it.each([
    [{}, { name: 'name is required', email: 'email is required' }],
    [{ name: 'A', email: 'nope' }, { email: 'email is not a valid address' }],
    [{ name: 'x'.repeat(101), email: 'a@b.co' }, { name: 'name must be at most 100 characters' }],
    [{ name: 7, email: 'a@b.co' }, { name: 'name is required' }],
    [[1], { body: 'expected an object with name and email' }],
    [null, { body: 'expected an object with name and email' }],
  ])('refuses %j', (input, errors) => {
    expect(checkSignup(input)).toEqual({ ok: false, errors });
  });
});

describe('parseCsv', () => {
  it('reads quoted fields, escaped quotes, CRLF, a BOM and line numbers', () => {
    const text = '\uFEFFName,Email\r\n"Lovelace, Ada",ada@example.com\r\n"Grace ""Amazing"" Hopper",grace@example.com\r\n\r\n"Multi\nLine",m@example.com';
    expect(parseCsv(text)).toEqual([
      { line: 2, fields: { name: 'Lovelace, Ada', email: 'ada@example.com' } },
      { line: 3, fields: { name: 'Grace "Amazing" Hopper', email: 'grace@example.com' } },
      { line: 5, fields: { name: 'Multi\nLine', email: 'm@example.com' } },
    ]);
  });

  it('says where an unterminated quote starts', () => {
    expect(() => parseCsv('name,email\nok,a@b.co\n"broken,x@y.z\n')).toThrow('a quoted field in the record on line 3 never ends');
  });

  it('reads back whatever a writer quoting every field wrote', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é') });
    fc.assert(
      fc.property(fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 8 }), (rows) => {
        const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
        const text = ['name,email', ...rows.map(([n, e]) => `${quote(n)},${quote(e)}`)].join('\r\n');
        expect(parseCsv(text).map((r) => [r.fields.name, r.fields.email])).toEqual(rows);
      }),
    );
  });
});

describe('the page', () => {
  it('escapes what attendees typed', () => {
    const html = renderPage({ eventName: 'Meetup <3', capacity: 2, attendees: [{ name: '<script>alert(1)</script>', signedUpAt: new Date(0) }] });
    expect(html).toContain('<h1>Meetup &lt;3</h1>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('1 signed up, 1 of 2 seats left');
  });

  it('disables the form when the event is full and keeps what was typed after an error', () => {
    const html = renderPage({
      eventName: 'E',
      capacity: 1,
      attendees: [{ name: 'A', signedUpAt: new Date(0) }],
      errors: { email: 'email is not a valid address' },
      values: { name: 'B "quoted"', email: 'bad' },
    });
    expect(html).toContain('<button type="submit" disabled>The event is full</button>');
    expect(html).toContain('<li>email is not a valid address</li>');
    expect(html).toContain('value="B &quot;quoted&quot;"');
  });

  it('escapeHtml leaves no markup characters', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(escapeHtml(s)).not.toMatch(/[<>"']/);
      }),
    );
  });
});
