// Stream a seed CSV record by record, with the same reading rules as the seed inspector
// (src/parser/seed-csv.ts): BOM stripped, blank lines skipped, an unquoted empty field is
// NULL and a quoted empty field is ''. The header row is checked against the planned columns
// and not yielded. Shared by the SQLite and PostgreSQL loaders.
//
// Speed: csv-parse's `cast` callback (the inspector's way to tell "" from an empty field)
// costs ~50 µs a row (10 s for 200,000 rows here) and its `info` option doubles the parse
// time; `raw` is nearly free. So records are parsed plainly with `raw`, and only a record
// that has an empty field has its raw text scanned to tell quoted from unquoted empties;
// line numbers are counted from the raw text too.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { fitsInferred, SampleTooNarrow, type Cell } from './seed-types.js';
import { raggedRow, unclosedQuote } from './seed-errors.js';
import type { CsvLoad } from './types.js';

export type { Cell } from './seed-types.js';

export interface CsvRecord {
  readonly cells: readonly Cell[];
  /** 1-based line of the file the record starts on. */
  readonly line: number;
}

const TERMINATOR = /\r\n|\r|\n/g;
const LEADING_TERMINATORS = /^(?:\r\n|\r|\n)+/;

export async function* readCsvRecords(path: string, delimiter: string, columns: readonly string[], file = path): AsyncGenerator<CsvRecord> {
  const parser = createReadStream(path).pipe(parse({ delimiter, bom: true, skip_empty_lines: true, raw: true }));
  let header = true;
  let linesBefore = 0;
  for await (const item of shapeErrors(parser as AsyncIterable<{ record: string[]; raw: string }>, file, columns.length)) {
    const { record, raw } = item;
    const leading = LEADING_TERMINATORS.exec(raw)?.[0] ?? '';
    const line = linesBefore + countTerminators(leading) + 1;
    linesBefore += countTerminators(raw);
    if (header) {
      header = false;
      const names = record.map((h) => h.trim());
      if (names.length !== columns.length || names.some((n, i) => n !== columns[i])) {
        throw new Error(`${path}: the header (${names.join(', ')}) is not the planned columns (${columns.join(', ')}); did the file change while sf ran?`);
      }
      continue;
    }
    if (!record.includes('')) {
      yield { cells: record, line };
      continue;
    }
    const quoted = quotedFields(raw.slice(leading.length), delimiter);
    yield { cells: record.map((v, i) => (v === '' && !quoted[i] ? null : v)), line };
  }
}

/** csv-parse's errors about the file's shape, worded as on every engine (seed-errors.ts). */
async function* shapeErrors<T>(records: AsyncIterable<T>, file: string, width: number): AsyncGenerator<T> {
  try {
    yield* records;
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number };
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') throw new Error(raggedRow(file, e.lines, width), { cause: err });
    if (e.code === 'CSV_QUOTE_NOT_CLOSED') throw new Error(unclosedQuote(file, e.lines), { cause: err });
    throw err;
  }
}

function countTerminators(text: string): number {
  return text.match(TERMINATOR)?.length ?? 0;
}

/** Which fields of one record's raw text start with a quote (RFC 4180, `"` quotes and escapes). */
export function quotedFields(raw: string, delimiter: string): boolean[] {
  const quoted: boolean[] = [];
  let i = 0;
  for (;;) {
    if (raw[i] === '"') {
      quoted.push(true);
      i++;
      for (; i < raw.length; i++) {
        if (raw[i] !== '"') continue;
        if (raw[i + 1] === '"') i++;
        else break;
      }
    } else {
      quoted.push(false);
    }
    const next = raw.indexOf(delimiter, i);
    if (next < 0) return quoted;
    i = next + delimiter.length;
  }
}

/**
 * For a load with sampled columns, a check of one record's cells that throws SampleTooNarrow
 * at a value outside its column's sampled type; undefined when nothing was sampled.
 */
export function sampleChecks(load: CsvLoad): ((cells: readonly Cell[]) => void) | undefined {
  const checks = (load.sampled ?? []).map((c) => ({ name: c.name, index: load.columns.findIndex((col) => col.name === c.name), fits: fitsInferred(c.rule) }));
  if (checks.length === 0) return undefined;
  return (cells) => {
    for (const check of checks) if (!check.fits(cells[check.index] ?? null)) throw new SampleTooNarrow(check.name);
  };
}
