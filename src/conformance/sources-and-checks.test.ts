// Conformance: sources declared in dbt property files (templated values, identifier,
// loaded_at_field, freshness, tests), source freshness in `sf source freshness` and in a build,
// custom generic tests, store_failures, tests on views and singular tests inside a build, and
// the GitHub Actions annotations and step summary, on every engine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type ConformanceProject } from './harness.js';

const ORDERS = [
  'id,status,loaded_at',
  '1,placed,2026-06-01 08:00:00',
  '2,shipped,2026-06-01 09:30:00',
  '2,shipped,2026-06-01 09:30:00', // a duplicate the source's unique test warns about
  '3,placed,2026-06-01 10:00:00', // the newest row
].join('\n') + '\n';

// The schema comes from target.*, a threshold from var(); `meta` holds Jinja sf must not render.
const SOURCES = `version: 2
x-daily: &daily
  warn_after: {count: "{{ var('warn_hours', 12) }}", period: hour}
  error_after: {count: 1, period: day}
sources:
  - name: shop
    schema: "{{ target.schema }}"
    loaded_at_field: loaded_at
    freshness: *daily
    meta: {owner: "{{ not_a_function() }}"}
    tables:
      - name: orders
        identifier: raw_orders
        columns:
          - name: id
            data_tests:
              - unique:
                  config: {severity: warn, store_failures: true}
      - name: ghosts
        identifier: "{{ env_var('SF_CONFORMANCE_GHOST', 'no_such_table') }}"
      - name: unchecked
        identifier: raw_orders
        freshness: null
models:
  - name: order_stats
    columns:
      - name: n
        data_tests:
          - accepted_values:
              values: [4]
              quote: false
              config:
                where: "n >= (select count(*) from {{ ref('unchecked_reader') }})"
`;

