// Conformance: `sf test` runs generic tests declared in dbt property files and singular tests,
// with dbt's failure counts, severities and thresholds, on every engine. The data has NULLs,
// duplicated keys and unexpected values; each expected count is the number of rows dbt's own
// query for that test returns (see plan/quality/generic-tests.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';

const PEOPLE = [
  'id,name,status,team_id,score',
  '1,Ana,active,10,5',
  '2,Bo,active,20,7',
  '2,Cy,inactive,20,3', // id 2 twice
  '3,,retired,30,-1', // no name, unexpected status, a team that does not exist, a negative score
  '4,Dee,,10,4', // no status: accepted_values does not count NULL
  '5,Eve,pending,,9', // unexpected status; no team: relationships does not count NULL
  '6,Fay,retired,40,2', // 'retired' again: counted once; another missing team
  '5,Gus,active,10,1', // id 5 twice
].join('\n') + '\n';

const PROPERTIES = `version: 2
seeds:
  - name: people
    description: ignored, as are meta and docs
    meta: { owner: data }
    data_tests:
      - row_count:
          min: 10
    columns:
      - name: id
        data_tests:
          - unique
          - unique:
              config:
                warn_if: ">1"
                error_if: ">5"
      - name: name
        tests:
          - not_null
          - not_null:
              config:
                where: "id <> 3"
      - name: status
        data_tests:
          - accepted_values:
              values: ['active', 'inactive']
          - accepted_values:
              arguments:
                values: ['active', 'inactive']
              config:
                limit: 1
          - not_null:
              config:
                severity: warn
      - name: team_id
        data_tests:
          - relationships:
              to: ref('teams')
              field: team_id
      - name: score
        data_tests:
          - dbt_utils.expression_is_true:
              expression: ">= 0"
`;

/** name -> [status, failures]. */
const EXPECTED: Record<string, [string, number]> = {
  row_count_people_10: ['fail', 1],
  unique_people_id: ['fail', 2],
  unique_people_id_2: ['warn', 2],
  not_null_people_name: ['fail', 1],
  not_null_people_name_2: ['pass', 0],
  accepted_values_people_status__active__inactive: ['fail', 2],
  accepted_values_people_status__active__inactive_2: ['fail', 1],
  not_null_people_status: ['warn', 1],
  relationships_people_team_id__team_id__ref_teams_: ['fail', 2],
  dbt_utils_expression_is_true_people_score___0: ['fail', 1],
  assert_no_negative_scores: ['fail', 1],
  assert_teams_named: ['pass', 0],
};

describe.each(ENGINES)('data tests on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let run: CliRun;

  beforeAll(async () => {
    p = await pool.create({ files: {
      'seeds/people.csv': PEOPLE,
      'seeds/teams.csv': 'team_id,name\n10,a\n20,b\n',
      'seeds/properties.yml': PROPERTIES,
      'tests/assert_no_negative_scores.sql': "select * from {{ ref('people') }} where score < 0",
      'tests/assert_teams_named.sql': "select * from {{ ref('teams') }} where name is null",
    } });
    const seeded = await p.sf('seed');
    if (seeded.code !== 0) throw new Error(seeded.text);
    run = await p.sf('test');
  });
  afterAll(() => pool.disposeAll());

  it('every test counts the rows dbt\'s query for it returns, with dbt\'s status', () => {
    const results = JSON.parse(p.read('target/run_results.json')).results as { unique_id: string; status: string; failures: number }[];
    const got = Object.fromEntries(results.map((r) => [r.unique_id.replace('test.conformance.', ''), [r.status, r.failures]]));
    expect(got).toEqual(EXPECTED);
  });

  it('fails the run (exit 1) and says which test, where it was declared, and why', () => {
    expect(run.code, run.text).toBe(1);
    expect(run.text).toMatch(/FAIL 2 unique_people_id \.+ \[FAIL 2 in/);
    expect(run.text).toMatch(/Failure in test unique_people_id \(seeds\/properties\.yml:12\)\n {2}got 2 results, configured to fail if !=0/);
    expect(run.text).toMatch(/Warning in test unique_people_id_2 \(seeds\/properties\.yml:13\)\n {2}got 2 results, configured to warn if >1/);
    expect(run.text).toContain('Done. PASS=2 WARN=2 ERROR=8 SKIP=0 TOTAL=12');
  });

  it('writes JUnit XML a CI viewer reads: a testcase per test, failures with their message and count', async () => {
    const file = join(p.dir, 'target/junit.xml');
    expect((await p.sf('test', '--junit', file)).code).toBe(1);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(file, 'utf8'));
    const suite = xml.testsuites.testsuite;
    expect(suite).toMatchObject({ name: 'sf test', tests: '12', failures: '8', skipped: '0' });
    const byName: Record<string, Record<string, unknown>> = Object.fromEntries((suite.testcase as { name: string }[]).map((c) => [c.name, c]));
    expect(byName['unique_people_id']).toMatchObject({
      file: 'seeds/properties.yml', line: '12',
      failure: { message: 'got 2 results, configured to fail if !=0 (2 failing rows)' },
    });
    expect(byName['unique_people_id_2']?.['system-out']).toBe('got 2 results, configured to warn if >1 (2 failing rows)');
    expect(byName['not_null_people_name_2']?.['failure']).toBeUndefined();
  });

  it('selects tests by node, by name and by test_type; warnings alone pass unless --warn-error', async () => {
    const singular = await p.sf('test', '--select', 'test_type:singular');
    expect(singular.text).toContain('TOTAL=2');
    const onTeams = await p.sf('test', '--select', 'teams');
    // As dbt's eager selection: the relationships test pointing at teams comes along.
    expect(onTeams.text).toContain('Done. PASS=1 WARN=0 ERROR=1 SKIP=0 TOTAL=2');
    expect(onTeams.text).toMatch(/FAIL 2 relationships_people_team_id__team_id__ref_teams_/);
    const warnOnly = await p.sf('test', '--select', 'not_null_people_status');
    expect(warnOnly.code).toBe(0);
    expect((await p.sf('test', '--select', 'not_null_people_status', '--warn-error')).code).toBe(1);
  });
});

