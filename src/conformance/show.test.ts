// `sf show` on every engine, as a user runs it (the built CLI, a subprocess): a model's rows
// as a table, an inline query with ref(), JSON, --limit; an input that is not built yet gets
// "build it first" (and so does sf run of a model reading it); a bad query fails with exit 1;
// nothing is written.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ProjectPool } from './harness.js';

const FILES = {
  'models/people.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'Ada' as name union all select 2, 'Grace' union all select 3, null",
  'models/named.sql': "select id, name from {{ ref('people') }} where name is not null -- a trailing comment",
  'models/unbuilt.sql': "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('people') }}",
  'models/reads_unbuilt.sql': "select n from {{ ref('unbuilt') }}",
};

describe.each(['duckdb', 'postgres', 'sqlite'] as const)('sf show on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('previews a model, an inline query and JSON; says what to build first; writes nothing', async () => {
    const p = await pool.create({ files: FILES });
    expect((await p.sf('build', '--select', 'people', 'named')).code).toBe(0);
    const sf = async (...args: string[]) => p.spawnSf(['show', ...args]).done;

    const model = await sf('--select', 'named', '--limit', '1');
    expect(model.code, model.text).toBe(0);
    expect(model.text.split('\n').slice(1)).toEqual([
      "Previewing 'named' (1 row, --limit 1):",
      '| id | name |',
      '| -- | ---- |',
      '|  1 | Ada  |',
      '',
    ]);

    const inline = await sf('--inline', "select name, id * 10 as tens from {{ ref('people') }} order by id;", '--limit', '-1');
    expect(inline.code, inline.text).toBe(0);
    expect(inline.text).toContain(["Previewing the inline query (3 rows):", '| name  | tens |', '| ----- | ---- |', '| Ada   |   10 |', '| Grace |   20 |', '| null  |   30 |'].join('\n'));

    const json = await sf('--select', 'people', '--output', 'json', '--inline', 'x');
    expect(json.code).toBe(2);
    expect(json.text).toContain('error: give --select or --inline, not both');
    const rows = await sf('--inline', "select id, name from {{ ref('people') }} order by id", '--output', 'json', '--limit', '2');
    expect(JSON.parse(rows.text.slice(rows.text.indexOf('\n') + 1))).toEqual([{ node: 'inline', show: [{ id: 1, name: 'Ada' }, { id: 2, name: 'Grace' }] }]);

    const unbuilt = await sf('--select', 'reads_unbuilt');
    expect(unbuilt.code).toBe(2);
    expect(unbuilt.text).toContain(`error: model 'reads_unbuilt' reads ${p.dialect.displayRelation({ schema: p.dialect.defaultSchema, name: 'unbuilt' })} (model 'unbuilt'), which is not built yet`);
    expect(unbuilt.text).toContain('hint: build it first: sf build --select +reads_unbuilt');

    // So does a run of a model whose input is not built, instead of the engine's guess.
    const run = await p.spawnSf(['run', '--select', 'reads_unbuilt']).done;
    expect(run.code).toBe(1);
    expect(run.text).toContain(`reads ${p.dialect.displayRelation({ schema: p.dialect.defaultSchema, name: 'unbuilt' })} (model 'unbuilt'), which is not built yet: build it first with \`sf build --select +reads_unbuilt\``);

    // Several, one of them not runnable: the others are still shown, then the error.
    const several = await sf('--select', 'named', 'reads_unbuilt', '--limit', '1');
    expect(several.code).toBe(2);
    expect(several.text).toContain("Previewing 'named' (1 row, --limit 1):");
    expect(several.text).toContain("error: model 'reads_unbuilt' reads");

    const bad = await sf('--inline', "select no_such_column from {{ ref('people') }}");
    expect(bad.code).toBe(1);
    expect(bad.text).toMatch(/error: the inline query failed: .*no_such_column/);
    const lines = await sf('--inline', "select 1 as a,\n  no_such_column as b from {{ ref('people') }}");
    // DuckDB and PostgreSQL name the line: the query's own, not the wrapper's.
    if (engine !== 'sqlite') expect(lines.text).toContain('line 2 of --inline:   no_such_column as b');
    const two = await sf('--inline', 'select 1; select 2');
    expect(two.code).toBe(2);
    expect(two.text).toContain('error: --inline holds 2 SQL statements; sf show runs one query');

    expect(await p.unexpectedRelations([{ schema: p.dialect.defaultSchema, name: 'people' }, { schema: p.dialect.defaultSchema, name: 'named' }])).toEqual([]);
  });
});