describe.each(ENGINES)('sources from property files on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  beforeAll(async () => {
    p = await pool.create({
      config: { vars: { sf_now: '2026-06-01 12:00:00' } },
      files: {
        'seeds/raw_orders.csv': ORDERS,
        'models/sources.yml': SOURCES,
        'models/order_stats.sql': "{{ config(materialized='table') }}\nselect count(*) as n from {{ source('shop', 'orders') }}",
        'models/ghost_reader.sql': "select * from {{ source('shop', 'ghosts') }}",
        'models/unchecked_reader.sql': "select * from {{ source('shop', 'unchecked') }}",
        'tests/assert_orders_have_ids.sql': "select * from {{ source('shop', 'orders') }} where id is null",
      },
    });
  });
  afterAll(() => pool.disposeAll());

  it('source() resolves the identifier; a missing source table fails its check by name and skips its readers', async () => {
    const run = await p.sf('build');
    expect(run.code, run.text).toBe(1);
    expect(run.text).toMatch(/OK source shop\.orders/);
    expect(run.text).toMatch(/source shop\.ghosts: table \S*no_such_table does not exist in the target \(declared at models\/sources\.yml:19\); nothing that reads it was run/);
    expect(run.text).toMatch(/SKIP view \S*ghost_reader/);
    expect(run.text).toMatch(/OK view \S*unchecked_reader/);
    expect((await p.query(`select n from ${p.sql('order_stats')}`)).map((r) => Number(r['n']))).toEqual([4]);
    // The source's warn test passed the build with a warning, and kept its failing rows.
    expect(run.text).toMatch(/Source 'shop\.orders' \(\S+\) passed with warnings:\n {2}warning: source_unique_shop_orders_id \(models\/sources\.yml:17\): 1 failing row/);
    const stored = await p.query(`select unique_field, n_records from ${p.sql('source_unique_shop_orders_id', `${p.dialect.defaultSchema}_dbt_test__audit`)}`);
    expect(stored.map((r) => [Number(r['unique_field']), Number(r['n_records'])])).toEqual([[2, 2]]);
    const results = JSON.parse(p.read('target/run_results.json')).results as { unique_id: string; status: string; tests?: unknown[] }[];
    const orders = results.find((r) => r.unique_id === 'source.conformance.shop.orders');
    expect(orders).toMatchObject({ status: 'success', tests: [{ unique_id: 'test.conformance.source_unique_shop_orders_id', status: 'warn', failures: 1, quarantined: 0 }] });
    // A where with ref() renders with the project, and the tested model waits for what it refs.
    expect(results.find((r) => r.unique_id === 'model.conformance.order_stats')?.tests).toEqual([
      expect.objectContaining({ unique_id: 'test.conformance.accepted_values_order_stats_n__False__4', status: 'pass', failures: 0 })]);
    // A singular test reading the source ran once its seed was loaded and its check passed.
    expect(run.text).toMatch(/OK test assert_orders_have_ids/);
  });

  it('sf source freshness judges each table against warn_after and error_after, and writes sources.json', async () => {
    const fresh = await p.sf('source freshness');
    expect(fresh.code, fresh.text).toBe(1); // ghosts does not exist: a runtime error
    expect(fresh.text).toMatch(/PASS freshness of shop\.orders/);
    expect(fresh.text).toMatch(/ERROR freshness of shop\.ghosts/);
    const sources = JSON.parse(p.read('target/sources.json')).results as Record<string, unknown>[];
    expect(sources.map((s) => [s['unique_id'], s['status'], s['max_loaded_at'], s['max_loaded_at_time_ago_in_s']])).toEqual([
      ['source.conformance.shop.orders', 'pass', '2026-06-01T10:00:00.000Z', 7200],
      ['source.conformance.shop.ghosts', 'runtime error', null, null],
    ]);
    const warned = await p.sf('source freshness', '--select', 'source:shop.orders', '--vars', '{"warn_hours": 1}');
    expect(warned.code, warned.text).toBe(0);
    expect(warned.text).toMatch(/WARN freshness of shop\.orders/);
    expect(warned.text).toContain('newest row 2026-06-01 10:00:00 UTC is 2h 0m old at 2026-06-01 12:00:00 UTC (error after 1 day, warn after 1 hour)');
  });

  it('a stale source fails the build loudly, naming its newest row and the limit, and skips everything downstream', async () => {
    const before = await p.query(`select n from ${p.sql('order_stats')}`);
    const run = await p.sf('build', '--exclude', 'ghost_reader', '--vars', '{"sf_now": "2026-06-02 11:00:00"}');
    expect(run.code, run.text).toBe(1);
    expect(run.text).toMatch(/Source 'shop\.orders' \(\S+\) failed:\n {2}source shop\.orders \(models\/sources\.yml:12\): newest row 2026-06-01 10:00:00 UTC is 1d 1h old at 2026-06-02 11:00:00 UTC \(error after 1 day, warn after 12 hours\)/);
    expect(run.text).toMatch(/SKIP table \S*order_stats/);
    expect(run.text).toMatch(/SKIP test assert_orders_have_ids/);
    expect(await p.query(`select n from ${p.sql('order_stats')}`)).toEqual(before);
    // sf retry plans the check again with the models it skipped: still stale, it fails the same way.
    const retry = await p.sf('retry');
    expect(retry.code, retry.text).toBe(1);
    expect(retry.text).toMatch(/Retrying build: order_stats, assert_orders_have_ids/);
    expect(retry.text).toMatch(/source shop\.orders \(models\/sources\.yml:\d+\): newest row 2026-06-01 10:00:00 UTC is 1d 1h old/);
  });

  it('sf test runs source tests read-only, selected with source:', async () => {
    const run = await p.sf('test', '--select', 'source:shop');
    expect(run.code, run.text).toBe(0);
    expect(run.text).toContain('Done. PASS=0 WARN=1 ERROR=0 SKIP=0 TOTAL=1');
    const typo = await p.sf('test', '--select', 'source:shpo');
    expect(typo.code).toBe(2);
    expect(typo.text).toContain("selector 'source:shpo' matches no declared source table");
    // store_failures replaces the stored rows on each run, never appends.
    const stored = await p.query(`select * from ${p.sql('source_unique_shop_orders_id', `${p.dialect.defaultSchema}_dbt_test__audit`)}`);
    expect(stored).toHaveLength(1);
  });
});

