// A seed value its column's type refuses, or a row of the wrong shape, reads the same on every engine:
// `seeds/people.csv:5: column joined_on (date): 'not-a-date' is not a valid date`, with the
// file as the project names it, whichever engine found it (SQLite's converter, DuckDB's
// read_csv, PostgreSQL's COPY), never the engine's own dump or a machine path.

/** The kind of value a column type takes, as a message says it. */
export function valueKind(type: string): string {
  const t = type.trim().toLowerCase();
  if (/^(integer|int\d?|bigint|smallint|tinyint|hugeint|ubigint|uinteger)$/.test(t)) return 'integer';
  if (/^(decimal|numeric)\b/.test(t)) return 'decimal';
  if (/^(double|double precision|real|float\d?)$/.test(t)) return 'number';
  if (/^bool(ean)?$/.test(t)) return 'boolean';
  if (/^timestamp|^datetime/.test(t)) return 'timestamp';
  return t;
}

export function badSeedValue(file: string, line: number | undefined, column: string, type: string, value: string): string {
  return `${at(file, line)}: column ${column} (${type}): '${value}' is not a valid ${valueKind(type)}`;
}

/** A row whose field count is not the header's. */
export function raggedRow(file: string, line: number | undefined, width: number): string {
  return `${at(file, line)}: ${raggedText(width)}`;
}

export function raggedText(width: number): string {
  return `the row does not have the header's ${width} field${width === 1 ? '' : 's'} (quote a value that contains the delimiter)`;
}

/** A quote opened and never closed: the engine names the line where it gave up. */
export function unclosedQuote(file: string, line: number | undefined): string {
  return `${at(file, line)}: ${UNCLOSED_TEXT}`;
}

export const UNCLOSED_TEXT = 'a quoted value is not closed (an unbalanced quote)';

function at(file: string, line: number | undefined): string {
  return `${file}${line ? `:${line}` : ''}`;
}
