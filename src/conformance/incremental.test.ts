// Conformance: each incremental strategy's semantics, row by row, on every engine. Every model
// is built once with --vars '{"v": 1}' (its first build), then run with v = 2 (an incremental
// run), then with v = 2 again (a re-run, which must change nothing but for append). Rows are
// read back as text, so the engines' answers compare directly.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';

/** A model whose rows depend on var('v'): `rows(v)` are SQL select lists, one per row. */
function model(config: string, columns: string, v1: string[], v2: string[]): string {
  const union = (rows: string[]) => rows.map((r) => `select ${r}`).join('\nunion all ');
  return `{{ config(materialized='incremental'${config ? `, ${config}` : ''}) }}
{% if var('v') == 1 %}
select * from (${union(v1)}) as rows_v1
{% else %}
select * from (${union(v2)}) as rows_v2
{% endif %}
-- columns: ${columns}`;
}

const d = (day: string) => `cast('2026-06-${day}' as date)`;
const ts = (day: string, time: string) => `cast('2026-06-${day} ${time}' as timestamp)`;

const MODELS: Record<string, string> = {
  append_m: model('', 'id', ['1 as id', '2'], ['2 as id', '3']),
  merge_single: model("unique_key='id'", 'id, msg', ["1 as id, 'a' as msg", "2, 'b'"], ["2 as id, 'B' as msg", "3, 'c'"]),
  merge_composite: model("unique_key=['k1', 'k2']", 'k1, k2, msg',
    ["1 as k1, 1 as k2, 'a' as msg", "1, 2, 'b'"], ["1 as k1, 2 as k2, 'B' as msg", "2, 1, 'c'"]),
  merge_dup_list: model("unique_key=['id', 'id']", 'id, msg', ["1 as id, 'a' as msg", "2, 'b'"], ["2 as id, 'B' as msg", "3, 'c'"]),
  merge_empty_str: model("unique_key=''", 'id, msg', ["1 as id, 'a' as msg", "2, 'b'"], ["2 as id, 'B' as msg", "3, 'c'"]),
  merge_empty_list: model('unique_key=[]', 'id, msg', ["1 as id, 'a' as msg", "2, 'b'"], ["2 as id, 'B' as msg", "3, 'c'"]),
  merge_update_cols: model("unique_key='id', merge_update_columns=['msg']", 'id, msg, color',
    ["1 as id, 'a' as msg, 'x' as color", "2, 'b', 'y'"], ["2 as id, 'B' as msg, 'Y' as color", "3, 'c', 'z'"]),
  merge_exclude_cols: model("unique_key='id', merge_exclude_columns=['color']", 'id, msg, color',
    ["1 as id, 'a' as msg, 'x' as color", "2, 'b', 'y'"], ["2 as id, 'B' as msg, 'Y' as color", "3, 'c', 'z'"]),
  // dbt-tests-adapter's BaseIncrementalPredicates, for delete+insert and for merge.
  delete_insert_pred: model("incremental_strategy='delete+insert', unique_key='id', incremental_predicates=['id != 2']", 'id, msg, color',
    ["1 as id, 'hello' as msg, 'blue' as color", "2, 'goodbye', 'red'"],
    ["1 as id, 'hey' as msg, 'blue' as color", "2, 'yo', 'green'", "3, 'anyway', 'purple'"]),
  merge_pred: model("unique_key='id', incremental_predicates=['dbt_internal_dest.id != 2']", 'id, msg, color',
    ["1 as id, 'hello' as msg, 'blue' as color", "2, 'goodbye', 'red'"],
    ["1 as id, 'hey' as msg, 'blue' as color", "2, 'yo', 'green'", "3, 'anyway', 'purple'"]),
  io_date: model("incremental_strategy='insert_overwrite', partition_by='d'", 'd, n',
    [`${d('01')} as d, 1 as n`, `${d('01')}, 2`, `${d('02')}, 3`], [`${d('02')} as d, 4 as n`, `${d('03')}, 5`]),
  io_ts_hour: model("incremental_strategy='insert_overwrite', partition_by={'field': 'ts', 'data_type': 'timestamp', 'granularity': 'hour'}", 'ts, n',
    [`${ts('01', '10:15:00')} as ts, 1 as n`, `${ts('01', '10:45:00')}, 2`, `${ts('01', '11:10:00')}, 3`],
    [`${ts('01', '10:30:00')} as ts, 4 as n`]),
  io_ts_day: model("incremental_strategy='insert_overwrite', partition_by={'field': 'ts', 'data_type': 'timestamp', 'granularity': 'day'}", 'ts, n',
    [`${ts('01', '10:15:00')} as ts, 1 as n`, `${ts('01', '23:59:59')}, 2`, `${ts('02', '00:00:00')}, 3`],
    [`${ts('01', '10:30:00')} as ts, 4 as n`]),
  io_int: model("incremental_strategy='insert_overwrite', partition_by={'field': 'k', 'data_type': 'int64', 'range': {'start': 0, 'end': 100, 'interval': 10} }", 'k, n',
    ['1 as k, 1 as n', '5, 2', '15, 3', '25, 4', '150, 5'], ['7 as k, 6 as n', '160, 7']),
  io_static: model(`incremental_strategy='insert_overwrite', partition_by='d', partitions=["cast('2026-06-02' as date)"]`, 'd, n',
    [`${d('01')} as d, 1 as n`, `${d('02')}, 2`], [`${d('02')} as d, 3 as n`, `${d('03')}, 4`]),
  io_static_str: model(`incremental_strategy='insert_overwrite', partition_by='d', partitions=["'2026-06-02'"]`, 'd, n',
    [`${d('01')} as d, 1 as n`, `${d('02')}, 2`], [`${d('02')} as d, 3 as n`, `${d('03')}, 4`]),
  io_whole: model("incremental_strategy='insert_overwrite'", 'id', ['1 as id', '2'], ['3 as id']),
  // partition_by on a merge model: no partitions are replaced, so no ledger is kept.
  merge_partitioned: model("unique_key='id', partition_by='d'", 'id, d',
    [`1 as id, ${d('01')} as d`], [`1 as id, ${d('02')} as d`]),
};

