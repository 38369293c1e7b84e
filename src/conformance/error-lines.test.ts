// An engine's error names a line of the statement it ran, which wraps the model's SQL; sf
// moves it to the line of target/compiled/ (the file the error points at), with the caret
// under the right character. DuckDB and PostgreSQL name lines; SQLite does not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ProjectPool } from './harness.js';

const TABLE = "{{ config(materialized='table') }}\n-- one\n-- two\nselect\n  1 as a,\n  no_such_column as c\nfrom (select 1 as x) as t\n";
const VIEW = 'select\n  1 as a,\n  no_such_column as c\nfrom (select 1 as x) as t\n';

describe.each(['duckdb', 'postgres'] as const)('error lines on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('point at the line of the compiled SQL file, for a table and a view', async () => {
    const p = await pool.create({ files: { 'models/t.sql': TABLE, 'models/v.sql': VIEW } });
    const run = await p.spawnSf(['run']).done;
    expect(run.code).toBe(1);
    for (const model of ['t', 'v']) {
      const compiled = readFileSync(join(p.dir, `target/compiled/conformance/models/${model}.sql`), 'utf8').split('\n');
      const line = compiled.findIndex((l) => l.includes('no_such_column')) + 1;
      const section = run.text.slice(run.text.indexOf(`Model '${model}'`));
      const pointer = `  line ${line} of the compiled SQL:   no_such_column as c`;
      expect(section, run.text).toContain(`${pointer}\n${' '.repeat(pointer.indexOf('no_such_column'))}^\n  compiled SQL: target/compiled/conformance/models/${model}.sql`);
    }
  });
});
