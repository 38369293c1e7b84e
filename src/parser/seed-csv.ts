// Read a seed CSV: check its shape (header, ragged rows) and infer a portable type per column,
// so every engine gets the same table. Declared `seeds.columnTypes` win over inference.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ColumnSpec } from '../adapters/types.js';
import { UserError } from '../util/errors.js';
import type { SeedNode } from './nodes.js';

export interface SeedTable {
  readonly columns: readonly ColumnSpec[];
  readonly rowCount: number;
}

type Cell = string | null;

export function inspectSeed(projectDir: string, seed: SeedNode, delimiter: string): SeedTable {
  let records: Cell[][];
  try {
    records = parse(readFileSync(join(projectDir, seed.path), 'utf8'), {
      delimiter,
      bom: true,
      skip_empty_lines: true,
    }) as Cell[][];
  } catch (err) {
    const e = err as Error & { lines?: number; code?: string };
    const ragged = e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH';
    throw new UserError('SEED_CSV', ragged ? `row has the wrong number of fields: ${e.message.replace(/ on line \d+$/, '')}` : e.message, {
      location: { file: seed.path, line: e.lines },
      hint: ragged
        ? 'every row needs as many fields as the header; quote fields that contain the delimiter'
        : 'fix the CSV syntax (unbalanced quotes?)',
    });
  }
  const [header, ...rows] = records;
  if (!header) {
    throw new UserError('SEED_CSV', 'the file is empty; a seed needs at least a header row', { location: { file: seed.path, line: 1 } });
  }
  const names = header.map((h) => (h ?? '').trim());
  names.forEach((name, i) => {
    if (!name) throw new UserError('SEED_CSV', `header column ${i + 1} has no name`, { location: { file: seed.path, line: 1 } });
    if (names.indexOf(name) !== i) {
      throw new UserError('SEED_CSV', `header names column '${name}' twice`, { location: { file: seed.path, line: 1 } });
    }
  });
  for (const declared of Object.keys(seed.columnTypes)) {
    if (!names.includes(declared)) {
      throw new UserError('SEED_CSV', `seeds.columnTypes.${seed.name}.${declared}: the CSV has no column '${declared}'`, {
        location: { file: seed.path, line: 1 },
        hint: `its columns are: ${names.join(', ')}`,
      });
    }
  }
  const columns = names.map((name, i) => ({
    name,
    type: seed.columnTypes[name] ?? inferType(rows.map((r) => r[i] ?? null)),
  }));
  return { columns, rowCount: rows.length };
}

const INT = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d*)\.(\d+)$/;
const DOUBLE = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const BOOL = /^(true|false)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;

/** The narrowest portable type that holds every non-empty value. */
export function inferType(values: readonly Cell[]): string {
  const present = values.filter((v): v is string => v !== null && v !== '');
  if (present.length === 0) return 'text';
  const all = (re: RegExp) => present.every((v) => re.test(v));
  if (all(BOOL)) return 'boolean';
  if (all(INT)) {
    const fits32 = present.every((v) => Math.abs(Number(v)) <= 2_147_483_647);
    const fits64 = present.every((v) => BigInt(v) <= 9_223_372_036_854_775_807n && BigInt(v) >= -9_223_372_036_854_775_808n);
    return fits32 ? 'integer' : fits64 ? 'bigint' : 'decimal(38,0)';
  }
  if (present.every((v) => INT.test(v) || DECIMAL.test(v))) {
    let intDigits = 1;
    let scale = 0;
    for (const v of present) {
      const [whole = '', frac = ''] = v.replace(/^[-+]/, '').split('.');
      intDigits = Math.max(intDigits, whole.replace(/^0+(?=\d)/, '').length);
      scale = Math.max(scale, frac.length);
    }
    if (intDigits + scale <= 18) return `decimal(18,${scale})`;
    if (intDigits + scale <= 38) return `decimal(38,${scale})`;
  }
  if (all(DOUBLE)) return 'double';
  if (all(DATE) && present.every(isRealDate)) return 'date';
  if (all(TIMESTAMP) && present.every(isRealDate)) return 'timestamp';
  return 'text';
}

function isRealDate(v: string): boolean {
  const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