describe.each(ENGINES)("dbt's fail_calc on %s", (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it("counts failures as the test's fail_calc says, from its config() or its declaration", async () => {
    const p = await pool.create({ files: {
      'models/counts.sql': "{{ config(materialized='table') }}\nselect 'a' as k, 0 as diff union all select 'b', 0 union all select 'c', 3",
      // dbt_utils' equal_rowcount style: one row per comparison, the failure count is the sum of differences.
      'macros/diffs.sql': "{% test zero_diffs(model, column_name) %}{{ config(fail_calc='sum(' ~ column_name ~ ')') }}select {{ column_name }} from {{ model }}{% endtest %}",
      'models/_props.yml': [
        'version: 2', 'models:', '  - name: counts', '    columns:', '      - name: diff', '        data_tests:',
        '          - zero_diffs: {config: {severity: warn}}',
        "          - not_null: {config: {fail_calc: 'sum(diff)', severity: warn}}",
      ].join('\n'),
    } });
    const test = (await p.sf('build'), await p.sf('test'));
    expect(test.code, test.text).toBe(0);
    // Three rows each; counted by fail_calc: the sum of diff, 3.
    expect(test.text).toMatch(/WARN 3 zero_diffs_counts_diff /);
    expect(test.text).toMatch(/PASS not_null_counts_diff /);
  });
});

describe.each(ENGINES)('bad test declarations on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('YAML syntax, unknown test, bad severity: exit 2 with file:line, nothing written', async () => {
    const p = await pool.create({ files: {
      'models/a.sql': 'select 1 as id',
      'models/broken.yml': 'version: 2\nmodels:\n  - name: a\n    columns: [\n',
      'models/props.yml': [
        'version: 2', 'models:', '  - name: nope', '  - name: a', '    columns:', '      - name: id',
        '        data_tests:', '          - unique_ish', '          - not_null:', '              config:', '                severity: fatal',
      ].join('\n'),
    } });
    const run = await p.sf('build');
    expect(run.code).toBe(2);
    expect(run.text).toMatch(/models\/broken\.yml:\d+: YAML syntax error/);
    expect(run.text).toContain("models/props.yml:8: unknown test 'unique_ish' on a.id");
    expect(run.text).toContain("models/props.yml:9: severity 'fatal' of not_null on a.id is not error, warn or quarantine");
    expect(await p.unexpectedRelations([])).toEqual([]);
  });

  it('a test on a column the model does not have: build fails the model, sf test exits 2, both naming the declaring line', async () => {
    const p = await pool.create({ files: { 'models/a.sql': "{{ config(materialized='table') }}select 1 as id" } });
    expect((await p.sf('build')).code).toBe(0);
    p.write('models/props.yml', 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: idd\n        data_tests: [not_null]\n');
    const build = await p.sf('build');
    expect(build.code).toBe(1);
    expect(build.text).toContain("models/props.yml:6: test not_null_a_idd: column 'idd' is not in the model's output (id)");
    const run = await p.sf('test');
    expect(run.code).toBe(2);
    expect(run.text).toMatch(/models\/props\.yml:6: test not_null_a_idd: column 'idd' is not in \S*a\n {2}hint: did you mean 'id'\?/);
  });
});