/** What each table holds after the incremental run, as text rows ordered by every column. */
const EXPECTED: Record<string, (string | null)[][]> = {
  append_m: [['1'], ['2'], ['2'], ['3']],
  merge_single: [['1', 'a'], ['2', 'B'], ['3', 'c']],
  merge_composite: [['1', '1', 'a'], ['1', '2', 'B'], ['2', '1', 'c']],
  merge_dup_list: [['1', 'a'], ['2', 'B'], ['3', 'c']],
  merge_empty_str: [['1', 'a'], ['2', 'B'], ['2', 'b'], ['3', 'c']],
  merge_empty_list: [['1', 'a'], ['2', 'B'], ['2', 'b'], ['3', 'c']],
  // Excluded (or not listed) columns keep their old values on matched rows, new ones on inserts.
  merge_update_cols: [['1', 'a', 'x'], ['2', 'B', 'y'], ['3', 'c', 'z']],
  merge_exclude_cols: [['1', 'a', 'x'], ['2', 'B', 'y'], ['3', 'c', 'z']],
  // The row with id 2 is outside the predicate: it survives, and the new id 2 is added.
  delete_insert_pred: [['1', 'hey', 'blue'], ['2', 'goodbye', 'red'], ['2', 'yo', 'green'], ['3', 'anyway', 'purple']],
  merge_pred: [['1', 'hey', 'blue'], ['2', 'goodbye', 'red'], ['2', 'yo', 'green'], ['3', 'anyway', 'purple']],
  io_date: [['2026-06-01', '1'], ['2026-06-01', '2'], ['2026-06-02', '4'], ['2026-06-03', '5']],
  io_ts_hour: [['2026-06-01 10:30:00', '4'], ['2026-06-01 11:10:00', '3']],
  io_ts_day: [['2026-06-01 10:30:00', '4'], ['2026-06-02 00:00:00', '3']],
  io_int: [['15', '3'], ['160', '7'], ['25', '4'], ['7', '6']],
  io_static: [['2026-06-01', '1'], ['2026-06-02', '3']],
  io_static_str: [['2026-06-01', '1'], ['2026-06-02', '3']],
  io_whole: [['3']],
  merge_partitioned: [['1', '2026-06-02']],
};

/** Ledger rows (partition, rows) of the partitioned models after the incremental run. */
const LEDGER: Record<string, [string, number][]> = {
  io_date: [['2026-06-01', 2], ['2026-06-02', 1], ['2026-06-03', 1]],
  io_ts_hour: [['2026-06-01 10:00:00', 1], ['2026-06-01 11:00:00', 1]],
  io_ts_day: [['2026-06-01', 1], ['2026-06-02', 1]],
  io_int: [['0', 1], ['10', 1], ['20', 1], ['__unpartitioned__', 1]],
  io_static: [['2026-06-01', 1], ['2026-06-02', 1]],
  io_static_str: [['2026-06-01', 1], ['2026-06-02', 1]],
  merge_partitioned: [],
};

const COLUMNS = Object.fromEntries(Object.entries(MODELS).map(([name, sql]) => [name, /-- columns: (.*)$/m.exec(sql)![1]!.split(', ')]));

