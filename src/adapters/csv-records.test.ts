import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quotedFields, readCsvRecords, type CsvRecord } from './csv-records.js';

const dir = mkdtempSync(join(tmpdir(), 'sf-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(text: string, columns: string[], delimiter = ','): Promise<CsvRecord[]> {
  const path = join(dir, `f${Math.random().toString(16).slice(2)}.csv`);
  writeFileSync(path, text);
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(path, delimiter, columns)) out.push(r);
  return out;
}

describe('readCsvRecords', () => {
  it("reads NULL for an unquoted empty field and '' for a quoted one", async () => {
    const rows = await read('a,b,c\n1,,""\n"",x,\n', ['a', 'b', 'c']);
    expect(rows.map((r) => r.cells)).toEqual([['1', null, ''], ['', 'x', null]]);
  });

  it('keeps quotes, delimiters, newlines and unicode inside quoted fields', async () => {
    const rows = await read('a,b\n"say ""hi""","x, y"\n"two\nlines",José Núñez 🚀\n', ['a', 'b']);
    expect(rows.map((r) => r.cells)).toEqual([['say "hi"', 'x, y'], ['two\nlines', 'José Núñez 🚀']]);
  });

  it('counts file lines across blank lines, CRLF and multi-line fields', async () => {
    const lf = await read('a,b\n1,x\n\n2,"p\nq"\n3,\n', ['a', 'b']);
    expect(lf.map((r) => r.line)).toEqual([2, 4, 6]);
    const crlf = await read('a,b\r\n1,x\r\n\r\n2,"p\r\nq"\r\n3,""', ['a', 'b']);
    expect(crlf.map((r) => r.line)).toEqual([2, 4, 6]);
    expect(crlf.map((r) => r.cells)).toEqual([['1', 'x'], ['2', 'p\r\nq'], ['3', '']]);
  });

  it('strips a BOM and reads another delimiter', async () => {
    const rows = await read('\uFEFFa;b\n1;""\n2;\n', ['a', 'b'], ';');
    expect(rows.map((r) => r.cells)).toEqual([['1', ''], ['2', null]]);
  });

  it('yields nothing for a header-only file', async () => {
    expect(await read('a,b\n', ['a', 'b'])).toEqual([]);
  });

  it('refuses a header that is not the planned columns', async () => {
    await expect(read('a,c\n1,2\n', ['a', 'b'])).rejects.toThrow(/not the planned columns/);
  });
});

describe('quotedFields', () => {
  it('tells which fields start with a quote', () => {
    expect(quotedFields('1,"",,"a,""b"",c",x', ',')).toEqual([false, true, false, true, false]);
    expect(quotedFields('"",', ',')).toEqual([true, false]);
    expect(quotedFields('x\t""', '\t')).toEqual([false, true]);
  });
});
