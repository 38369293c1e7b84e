// Conformance: on_schema_change, modelled on dbt-tests-adapter's incremental on_schema_change
// fixtures. Each incremental model selects other columns once is_incremental() is true; after
// two runs it must equal its `_target` table, built plainly. `fail` must fail and keep the table.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';

const MODEL_A = `{{ config(materialized='table') }}
select 1 as id, 'aaa' as field1, 'bbb' as field2, 111 as field3, 'TTT' as field4
union all select 2, 'ccc', 'ddd', 222, 'UUU'
union all select 3, 'eee', 'fff', 333, 'VVV'
union all select 4, 'ggg', 'hhh', 444, 'WWW'
union all select 5, 'iii', 'jjj', 555, 'XXX'
union all select 6, 'kkk', 'lll', 666, 'YYY'`;

const incremental = (policy: string, whenIncremental: string, first: string) => `{{ config(materialized='incremental', unique_key='id', on_schema_change='${policy}') }}
with source_data as (select * from {{ ref('model_a') }})
{% if is_incremental() %}
select ${whenIncremental} from source_data where id not in (select id from {{ this }})
{% else %}
select ${first} from source_data where id <= 3
{% endif %}`;

const table = (select: string) => `{{ config(materialized='table') }}\nselect ${select} from {{ ref('model_a') }}`;
const text = (col: string) => `cast(${col} as text) as ${col}`;
const textIf = (col: string, cond: string) => `cast(case when ${cond} then null else ${col} end as text) as ${col}`;

const FILES: Record<string, string> = {
  'models/model_a.sql': MODEL_A,
  'models/incremental_ignore.sql': incremental('ignore', 'id, field1, field2, field3, field4', 'id, field1, field2'),
  'models/incremental_ignore_target.sql': table('id, field1, field2'),
  'models/incremental_append_new_columns.sql': incremental('append_new_columns',
    [text('field1'), text('field2'), text('field3'), text('field4')].map((c) => c).join(', ').replace(/^/, 'id, '),
    `id, ${text('field1')}, ${text('field2')}`),
  'models/incremental_append_new_columns_target.sql': table(`id, ${text('field1')}, ${text('field2')}, ${textIf('field3', 'id <= 3')}, ${textIf('field4', 'id <= 3')}`),
  'models/incremental_append_new_columns_remove_one.sql': incremental('append_new_columns',
    `id, ${text('field1')}, ${text('field3')}, ${text('field4')}`, `id, ${text('field1')}, ${text('field2')}`),
  'models/incremental_append_new_columns_remove_one_target.sql': table(`id, ${text('field1')}, ${textIf('field2', 'id > 3')}, ${textIf('field3', 'id <= 3')}, ${textIf('field4', 'id <= 3')}`),
  'models/incremental_sync_all_columns.sql': incremental('sync_all_columns',
    `id, ${text('field1')}, ${text('field3')}, ${text('field4')}`, `id, ${text('field1')}, ${text('field2')}`),
  'models/incremental_sync_all_columns_target.sql': table(`id, ${text('field1')}, ${textIf('field3', 'id <= 3')}, ${textIf('field4', 'id <= 3')}`),
  'models/incremental_sync_remove_only.sql': incremental('sync_all_columns', `id, ${text('field1')}`, `id, ${text('field1')}, ${text('field2')}`),
  'models/incremental_sync_remove_only_target.sql': table(`id, ${text('field1')}`),
  'models/incremental_fail.sql': incremental('fail', 'id, field1, field2', 'id, field1, field3'),
};

const PAIRS = ['incremental_ignore', 'incremental_append_new_columns', 'incremental_append_new_columns_remove_one',
  'incremental_sync_all_columns', 'incremental_sync_remove_only'];

describe.each(ENGINES)('on_schema_change on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  const runs: CliRun[] = [];

  beforeAll(async () => {
    p = await pool.create({ files: FILES });
    runs.push(await p.sf('run'), await p.sf('run'));
  });
  afterAll(() => pool.disposeAll());

  /** Rows as text, by column name, so a table and its target compare whatever the column order. */
  const rows = async (name: string) => {
    const cols = (await p.columns(p.rel(name))).map((c) => c.name).sort();
    const select = cols.map((c) => `cast(${p.dialect.quoteIdentifier(c)} as text) as ${p.dialect.quoteIdentifier(c)}`).join(', ');
    const result = await p.query(`select ${select} from ${p.sql(name)} order by 1`);
    return { cols, rows: result.map((r) => cols.map((c) => r[c] ?? null)) };
  };

  it('the first run builds everything; the second fails only the on_schema_change=fail model', () => {
    expect(runs[0]!.code, runs[0]!.text).toBe(0);
    expect(runs[1]!.code, runs[1]!.text).toBe(1);
    expect(runs[1]!.text).toMatch(/Model 'incremental_fail' .* failed:\n\s+the model's columns differ from the table's and on_schema_change='fail' \(new: field2.*; gone: field3/);
    expect(runs[1]!.text).toContain('PASS=11 ERROR=1');
  });

  it.each(PAIRS)('%s equals its target after the incremental run', async (name) => {
    expect(await rows(name)).toEqual(await rows(`${name}_target`));
  });

  it('on_schema_change=fail leaves the table as the first run built it', async () => {
    expect((await rows('incremental_fail')).cols).toEqual(['field1', 'field3', 'id']);
  });
});