describe.each(ENGINES)('incremental strategies on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  const runs: CliRun[] = [];
  const after: Record<string, (string | null)[][]>[] = [];

  const textRows = async (name: string) => {
    const cols = COLUMNS[name]!;
    const select = cols.map((c) => `cast(${p.dialect.quoteIdentifier(c)} as text) as ${p.dialect.quoteIdentifier(c)}`).join(', ');
    const rows = await p.query(`select ${select} from ${p.sql(name)}`);
    return rows.map((r) => cols.map((c) => (r[c] === null ? null : String(r[c]))))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  };
  const snapshotAll = async () => Object.fromEntries(
    await Promise.all(Object.keys(MODELS).map(async (n) => [n, await textRows(n)] as const)));

  beforeAll(async () => {
    const files = Object.fromEntries(Object.entries(MODELS).map(([n, sql]) => [`models/${n}.sql`, sql]));
    p = await pool.create({ files });
    for (const v of [1, 2, 2]) {
      const run = await p.sf('run', '--vars', JSON.stringify({ v }));
      runs.push(run);
      if (run.code !== 0) return;
      after.push(await snapshotAll());
    }
  });
  afterAll(() => pool.disposeAll());

  it('builds, runs incrementally and re-runs with exit 0', () => {
    for (const run of runs) expect(run.code, run.text).toBe(0);
    expect(runs[1]!.out.join('\n')).toMatch(/incremental .*merge_single \(merge\)/);
  });

  it.each(Object.keys(EXPECTED))('%s holds exactly the expected rows', (name) => {
    expect(after[1]?.[name]).toEqual([...EXPECTED[name]!].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  });

  it('a re-run of the same incremental run changes nothing (all but append)', () => {
    for (const name of Object.keys(MODELS)) {
      // Appends add their rows again; rows outside the predicates are never matched, so added again.
      if (['append_m', 'merge_empty_str', 'merge_empty_list', 'delete_insert_pred', 'merge_pred'].includes(name)) continue;
      expect(after[2]?.[name], name).toEqual(after[1]?.[name]);
    }
    expect(after[2]?.['append_m']).toHaveLength(6);
  });

  it('the ledger agrees with the tables, partition by partition', async () => {
    for (const [name, expected] of Object.entries(LEDGER)) {
      const rows = await p.query(`select partition_key, row_count, status from ${p.dialect.renderRelation({ schema: 'sf', name: 'partitions' })}
        where relation_name = '${`${p.dialect.defaultSchema}.${name}`.toLowerCase()}' order by partition_key`);
      expect(rows.map((r) => [String(r['partition_key']), Number(r['row_count'])]), name).toEqual(expected);
      expect(new Set(rows.map((r) => r['status']))).toEqual(new Set(expected.length ? ['success'] : []));
    }
  });
});

describe.each(ENGINES)('incremental settings that cannot work on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('a unique_key the model does not output: the first build passes, the incremental run fails naming it, the table stays', async () => {
    const p = await pool.create({ files: { 'models/m.sql': "{{ config(materialized='incremental', unique_key=['id', 'thisisnotacolumn']) }}\nselect 1 as id, 'a' as msg" } });
    expect((await p.sf('run')).code).toBe(0);
    const run = await p.sf('run');
    expect(run.code, run.text).toBe(1);
    expect(run.text).toContain("unique_key names 'thisisnotacolumn', which the model 'm' does not output");
    expect(await p.query(`select count(*) as n from ${p.sql('m')}`)).toEqual([{ n: expect.anything() }]);
    expect(Number((await p.query(`select count(*) as n from ${p.sql('m')}`))[0]!['n'])).toBe(1);
    expect(await p.unexpectedRelations([p.rel('m')])).toEqual([]);
  });

  it('an unknown strategy: exit 2 naming the model and the setting, nothing built', async () => {
    const p = await pool.create({ files: { 'models/m.sql': "{{ config(materialized='incremental', incremental_strategy='upsert') }}\nselect 1 as id" } });
    const run = await p.sf('run');
    expect(run.code).toBe(2);
    expect(run.text).toMatch(/models\/m\.sql:1: bad config\(\) in model 'm': incremental_strategy: 'upsert' is not one of append, merge, delete\+insert, insert_overwrite, microbatch$/m);
    expect(await p.unexpectedRelations([])).toEqual([]);
  });

  it('delete+insert without a unique_key, partition_by that is an expression: exit 2 naming model and setting', async () => {
    const p = await pool.create({ files: {
      'models/a.sql': "{{ config(materialized='incremental', incremental_strategy='delete+insert') }}\nselect 1 as id",
      'models/b.sql': "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='date(ts)') }}\nselect 1 as id",
    } });
    const run = await p.sf('run');
    expect(run.code).toBe(2);
    expect(run.text).toContain("models/a.sql:1: model 'a', setting unique_key: incremental_strategy 'delete+insert' needs a unique_key");
    expect(run.text).toContain("models/b.sql:1: model 'b', setting partition_by: partition_by 'date(ts)' is not a column name");
  });

  it('a partition_by column the model does not output fails its build, naming it', async () => {
    const p = await pool.create({ files: { 'models/m.sql': "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='day') }}\nselect 1 as id" } });
    const run = await p.sf('run');
    expect(run.code).toBe(1);
    expect(run.text).toContain("partition_by names 'day', which the model 'm' does not output");
    expect(await p.unexpectedRelations([])).toEqual([]);
  });
});
