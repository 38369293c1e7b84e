// sf's own dbt_utils and dbt_date macros (dbt/builtin-packages.ts), used where the package is
// not installed, on each engine: the SQL they render runs and gives the figures dbt_utils
// documents, and the package's generic tests judge rows as dbt_utils' do.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { toInt } from './values.js';
import { dbtUtilsProject } from './dbt-utils-fixture.js';

describe.each(ENGINES)("sf's own dbt_utils on %s", (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let build: CliRun;
  let test: CliRun;

  beforeAll(async () => {
    p = await pool.create({ files: dbtUtilsProject(engine) });
    build = await p.sf('build');
    test = await p.sf('test');
  });
  afterAll(() => pool.disposeAll());

  it('builds every model with exit 0 (two published with the warnings of their tests)', () => {
    expect(build.code, build.text).toBe(0);
    expect(build.text).toMatch(/Done\. PASS=5 WARN=2 ERROR=0 SKIP=0 TOTAL=7/);
  });

  it('generate_surrogate_key is the md5 of the fields joined by -, nulls as dbt_utils spells them; star leaves out a column, case aside', async () => {
    const rows = await p.query(`select * from ${p.sql('keyed')} order by id`);
    expect(Object.keys(rows[0]!)).toEqual(['sk', 'id', 'color', 'size']);
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    expect(rows.map((r) => r['sk'])).toEqual([md5('1-10'), md5('2-_dbt_utils_surrogate_key_null_'), md5('3-5'), md5('4-7')]);
  });

  it('pivot over get_column_values: one column per value, counted', async () => {
    const rows = await p.query(`select * from ${p.sql('pivoted')} order by size`);
    expect(rows.map((r) => [r['size'], toInt(r['blue']), toInt(r['green']), toInt(r['red'])])).toEqual([['M', 0, 1, 1], ['S', 1, 0, 1]]);
  });

  it('date_spine gives each day from the start up to, not including, the end', async () => {
    const rows = await p.query(`select count(*) as n, min(date_day) as first, max(date_day) as last from ${p.sql('spine')}`);
    expect(toInt(rows[0]!['n'])).toBe(9);
    expect(String(rows[0]!['first'])).toMatch(/^2024-01-01/);
    expect(String(rows[0]!['last'])).toMatch(/^2024-01-09/);
  });

  it('union_relations: every column of either, null where a relation lacks it, the source relation named', async () => {
    const rows = await p.query(`select * from ${p.sql('unioned')} order by id`);
    expect(Object.keys(rows[0]!)).toEqual(['_dbt_source_relation', 'id', 'color', 'size', 'amount', 'weight']);
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => String(r['_dbt_source_relation']).replace(/"/g, '').split('.').pop()))).toEqual(new Set(['items', 'items_b']));
    expect(rows.filter((r) => r['weight'] === null)).toHaveLength(4);
    expect(rows.filter((r) => r['size'] === null).map((r) => toInt(r['id']))).toEqual([5]);
  });

  it('safe_divide gives null for a zero divisor; safe_add counts nulls as 0', async () => {
    const rows = await p.query(`select ratio, total from ${p.sql('safe')} order by total`);
    expect(rows.map((r) => (r['ratio'] === null ? null : Number(r['ratio'])))).toContain(null);
    expect(rows.map((r) => toInt(r['total']))).toEqual([2, 8, 11, 11]);
  });

  it("the generic tests judge as dbt_utils': passing, and failing rows counted", () => {
    expect(test.code, test.text).toBe(0);
    expect(test.text).toMatch(/PASS dbt_utils_unique_combination_of_columns_keyed_id__color /);
    expect(test.text).toMatch(/PASS dbt_utils_equality_keyed_id__color__size__ref_items_ /);
    expect(test.text).toMatch(/PASS dbt_utils_expression_is_true_keyed_id_0 /);
    // id 4 is past max_value 3.
    expect(test.text).toMatch(/WARN 1 dbt_utils_accepted_range_keyed_id__3__1 /);
    // 3 of 5 amounts are set (0.6 < 0.9): one failing row, the proportion.
    expect(test.text).toMatch(/WARN 1 dbt_utils_not_null_proportion_unioned_0_9__amount /);
  });
});