describe.each(ENGINES)('a project with only seeds and singular tests on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('sf build loads the seed, then runs the tests reading it; sf test runs them too; a failing one exits 1', async () => {
    const p = await pool.create({ files: {
      'seeds/scores.csv': 'id,score\n1,5\n2,-3\n',
      'tests/assert_scores_positive.sql': "select * from {{ ref('scores') }} where score < 0",
      'tests/assert_ids_known.sql': "select * from {{ ref('scores') }} where id is null",
    } });
    const build = await p.sf('build');
    expect(build.code, build.text).toBe(1);
    expect(build.text).toMatch(/OK seed \S*scores/);
    expect(build.text).toMatch(/OK test assert_ids_known/);
    expect(build.text).toMatch(/Test 'assert_scores_positive' failed:\n {2}assert_scores_positive \(tests\/assert_scores_positive\.sql\): 1 failing row, configured to fail if !=0/);
    expect(build.text).toContain('Done. PASS=2 ERROR=1 SKIP=0 TOTAL=3');
    const test = await p.sf('test');
    expect(test.code, test.text).toBe(1);
    expect(test.text).toContain('Done. PASS=1 WARN=0 ERROR=1 SKIP=0 TOTAL=2');
    // sf retry after a build runs just the failed test again.
    expect((await p.sf('build')).code).toBe(1);
    p.write('tests/assert_scores_positive.sql', "select * from {{ ref('scores') }} where score < -10");
    const retry = await p.sf('retry');
    expect(retry.code, retry.text).toBe(0);
    expect(retry.text).toContain('Retrying build: assert_scores_positive');
    expect(retry.text).toContain('Done. PASS=1 ERROR=0 SKIP=0 TOTAL=1');
  });

  it('a view test on a column the view lacks fails the view with the declaring file and line', async () => {
    const p = await pool.create({ files: {
      'models/v.sql': 'select 1 as n',
      'models/v.yml': 'version: 2\nmodels:\n  - name: v\n    columns:\n      - name: m\n        data_tests: [not_null]\n',
    } });
    const run = await p.sf('build');
    expect(run.code, run.text).toBe(1);
    expect(run.text).toMatch(/models\/v\.yml:6: test not_null_v_m: column 'm' is not in \S*v \(n\)/);
  });
});

describe.each(ENGINES)('bad source and test declarations on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('bad freshness, quarantine on a source, a var with no value, a broken test block: exit 2 with file:line, nothing written', async () => {
    const p = await pool.create({ files: {
      'models/m.sql': "select 1 as id from {{ source('shop', 'orders') }}",
      'macros/broken.sql': '{% test broken(model, column_name) %}select {{ no_such_macro() }} from {{ model }}{% endtest %}',
      'models/props.yml': [
        'version: 2',
        'sources:',
        '  - name: shop',
        '    freshness:',
        '      warn_after: {count: 1, period: week}',
        '    tables:',
        '      - name: orders',
        '        loaded_at_field: "{{ var(\'no_such_var\') }}"',
        '        columns:',
        '          - name: id',
        '            data_tests:',
        '              - not_null: {config: {severity: quarantine}}',
        'models:',
        '  - name: m',
        '    columns:',
        '      - name: id',
        '        data_tests: [broken]',
      ].join('\n'),
    } });
    const run = await p.sf('build');
    expect(run.code, run.text).toBe(2);
    expect(run.text).toContain("models/props.yml:8: cannot render '{{ var('no_such_var') }}': var('no_such_var') has no value and no default");
    expect(run.text).toContain("models/props.yml:5: freshness of source 'shop': warn_after.period");
    expect(run.text).toContain('models/props.yml:12: severity quarantine on source shop.orders: sf does not write sources');
    expect(await p.unexpectedRelations([])).toEqual([]);

    p.write('models/props.yml', 'version: 2\nsources:\n  - name: shop\n    tables: [{name: orders}]\nmodels:\n  - name: m\n    columns:\n      - name: id\n        data_tests: [broken]\n');
    const broken = await p.sf('build');
    expect(broken.code, broken.text).toBe(2);
    expect(broken.text).toContain('models/props.yml:9: test broken_m_id (broken): Unable to call `no_such_macro`, which is undefined or falsey');
    expect(await p.unexpectedRelations([])).toEqual([]);
  });
});

const NUMS = "select 2 as n union all select 4 union all select {{ var('odd', 6) }}";
const CHECKS = `version: 2
models:
  - name: nums
    columns:
      - name: n
        data_tests:
          - is_even
          - at_least:
              min_value: 2
              config: {severity: warn, warn_if: ">5"}
`;

