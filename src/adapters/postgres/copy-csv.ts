// Feeding a seed CSV to PostgreSQL's COPY. When PostgreSQL reads the file exactly as sf's
// reading rules do (csv-records.ts), the file's own bytes are streamed: COPY's CSV format
// already takes an unquoted empty field as NULL and a quoted one as ''. Otherwise (blank lines,
// which COPY would read as rows; a multi-character delimiter; a `\.` line; types to check
// against a sample) records are parsed in JavaScript and re-sent as canonical CSV.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { readCsvRecords, sampleChecks, type Cell } from '../csv-records.js';
import type { CsvLoad } from '../types.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Byte runs that COPY would read differently from sf: blank lines and the end-of-data marker. */
const DIFFERENT = ['\n\n', '\r\r', '\n\r\n', '\n\\.'].map((s) => Buffer.from(s));

export interface CopySource {
  readonly source: Readable;
  /** The COPY options after `format csv`. */
  readonly options: string;
  /** The file's line for a line number in COPY's error context. */
  readonly fileLine: (copyLine: number) => number | undefined;
}

export async function copySource(load: CsvLoad): Promise<CopySource> {
  const start = load.sampled?.length ? undefined : await asIsFrom(load.path, load.delimiter);
  if (start !== undefined) {
    const delimiter = `'${load.delimiter.replace(/'/g, "''")}'`;
    return { source: createReadStream(load.path, { start }), options: `, header true, delimiter ${delimiter}`, fileLine: (n) => n };
  }
  const lines = new LineMap();
  const records = readCsvRecords(load.path, load.delimiter, load.columns.map((c) => c.name), load.file);
  return { source: Readable.from(csvChunks(records, lines, sampleChecks(load))), options: '', fileLine: (n) => lines.fileLine(n) };
}

/**
 * The byte offset COPY can read the file from as it is (after a BOM), or undefined when its
 * reading would differ from sf's. One pass of Buffer.indexOf, far cheaper than parsing.
 */
async function asIsFrom(path: string, delimiter: string): Promise<number | undefined> {
  if (Buffer.byteLength(delimiter) !== 1 || /["\r\n\\]/.test(delimiter)) return undefined;
  const file = await open(path);
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    let start: number | undefined;
    for (let position = 0; ; ) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return start ?? 0;
      let window = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      if (start === undefined) {
        start = window.subarray(0, 3).equals(BOM) ? 3 : 0;
        window = window.subarray(start);
        // A blank first line, or a quoted header that may span lines: parse instead.
        const headerEnd = window.findIndex((b) => b === 0x0a || b === 0x0d);
        if (headerEnd === 0 || window.subarray(0, headerEnd < 0 ? undefined : headerEnd).includes(0x22)) return undefined;
      }
      if (DIFFERENT.some((pattern) => window.includes(pattern))) return undefined;
      carry = window.subarray(-3);
      position += bytesRead;
    }
  } finally {
    await file.close();
  }
}

/** COPY line numbers to file lines, as breakpoints where the two stop moving together. */
class LineMap {
  readonly #copyLines: number[] = [];
  readonly #offsets: number[] = [];
  #next = 1;

  /** One record sent as `copyLines` lines, starting on file line `fileLine`. */
  add(fileLine: number, copyLines: number): void {
    const offset = fileLine - this.#next;
    if (this.#offsets.at(-1) !== offset) {
      this.#copyLines.push(this.#next);
      this.#offsets.push(offset);
    }
    this.#next += copyLines;
  }

  fileLine(copyLine: number): number | undefined {
    if (copyLine >= this.#next) return undefined;
    let i = this.#copyLines.length - 1;
    while (i > 0 && this.#copyLines[i]! > copyLine) i--;
    return i < 0 ? undefined : copyLine + this.#offsets[i]!;
  }
}

/** CSV records as canonical CSV text for COPY: NULL unquoted and empty, every value quoted. */
async function* csvChunks(
  records: AsyncIterable<{ cells: readonly Cell[]; line: number }>,
  lines: LineMap,
  check: ((cells: readonly Cell[]) => void) | undefined,
): AsyncGenerator<string> {
  let chunk = '';
  for await (const record of records) {
    check?.(record.cells);
    const row = record.cells.map((v) => (v === null ? '' : `"${v.replace(/"/g, '""')}"`)).join(',');
    // COPY numbers the lines it reads, counting a newline inside a quoted value as a line.
    let copyLines = 1;
    for (let i = row.indexOf('\n'); i >= 0; i = row.indexOf('\n', i + 1)) copyLines++;
    lines.add(record.line, copyLines);
    chunk += `${row}\n`;
    if (chunk.length >= 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