describe.each(ENGINES)('data tests audit the new rows before they are published, on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('an error test failing keeps the published table and skips downstream; a warn test publishes and says so', async () => {
    const p = await pool.create({ files: {
      'models/orders.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'a' as note union all select {{ var('second', 2) }}, null",
      'models/order_count.sql': "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('orders') }}",
      'models/daily.sql': "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d') }}\nselect {{ var('second', 2) }} as id, cast('2026-06-01' as date) as d union all select 1, cast('2026-06-01' as date)",
      'models/props.yml': [
        'version: 2', 'models:',
        '  - name: orders', '    columns:', '      - name: id', '        data_tests: [unique]',
        '      - name: note', '        data_tests:', '          - not_null:', '              config: {severity: warn}',
        '  - name: daily', '    columns:', '      - name: id', '        data_tests: [unique]',
      ].join('\n'),
    } });
    const first = await p.sf('build');
    expect(first.code, first.text).toBe(0);
    expect(first.text).toContain("Model 'orders' (");
    expect(first.text).toMatch(/was published with warnings:\n {2}warning: not_null_orders_note \(models\/props\.yml:9\): 1 failing row, configured to warn if !=0/);
    expect(first.text).toMatch(/Done\. PASS=2 WARN=1 ERROR=0 SKIP=0 TOTAL=3/);
    // Each test a write ran, under its node's line.
    expect(first.text).toMatch(/OK table \S*orders .*\n {4}PASS unique_orders_id\n {4}WARN 1 not_null_orders_note\n/);

    const second = await p.sf('build', '--vars', '{"second": 1}');
    expect(second.code, second.text).toBe(1);
    expect(second.text).toMatch(/data test failed on the new rows; nothing was published:\n\s+unique_orders_id \(models\/props\.yml:6\): 1 failing row, configured to fail if !=0/);
    expect(second.text).toMatch(/SKIP table \S*order_count/);
    expect(second.text).toMatch(/ERROR table \S*orders .*\n {4}FAIL 1 unique_orders_id\n/);
    expect(await p.query(`select id from ${p.sql('orders')} order by id`)).toEqual([{ id: expect.anything() }, { id: expect.anything() }]);
    expect((await p.query(`select id from ${p.sql('orders')} order by id`)).map((r) => Number(r['id']))).toEqual([1, 2]);
    // The incremental model's batch failed its audit too: its partition is as it was.
    expect((await p.query(`select id from ${p.sql('daily')} order by id`)).map((r) => Number(r['id']))).toEqual([1, 2]);
    expect(await p.unexpectedRelations([p.rel('orders'), p.rel('order_count'), p.rel('daily')])).toEqual([]);
  });
});

