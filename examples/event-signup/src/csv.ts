// A small RFC 4180 reader: quoted fields may hold commas, quotes ("") and line breaks; lines end in
// LF or CRLF. The first row names the columns.

export interface CsvRow {
  /** 1-based line of the row's first character in the file, for error messages. */
  line: number;
  fields: Record<string, string>;
}

export function parseCsv(text: string): CsvRow[] {
  const records = readRecords(text.replace(/^\uFEFF/, ''));
  const header = records.shift();
  if (header === undefined) return [];
  const columns = header.values.map((c) => c.trim().toLowerCase());
  return records
    .filter((r) => !(r.values.length === 1 && r.values[0] === ''))
    .map((r) => ({ line: r.line, fields: Object.fromEntries(columns.map((c, i) => [c, r.values[i] ?? ''])) }));
}

interface RawRecord {
  line: number;
  values: string[];
}

function readRecords(text: string): RawRecord[] {
  const records: RawRecord[] = [];
  let values: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      values.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      values.push(field);
      records.push({ line: recordLine, values });
      values = [];
      field = '';
      recordLine = ++line;
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error(`CSV: a quoted field in the record on line ${recordLine} never ends`);
  if (field !== '' || values.length > 0) {
    values.push(field);
    records.push({ line: recordLine, values });
  }
  return records;
}

/** One CSV line (CRLF-terminated) of `fields`, quoted where a field holds a comma, a quote or a line break. */
export function csvLine(fields: readonly string[]): string {
  return fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(',') + '\r\n';
}
