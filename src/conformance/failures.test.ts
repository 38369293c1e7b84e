// Conformance: a model whose SQL fails rolls back cleanly. The previous relation keeps its
// rows, descendants are skipped, unrelated models still build, nothing half-built is left,
// and the report names the model, quotes the engine and points at the compiled SQL, in the
// same shape on every engine.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EngineName } from '../config/types.js';
import { ENGINES } from './engines.js';
import { PROJECT_NAME, ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { toInt } from './values.js';

const FILES: Record<string, string> = {
  'seeds/src.csv': 'id\n1\n2\n3\n',
  'models/flaky.sql': "{{ config(materialized='table') }}\nselect id, id * 2 as doubled from {{ ref('src') }}",
  'models/downstream.sql': "{{ config(materialized='view') }}\nselect id, doubled from {{ ref('flaky') }}",
  'models/downstream_table.sql': "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('downstream') }}",
  'models/independent.sql': "{{ config(materialized='table') }}\nselect 1 as version",
  'models/flaky_view.sql': "{{ config(materialized='view') }}\nselect id from {{ ref('src') }}",
};
const RELATIONS = ['src', 'flaky', 'downstream', 'downstream_table', 'independent', 'flaky_view'];

/** What each engine says about an unknown column. */
const ENGINE_TEXT: Record<EngineName, RegExp> = {
  duckdb: /Binder Error: .*no_such_column/,
  sqlite: /no such column: no_such_column/,
  postgres: /column "no_such_column" does not exist/,
};

/** The failure report with the engine's own words, schemas and timings taken out. */
function reportShape(run: CliRun): string[] {
  const lines = run.out.map((l) => l
    // Relations as each engine names them: `main.flaky`, `"schema"."flaky"`; SQLite `flaky`.
    .replace(/(?<=[\s(])(?:[^\s(]+\.)?(flaky_view|flaky|downstream_table|downstream|independent|src)\b(?!\.sql)/g, '<schema>.$1')
    .replace(/\d+\.\d+s/g, 'N.NNs')
    .replace(/\.{3,}/g, '...'));
  const shape: string[] = [];
  let inError = false;
  for (const line of lines.slice(lines.findIndex((l) => l.startsWith('Completed with')))) {
    if (/^Model '.*' \(.*\) failed:$/.test(line)) {
      inError = true;
      shape.push(line, '  <engine error>');
    } else if (line.startsWith('  compiled SQL: ')) {
      inError = false;
      shape.push(line);
    } else if (!inError) shape.push(line);
  }
  const events = lines.filter((l) => / (ERROR|SKIP) /.test(l)).map((l) => l.replace(/^\d+ of \d+ /, '')).sort();
  return [...events, ...shape];
}

const shapes = new Map<EngineName, string[]>();

describe.each(ENGINES)('a failing model on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let first: CliRun;
  let failed: CliRun;

  beforeAll(async () => {
    p = await pool.create({ files: FILES });
    first = await p.sf('build');
    if (first.code !== 0) return;
    p.write('models/flaky.sql', "{{ config(materialized='table') }}\nselect id, no_such_column from {{ ref('src') }}");
    p.write('models/independent.sql', "{{ config(materialized='table') }}\nselect 2 as version");
    failed = await p.sf('build');
  });
  afterAll(() => pool.disposeAll());

  it('builds the project once (exit 0)', () => {
    expect(first.code, first.text).toBe(0);
  });

  it('exits 1 when the changed SQL fails', () => {
    expect(failed?.code, failed?.text).toBe(1);
    expect(failed.out.join('\n')).toMatch(/PASS=3 ERROR=1 SKIP=2 TOTAL=6/);
  });

  it('keeps the previous table and its rows', async () => {
    expect(await p.kindOf(p.rel('flaky'))).toBe('table');
    const rows = await p.query(`select id, doubled from ${p.sql('flaky')} order by id`);
    expect(rows.map((r) => [toInt(r['id']), toInt(r['doubled'])])).toEqual([[1, 2], [2, 4], [3, 6]]);
    // The view on it still answers.
    const view = await p.query(`select count(*) as n from ${p.sql('downstream')}`);
    expect(toInt(view[0]!['n'])).toBe(3);
  });

  it('reports the descendants as skipped and still builds independent models', async () => {
    const out = failed.out.join('\n');
    expect(out).toMatch(/SKIP view \S*downstream\b/);
    expect(out).toMatch(/SKIP table \S*downstream_table\b/);
    expect(out).toMatch(/OK table \S*independent\b/);
    const [r] = await p.query(`select version from ${p.sql('independent')}`);
    expect(toInt(r!['version'])).toBe(2);
  });

  it('names the model, quotes the engine and points at the compiled SQL', () => {
    const out = failed.out.join('\n');
    expect(out).toMatch(/ERROR table \S*flaky\b/);
    expect(out).toMatch(/Model 'flaky' \(\S*flaky\) failed:/);
    expect(out).toMatch(ENGINE_TEXT[engine]);
    const compiled = `target/compiled/${PROJECT_NAME}/models/flaky.sql`;
    expect(out).toContain(`compiled SQL: ${compiled}`);
    expect(p.read(compiled)).toContain('no_such_column');
    shapes.set(engine, reportShape(failed));
  });

  it('leaves no staging relation behind', async () => {
    expect(await p.unexpectedRelations(RELATIONS.map((n) => p.rel(n)))).toEqual([]);
  });

  it('keeps the previous view when a view model fails', async () => {
    p.write('models/flaky_view.sql', "{{ config(materialized='view') }}\nselect no_such_column from {{ ref('src') }}");
    const run = await p.sf('run', '--select', 'flaky_view');
    expect(run.code, run.text).toBe(1);
    expect(run.out.join('\n')).toMatch(ENGINE_TEXT[engine]);
    expect(await p.kindOf(p.rel('flaky_view'))).toBe('view');
    const rows = await p.query(`select id from ${p.sql('flaky_view')} order by id`);
    expect(rows.map((r) => toInt(r['id']))).toEqual([1, 2, 3]);
  });
});

describe('a failing model, across engines', () => {
  it('is reported in the same shape on every engine', () => {
    const [reference, ...others] = ENGINES;
    expect(shapes.get(reference), `no report from ${reference}`).toBeDefined();
    expect(shapes.get(reference)).toMatchInlineSnapshot(`
      [
        "ERROR table <schema>.flaky ... [ERROR in N.NNs]",
        "SKIP table <schema>.downstream_table ... [SKIP]",
        "SKIP view <schema>.downstream ... [SKIP]",
        "Completed with 1 error:",
        "",
        "Model 'flaky' (<schema>.flaky) failed:",
        "  <engine error>",
        "  compiled SQL: target/compiled/conformance/models/flaky.sql",
        "",
        "Done. PASS=3 ERROR=1 SKIP=2 TOTAL=6",
      ]
    `);
    for (const engine of others) {
      expect(shapes.get(engine), `the report on ${engine} differs from ${reference}'s`).toEqual(shapes.get(reference));
    }
  });
});