describe.each(ENGINES)('custom generic tests, view tests and singular tests in a build on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('runs each test right after its model; a failing view test keeps the old view and skips its children', async () => {
    const p = await pool.create({ files: {
      'macros/checks.sql': '{% test is_even(model, column_name) %}\nselect * from {{ model }} where ({{ column_name }} % 2) <> 0\n{% endtest %}',
      'tests/generic/at_least.sql': '{%- test at_least(model, column_name, min_value) -%}\nselect * from {{ model }} where {{ column_name }} < {{ min_value }}\n{%- endtest -%}',
      'models/nums.sql': NUMS,
      'models/total.sql': "{{ config(materialized='table') }}\nselect sum(n) as total from {{ ref('nums') }}",
      'models/checks.yml': CHECKS,
      'tests/assert_total_positive.sql': "select * from {{ ref('total') }} where total <= 0",
    } });
    const first = await p.sf('build');
    expect(first.code, first.text).toBe(0);
    expect(first.text).toMatch(/OK test assert_total_positive/);
    expect(first.text).toContain('Done. PASS=3 ERROR=0 SKIP=0 TOTAL=3');
    expect((await p.query(`select total from ${p.sql('total')}`)).map((r) => Number(r['total']))).toEqual([12]);

    const second = await p.sf('build', '--vars', '{"odd": 7}');
    expect(second.code, second.text).toBe(1);
    expect(second.text).toMatch(/data test failed on the new rows; nothing was published:\n\s+is_even_nums_n \(models\/checks\.yml:7\): 1 failing row, configured to fail if !=0/);
    expect(second.text).toMatch(/SKIP table \S*total/);
    expect(second.text).toMatch(/SKIP test assert_total_positive/);
    // The view still shows the rows that passed.
    expect((await p.query(`select n from ${p.sql('nums')} order by n`)).map((r) => Number(r['n']))).toEqual([2, 4, 6]);
    const results = JSON.parse(p.read('target/run_results.json')).results as { unique_id: string; status: string; tests?: { unique_id: string; status: string; failures: number }[] }[];
    expect(results.find((r) => r.unique_id === 'model.conformance.nums')?.tests).toEqual([
      expect.objectContaining({ unique_id: 'test.conformance.is_even_nums_n', status: 'fail', failures: 1 }),
      expect.objectContaining({ unique_id: 'test.conformance.at_least_nums_n__2', status: 'pass', failures: 0 }),
    ]);

    // sf test runs the custom tests too, with dbt's counts.
    const tested = await p.sf('test', '--select', 'nums');
    expect(tested.code).toBe(0);
    expect(tested.text).toContain('PASS=2');
  });

  it('with GITHUB_ACTIONS set: annotations at the declaring file and line, and a step summary', async () => {
    const p = await pool.create({ files: {
      'macros/checks.sql': '{% test is_even(model, column_name) %}\nselect * from {{ model }} where ({{ column_name }} % 2) <> 0\n{% endtest %}',
      'tests/generic/at_least.sql': '{% test at_least(model, column_name, min_value) %}\nselect * from {{ model }} where {{ column_name }} < {{ min_value }}\n{% endtest %}',
      'models/nums.sql': NUMS.replace("var('odd', 6)", "var('odd', 7)"),
      'models/checks.yml': CHECKS,
    } });
    const summaryFile = join(p.dir, 'summary.md');
    const run = await p.spawnSf(['build'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: p.dir }).done;
    expect(run.code, run.text).toBe(1);
    expect(run.text).toContain('::error file=models/checks.yml,line=7,title=sf build%3A is_even_nums_n::1 failing row, configured to fail if !=0');
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toContain('## sf build');
    expect(summary).toContain('| nodes | 0 | 0 | 1 | 0 |');
    expect(summary).toContain('| data tests | 1 | 0 | 1 | 0 |');
    expect(summary).toMatch(/\| is_even_nums_n \| models\/checks\.yml:7 \| 1 failing row, configured to fail if !=0 \|/);
  });
});

