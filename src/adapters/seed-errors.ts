// A seed value its column's type refuses reads the same on every engine:
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
  return `${file}${line ? `:${line}` : ''}: column ${column} (${type}): '${value}' is not a valid ${valueKind(type)}`;
}