describe.each(ENGINES)('quarantine on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  const ITEMS = `{{ config(materialized='table', max_quarantine_rate=var('rate', 1)) }}
select 1 as id, 5 as qty, 10 as product
union all select 2, -1, 10
union all select 3, 2, 99
union all select 3, 4, 10
union all select 4, 1, null
union all select 5, 3, 20`;
  const DAILY = `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d') }}
select 1 as id, cast('2026-06-01' as date) as d, 5 as qty
union all select 2, cast('2026-06-01' as date), -1
union all select 3, cast('2026-06-02' as date), 2`;
  const PROPS = `version: 2
models:
  - name: items
    columns:
      - name: id
        data_tests:
          - unique: {config: {severity: quarantine}}
      - name: qty
        data_tests:
          - dbt_utils.expression_is_true:
              expression: "> 0"
              config: {severity: quarantine}
      - name: product
        data_tests:
          - relationships:
              to: ref('products')
              field: product
              config: {severity: quarantine}
          - not_null: {config: {severity: quarantine}}
  - name: daily
    columns:
      - name: qty
        data_tests:
          - dbt_utils.expression_is_true:
              expression: "> 0"
              config: {severity: quarantine}
`;

  it('moves exactly the failing rows aside with their rules, publishes the rest; re-runs replace them; the rate breaker publishes nothing', async () => {
    const p = await pool.create({ files: {
      'seeds/products.csv': 'product,name\n10,a\n20,b\n', 'models/items.sql': ITEMS, 'models/daily.sql': DAILY, 'models/props.yml': PROPS,
    } });
    const run = await p.sf('build');
    expect(run.code, run.text).toBe(0);
    expect(run.text).toMatch(/quarantined 4 of 6 rows into \S*items__quarantine: unique_items_id 2, dbt_utils_expression_is_true_items_qty___0 1, relationships_items_product__product__ref_products_ 1, not_null_items_product 1/);
    const ids = async (rel: string) => (await p.query(`select id from ${p.sql(rel)} order by id`)).map((r) => Number(r['id']));
    expect(await ids('items')).toEqual([1, 5]);
    const quarantined = async () => (await p.query(`select id, sf_test, sf_reason, sf_partition from ${p.sql('items__quarantine')} order by id, sf_test`))
      .map((r) => [Number(r['id']), r['sf_test'], r['sf_partition']]);
    expect(await quarantined()).toEqual([
      [2, 'dbt_utils_expression_is_true_items_qty___0', null],
      [3, 'unique_items_id', null],
      [3, 'unique_items_id, relationships_items_product__product__ref_products_', null],
      [4, 'not_null_items_product', null],
    ]);
    const reasons = (await p.query(`select sf_reason from ${p.sql('items__quarantine')} where id = 4`)).map((r) => r['sf_reason']);
    expect(reasons).toEqual(['product is null']);

    // A batch's quarantine rows carry its partition; re-running it replaces exactly those.
    expect(await ids('daily')).toEqual([1, 3]);
    const daily = async () => (await p.query(`select id, sf_partition from ${p.sql('daily__quarantine')} order by id`)).map((r) => [Number(r['id']), r['sf_partition']]);
    expect(await daily()).toEqual([[2, '2026-06-01']]);
    expect((await p.sf('run', '--select', 'daily', '--start', '2026-06-01', '--end', '2026-06-02')).code).toBe(0);
    const perBatch = (JSON.parse(p.read('target/run_results.json')).results as { batches: { partition: string; tests: { status: string; quarantined: number }[] }[] }[])[0]!.batches;
    expect(perBatch.map((b) => [b.partition, b.tests.map((t) => [t.status, t.quarantined])])).toEqual([
      ['2026-06-01', [['warn', 1]]], ['2026-06-02', [['pass', 0]]],
    ]);
    expect(await daily()).toEqual([[2, '2026-06-01']]);
    expect(await ids('daily')).toEqual([1, 3]);

    // Build again: the same published rows and the same quarantined rows; JUnit shows the notes.
    const junit = join(p.dir, 'target/build.xml');
    expect((await p.sf('build', '--junit', junit)).code).toBe(0);
    const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8')).testsuites.testsuite;
    // A testcase per node (3) and per data test of each write (items: 4, daily's one batch: 1).
    expect(suite).toMatchObject({ name: 'sf build', tests: '8', failures: '0' });
    const cases = suite.testcase as { name: string; file?: string; line?: string; 'system-out'?: string }[];
    expect(cases.find((c) => c.name === 'items')).toMatchObject({ file: 'models/items.sql', 'system-out': expect.stringContaining('quarantined 4 of 6 rows') });
    expect(cases.find((c) => c.name === 'unique_items_id')).toMatchObject({ file: 'models/props.yml', line: '7', 'system-out': '2 rows quarantined into items__quarantine' });
    // run_results: each test's status, failures and quarantined rows, per batch for batched models.
    const built = JSON.parse(p.read('target/run_results.json')).results as { unique_id: string; tests?: unknown[]; batches?: { tests?: unknown[] }[] }[];
    expect(built.find((r) => r.unique_id === 'model.conformance.items')?.tests).toContainEqual(
      expect.objectContaining({ unique_id: 'test.conformance.not_null_items_product', status: 'warn', failures: 1, quarantined: 1 }));
    expect(built.find((r) => r.unique_id === 'model.conformance.daily')?.tests).toEqual([
      expect.objectContaining({ unique_id: 'test.conformance.dbt_utils_expression_is_true_daily_qty___0', status: expect.any(String), quarantined: expect.any(Number) })]);
    expect(await ids('items')).toEqual([1, 5]);
    expect(await quarantined()).toHaveLength(4);

    // Above max_quarantine_rate: the model fails, nothing is published or quarantined anew.
    const tripped = await p.sf('run', '--select', 'items', '--vars', '{"rate": 0.3}');
    expect(tripped.code).toBe(1);
    const trippedTests = (JSON.parse(p.read('target/run_results.json')).results as { tests: { unique_id: string; status: string; failures: number; quarantined: number }[] }[])[0]!.tests;
    expect(trippedTests.map((t) => [t.unique_id.replace('test.conformance.', ''), t.status, t.failures, t.quarantined])).toEqual([
      // unique counts as dbt does: one per duplicated value (id 3, on two rows).
      ['unique_items_id', 'fail', 1, 0], ['dbt_utils_expression_is_true_items_qty___0', 'fail', 1, 0], ['relationships_items_product__product__ref_products_', 'fail', 1, 0], ['not_null_items_product', 'fail', 1, 0],
    ]);
    expect(tripped.text).toMatch(/4 of 6 rows \(66\.67%\) broke quarantine rules \(unique_items_id 2, dbt_utils_expression_is_true_items_qty___0 1, relationships_items_product__product__ref_products_ 1, not_null_items_product 1\), above max_quarantine_rate 0\.3; nothing was published/);
    expect(await ids('items')).toEqual([1, 5]);
    expect(await quarantined()).toHaveLength(4);
  });
  it('counts failures as dbt does (distinct values for accepted_values and unique, capped by limit) and applies a where to the duplicates too', async () => {
    const p = await pool.create({ files: {
      'models/codes.sql': `{{ config(materialized='table') }}
select 1 as id, 'a' as code, 1 as live
union all select 2, 'x', 1
union all select 3, 'x', 1
union all select 4, 'y', 1
union all select 5, 'y', 0
union all select 6, 'b', 0
union all select 6, 'b', 1`,
      'models/props.yml': `version: 2
models:
  - name: codes
    columns:
      - name: code
        data_tests:
          - accepted_values:
              values: ['a', 'b']
              config: {severity: quarantine, limit: 1}
      - name: id
        data_tests:
          - unique:
              config: {severity: quarantine, where: "live = 1"}
`,
    } });
    const run = await p.sf('run');
    expect(run.code, run.text).toBe(0);
    // id 6 is duplicated only counting a row the where leaves out: no row fails unique.
    expect(run.text).toMatch(/quarantined 4 of 7 rows into \S*codes__quarantine: accepted_values_codes_code__a__b 4, unique_codes_id 0/);
    const tests = (JSON.parse(p.read('target/run_results.json')).results as { tests: { unique_id: string; status: string; failures: number; quarantined: number }[] }[])[0]!.tests;
    expect(tests.map((t) => [t.unique_id.replace('test.conformance.', ''), t.status, t.failures, t.quarantined])).toEqual([
      // Two values outside the list (x, y) on four rows; limit 1 caps the count, not the rows moved.
      ['accepted_values_codes_code__a__b', 'warn', 1, 4], ['unique_codes_id', 'pass', 0, 0],
    ]);
    const kept = (await p.query(`select id, live from ${p.sql('codes')} order by id, live`)).map((r) => [Number(r['id']), Number(r['live'])]);
    expect(kept).toEqual([[1, 1], [6, 0], [6, 1]]);
  });
});

describe('a reader during an audit (postgres)', () => {
  const pool = new ProjectPool('postgres', () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('sees the previous table, never the rows being audited, until the build publishes', async () => {
    const p = await pool.create({ files: {
      // The audit of the new rows is slow: the test sleeps \`pause\` seconds per row it checks (once a row).
      'models/t.sql': "{{ config(materialized='table') }}\nselect {{ var('v', 1) }} as v, 1 as id, {{ var('pause', 0) }} as pause union all select {{ var('v', 1) }}, -1, {{ var('pause', 0) }}",
      'models/props.yml': `version: 2
models:
  - name: t
    columns:
      - name: id
        data_tests:
          - dbt_utils.expression_is_true:
              expression: "> 0 or pg_sleep(pause) is not null"
              config: {severity: quarantine}
`,
    } });
    expect((await p.sf('build')).code).toBe(0);
    const read = async () => (await p.query(`select v, id from ${p.sql('t')} order by id`)).map((r) => [Number(r['v']), Number(r['id'])]);
    const before = await read();
    expect(before).toEqual([[1, -1], [1, 1]]);
    let finished = false;
    const build = p.sf('build', '--vars', '{"v": 2, "pause": 1}').then((r) => ((finished = true), r));
    const seen: unknown[] = [];
    let oldWhileBuilding = 0;
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const building = !finished;
      const rows = await read();
      if (building && JSON.stringify(rows) === JSON.stringify(before)) oldWhileBuilding++;
      seen.push(rows);
    }
    expect((await build).code).toBe(0);
    const after = await read();
    expect(after).toEqual([[2, -1], [2, 1]]);
    // Every read saw the old table or the published new one, never a state in between; and
    // reads during the audit saw the old table.
    for (const rows of seen) expect([before, after]).toContainEqual(rows);
    expect(oldWhileBuilding).toBeGreaterThanOrEqual(3);
  });
});

// PostgreSQL runs `x in (subquery)` and `x not in (subquery)` whose set it expects not to fit in
// work_mem as a scan of the set per row. The audit joins its lookups instead; with a parent the
// planner knows is large (analyzed) and a small work_mem, the old form took hours, past this
// statement_timeout.
describe('quarantine against a large parent on postgres', () => {
  const pool = new ProjectPool('postgres', () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('audits 60,001 rows against a 60,000-row analyzed parent with 64kB of work_mem', async () => {
    const p = await pool.create({ files: {
      'models/parents.sql': `{{ config(materialized='table', post_hook='analyze {{ this }}') }}\nselect g as product from generate_series(1, 60000) as g`,
      // Every 1000th row points at no parent; id 1 twice.
      'models/children.sql': `{{ config(materialized='table') }}\nselect g as id, case when g % 1000 = 0 then -g else g end as product from generate_series(1, 60000) as g\nunion all select 1, 1`,
      'models/props.yml': `version: 2\nmodels:\n  - name: children\n    columns:\n      - name: id\n        data_tests:\n          - unique: {config: {severity: quarantine}}\n      - name: product\n        data_tests:\n          - relationships:\n              to: ref('parents')\n              field: product\n              config: {severity: quarantine}\n`,
    } });
    const run = await p.spawnSf(['build'], { PGOPTIONS: '-c work_mem=64kB -c statement_timeout=60s' }).done;
    expect(run.code, run.text).toBe(0);
    expect(run.text).toMatch(/quarantined 62 of 60001 rows into \S*children__quarantine: unique_children_id 2, relationships_children_product__product__ref_parents_ 60/);
    const counts = await p.query(`select sf_test, count(*) as n from ${p.sql('children__quarantine')} group by sf_test order by sf_test`);
    expect(counts.map((r) => [r['sf_test'], Number(r['n'])])).toEqual([['relationships_children_product__product__ref_parents_', 60], ['unique_children_id', 2]]);
    expect(Number((await p.query(`select count(*) as n from ${p.sql('children')}`))[0]!['n'])).toBe(59939);
  }, 120_000);
});

// SQLite compares an integer with text by the column's affinity: three distinct parent keys
// ('1', '01', '1.0') equal the child's 1. A row failing another rule too is quarantined once.
describe('quarantine with parent keys of another type on sqlite', () => {
  const pool = new ProjectPool('sqlite', () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('moves a row once, however many parent keys equal its value', async () => {
    const p = await pool.create({ files: {
      'models/parents.sql': `{{ config(materialized='table') }}\nselect cast('1' as text) as k union all select cast('01' as text) union all select cast('1.0' as text)`,
      'models/children.sql': `{{ config(materialized='table') }}\nselect 1 as id, cast(1 as integer) as k, cast(null as text) as x union all select 2, 1, 'ok'`,
      'models/props.yml': `version: 2\nmodels:\n  - name: children\n    columns:\n      - name: k\n        data_tests:\n          - relationships:\n              to: ref('parents')\n              field: k\n              config: {severity: quarantine}\n      - name: x\n        data_tests:\n          - not_null: {config: {severity: quarantine}}\n`,
    } });
    const run = await p.sf('build');
    expect(run.code, run.text).toBe(0);
    expect(run.text).toMatch(/quarantined 1 of 2 rows/);
    expect((await p.query(`select id, sf_test from ${p.sql('children__quarantine')}`)).map((r) => [Number(r['id']), r['sf_test']])).toEqual([[1, 'not_null_children_x']]);
  });
});
