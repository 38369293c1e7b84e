// Conformance: seeds stream. Types not declared are inferred from the first SAMPLE_ROWS rows,
// and a later value that does not fit makes the seed load again typed from every row, so the
// table is the one whole-file inference gives, on every engine. A file is never held in
// memory: a seed far larger than the JavaScript heap sf is given loads. Files PostgreSQL's COPY
// reads as they are (declared types) still follow sf's reading rules (BOM, CRLF, blank lines).
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SAMPLE_ROWS } from '../parser/seed-csv.js';
import { ENGINES, typeFamily } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { toInt, toScaled } from './values.js';

/** `id,v`: ids 1..n, v from `sampled` for the sample's rows, then `late` once, then `sampled` again. */
function lateValue(sampled: string, late: string, n = SAMPLE_ROWS + 50): string {
  const rows = ['id,v'];
  for (let id = 1; id <= n; id++) rows.push(`${id},${id === SAMPLE_ROWS + 20 ? late : sampled}`);
  return `${rows.join('\n')}\n`;
}

const LATE = SAMPLE_ROWS + 20;

describe.each(ENGINES)('streamed seeds on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let run: CliRun;
  afterAll(() => pool.disposeAll());

  beforeAll(async () => {
    p = await pool.create({
      files: {
        // Whole-file inference: text, decimal(18,1), text, integer, decimal(18,4), integer.
        'seeds/late_text.csv': lateValue('7', 'abc'),
        'seeds/late_decimal.csv': lateValue('7', '1.5'),
        'seeds/late_yes.csv': lateValue('true', 'yes'),
        'seeds/late_sparse.csv': lateValue('', '42'),
        'seeds/late_scale.csv': lateValue('2.50', '1.2345'),
        'seeds/all_fit.csv': lateValue('7', '-8'),
        // Declared types (COPY may read the file as it is): BOM and CRLF; blank lines; a `\.` line.
        'seeds/crlf.csv': '\uFEFFid,name\r\n1,a\r\n2,"b\r\nc"\r\n3,\r\n',
        'seeds/blank_lines.csv': 'id,name\n\n1,a\n\n\n2,""\n3,\n\n',
        'seeds/marker.csv': 'name\n\\.\nx\n',
      },
      config: {
        seeds: {
          columnTypes: {
            crlf: { id: 'integer', name: 'text' },
            blank_lines: { id: 'integer', name: 'text' },
            marker: { name: 'text' },
          },
        },
      },
    });
    run = await p.sf('seed');
  });

  it('loads every seed', () => {
    expect(run.code, run.text).toBe(0);
    expect(run.out.join('\n')).toMatch(/PASS=9 ERROR=0 SKIP=0 TOTAL=9/);
  });

  it('types a column from every row when a value past the sample does not fit', async () => {
    const late = async (seed: string) => (await p.query(`select cast(v as text) as v from ${p.sql(seed)} where id = ${LATE}`))[0]?.['v'];
    expect(await late('late_text')).toBe('abc');
    expect(await late('late_yes')).toBe('yes');
    expect(toScaled((await p.query(`select v from ${p.sql('late_decimal')} where id = ${LATE}`))[0]!['v'], 1)).toBe(15n);
    expect(toScaled((await p.query(`select v from ${p.sql('late_scale')} where id = ${LATE}`))[0]!['v'], 4)).toBe(12345n);
    expect(toScaled((await p.query(`select sum(v) as s from ${p.sql('late_scale')}`))[0]!['s'], 4)).toBe(BigInt(SAMPLE_ROWS + 49) * 25000n + 12345n);
    expect(toInt((await p.query(`select sum(v) as s from ${p.sql('late_sparse')}`))[0]!['s'])).toBe(42);
    for (const seed of ['late_text', 'late_decimal', 'late_yes', 'late_sparse', 'late_scale', 'all_fit']) {
      expect(toInt((await p.query(`select count(*) as n from ${p.sql(seed)}`))[0]!['n']), seed).toBe(SAMPLE_ROWS + 50);
    }
    if (engine === 'sqlite') {
      const kinds = await p.query(`select (select typeof(v) from ${p.sql('late_text')} where id = 1) as late_text,
        (select typeof(v) from ${p.sql('late_sparse')} where id = ${LATE}) as late_sparse,
        (select typeof(v) from ${p.sql('all_fit')} where id = 1) as all_fit`);
      expect(kinds[0]).toEqual({ late_text: 'text', late_sparse: 'integer', all_fit: 'integer' });
      return;
    }
    const family = async (seed: string) => typeFamily((await p.columns(p.rel(seed))).find((c) => c.name === 'v')!.type);
    expect(await family('late_text')).toBe('text');
    expect(await family('late_decimal')).toBe('decimal');
    expect(await family('late_yes')).toBe('text');
    expect(await family('late_sparse')).toBe('integer');
    expect(await family('late_scale')).toBe('decimal');
    expect(await family('all_fit')).toBe('integer');
  });

  it('reads declared-type files by the same rules as every engine: BOM, CRLF, blank lines, NULL and quoted empties', async () => {
    const rows = async (seed: string) => (await p.query(`select id, name from ${p.sql(seed)} order by id`)).map((r) => [toInt(r['id']), r['name']]);
    expect(await rows('crlf')).toEqual([[1, 'a'], [2, 'b\r\nc'], [3, null]]);
    expect(await rows('blank_lines')).toEqual([[1, 'a'], [2, ''], [3, null]]);
    expect((await p.query(`select name from ${p.sql('marker')} order by name`)).map((r) => r['name'])).toEqual(['\\.', 'x']);
  });

  it('a ragged row past what was read before the load fails the load with file:line, keeping the table', async () => {
    const header = 'id,name';
    p.write('seeds/crlf.csv', `${header}\n1,a\n2,b,extra\n`);
    const failed = await p.spawnSf(['seed', '--select', 'crlf']).done;
    expect(failed.code, failed.text).toBe(1);
    expect(failed.text).toContain("seeds/crlf.csv:3: the row does not have the header's 2 fields (quote a value that contains the delimiter)");
    expect(toInt((await p.query(`select count(*) as n from ${p.sql('crlf')}`))[0]!['n'])).toBe(3);
    // Past a value that sends the load back to type from every row: that pass names the line.
    p.write('seeds/late_text.csv', `${lateValue('7', 'abc')}1,2,3\n`);
    const late = await p.spawnSf(['seed', '--select', 'late_text']).done;
    expect(late.code, late.text).toBe(1);
    expect(late.text).toContain(`seeds/late_text.csv:${SAMPLE_ROWS + 52}: the row does not have the header's 2 fields`);
    expect(toInt((await p.query(`select count(*) as n from ${p.sql('late_text')}`))[0]!['n'])).toBe(SAMPLE_ROWS + 50);
  });

  it('loads a seed larger than the JavaScript heap sf runs with: nothing holds the file', async () => {
    // ~48 MB in 200,000 rows against a 32 MB heap: read whole (as sf once did), it cannot fit; streamed,
    // sf's own modules and compiled templates (about 20 MB) leave room.
    const path = join(p.dir, 'seeds/wide.csv');
    const fd = openSync(path, 'w');
    const pad = 'x'.repeat(230);
    writeSync(fd, 'id,note,label\n');
    for (let block = 0; block < 200; block++) {
      let text = '';
      for (let i = 1; i <= 1000; i++) text += `${block * 1000 + i},${pad},"q""${i % 7}"\n`;
      writeSync(fd, text);
    }
    closeSync(fd);
    const loaded = await p.spawnSf(['seed', '--select', 'wide'], { NODE_OPTIONS: '--max-old-space-size=32' }).done;
    expect(loaded.code, loaded.text).toBe(0);
    const [r] = await p.query(`select count(*) as n, sum(id) as s, count(distinct label) as labels from ${p.sql('wide')}`);
    expect([toInt(r!['n']), toInt(r!['s']), toInt(r!['labels'])]).toEqual([200_000, 200_000 * 200_001 / 2, 7]);
  });
});