describe.each(ENGINES)('--warn-error, singular test config(), unknown keys on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('--warn-error fails a node whose warn test fails (downstream skipped) and a source past warn_after', async () => {
    const p = await pool.create({
      config: { vars: { sf_now: '2026-06-01 23:00:00' } },
      files: {
        'seeds/raw_orders.csv': ORDERS,
        'models/orders.sql': "{{ config(materialized='table') }}\nselect * from {{ source('shop', 'orders') }}",
        'models/order_count.sql': "select count(*) as n from {{ ref('orders') }}",
        'models/props.yml': [
          'version: 2',
          'sources:',
          '  - name: shop',
          '    schema: "{{ target.schema }}"',
          '    tables:',
          '      - name: orders',
          '        identifier: raw_orders',
          '        loaded_at_field: loaded_at',
          '        freshness: {warn_after: {count: 12, period: hour}}',
          'models:',
          '  - name: orders',
          '    colums: []',
          '    columns:',
          '      - name: id',
          '        data_tests:',
          '          - unique: {config: {severity: warn}}',
        ].join('\n'),
        // dbt's config() in a singular test: it warns instead of failing.
        'tests/assert_few_orders.sql': "{{ config(severity='warn', warn_if='>1') }}\nselect * from {{ ref('orders') }} where id > 0",
      },
    });
    const plain = await p.sf('build');
    expect(plain.code, plain.text).toBe(0);
    expect(plain.text).toContain("stderr: warning: models/props.yml:12: unknown key 'colums' in model 'orders' (did you mean 'columns'?); it is ignored");
    expect(plain.text).toMatch(/Source 'shop\.orders' \(\S+\) passed with warnings:\n {2}warning: source shop\.orders \(models\/props\.yml:6\): newest row 2026-06-01 10:00:00 UTC is 13h 0m old/);
    expect(plain.text).toMatch(/Test 'assert_few_orders' passed with warnings:\n {2}warning: assert_few_orders \(tests\/assert_few_orders\.sql\): 4 failing rows, configured to warn if >1/);
    expect(plain.text).toContain('Done. PASS=2 WARN=3 ERROR=0 SKIP=0 TOTAL=5');

    const strict = await p.sf('build', '--warn-error');
    expect(strict.code, strict.text).toBe(1);
    expect(strict.text).toMatch(/Source 'shop\.orders' \(\S+\) failed:\n {2}source shop\.orders \(models\/props\.yml:6\): newest row/);
    expect(strict.text).toMatch(/SKIP table \S*orders/);
    expect(strict.text).toContain('Done. PASS=1 ERROR=1 SKIP=3 TOTAL=5');
    const fresh = await p.sf('build', '--warn-error', '--vars', '{"sf_now": "2026-06-01 12:00:00"}');
    expect(fresh.code, fresh.text).toBe(1);
    expect(fresh.text).toMatch(/data test failed on the new rows; nothing was published:\n\s+unique_orders_id \(models\/props\.yml:16\): 1 failing row, configured to fail if !=0/);
    expect(fresh.text).toMatch(/SKIP view \S*order_count/);
    expect(fresh.text).toContain('Done. PASS=2 ERROR=1 SKIP=2 TOTAL=5');
    const freshness = await p.sf('source freshness', '--warn-error');
    expect(freshness.code).toBe(1);
    expect(freshness.text).toMatch(/ERROR freshness of shop\.orders/);
  });

  it('a quarantine test on a view is a declaration error; sf test errors only the tests whose relation is missing', async () => {
    const p = await pool.create({ files: {
      'models/v.sql': 'select 1 as n',
      'models/t.sql': "{{ config(materialized='table') }}\nselect 1 as n",
      'models/v.yml': 'version: 2\nmodels:\n  - name: v\n    columns:\n      - name: n\n        data_tests:\n          - not_null: {config: {severity: quarantine}}\n',
    } });
    const run = await p.sf('build');
    expect(run.code, run.text).toBe(2);
    expect(run.text).toContain("models/v.yml:7: severity quarantine on not_null_v_n: 'v' is a view, with no rows of its own to move aside");
    expect(await p.unexpectedRelations([])).toEqual([]);

    p.write('models/v.yml', 'version: 2\nmodels:\n  - name: v\n    columns: [{name: n, data_tests: [not_null]}]\n  - name: t\n    columns: [{name: n, data_tests: [unique]}]\n');
    expect((await p.sf('run', '--select', 't')).code).toBe(0);
    const tested = await p.sf('test');
    expect(tested.code, tested.text).toBe(1);
    expect(tested.text).toMatch(/ERROR not_null_v_n/);
    expect(tested.text).toMatch(/\S*v does not exist in the target \(test declared at models\/v\.yml:4\)/);
    expect(tested.text).toMatch(/PASS unique_t_n/);
  });
});
