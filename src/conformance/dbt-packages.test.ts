// A dbt project with packages (one in dbt_packages/, one by packages.yml `local:`) and models
// that ask the warehouse while they render (run_query, statement/load_result,
// adapter.get_columns_in_relation, execute), on each engine: package macros are called under
// their package's name, dispatch follows dbt_project.yml's search order (the project overriding
// a package macro), package generic tests run, and the warehouse is asked once the model's
// parents are built.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { profilesFor } from './dbt-profiles.js';
import { toInt } from './values.js';

const FILES: Record<string, string> = {
  'dbt_project.yml': [
    'name: shop', 'profile: shop', 'seed-paths: [seeds]',
    // The project's own <engine>__greet / default__greet come before the package's.
    'dispatch:', '  - macro_namespace: greeter', '    search_order: [shop, greeter]',
  ].join('\n'),
  'packages.yml': 'packages:\n  - package: acme/greeter\n    version: 1.0.0\n  - local: vendor/mathpkg\n  - package: acme/absent\n    version: 2.0.0\n',
  'dbt_packages/greeter/dbt_project.yml': 'name: greeter\nversion: "1.0.0"\n',
  'dbt_packages/greeter/macros/greet.sql': [
    "{% macro greet(who) %}{{ return(adapter.dispatch('greet', 'greeter')(who)) }}{% endmacro %}",
    "{% macro default__greet(who) %}'hello ' || {{ who }}{% endmacro %}",
    '{% macro shout(x) %}upper({{ x }}){% endmacro %}',
  ].join('\n'),
  'dbt_packages/greeter/macros/tests.sql': '{% test at_least(model, column_name, floor) %}select * from {{ model }} where {{ column_name }} < {{ floor }}{% endtest %}',
  // A macro file sf cannot parse costs only its own macros, with a warning.
  'dbt_packages/greeter/macros/odd.sql': '{% macro odd() %}{% if %}{% endmacro %}',
  'dbt_packages/greeter/models/pkg_model.sql': 'select 1 as x',
  'vendor/mathpkg/dbt_project.yml': 'name: mathpkg\n',
  'vendor/mathpkg/macros/m.sql': '{% macro twice(x) %}({{ x }} * 2){% endmacro %}',
  'macros/greet.sql': "{% macro default__greet(who) %}'hi ' || {{ who }}{% endmacro %}",
  'macros/helpers.sql': [
    '{% macro column_list(rel) %}',
    '{%- if not execute %}*{% else -%}',
    '{%- for c in adapter.get_columns_in_relation(rel) | sort(attribute="name") %}{{ adapter.quote(c.name) }}{% if not loop.last %}, {% endif %}{% endfor -%}',
    '{%- endif %}',
    '{% endmacro %}',
    '{% macro colors() %}',
    "{% set r = run_query('select distinct color from ' ~ ref('items') ~ ' order by 1') %}",
    '{% if execute %}{{ return(r.columns[0].values()) }}{% else %}{{ return([]) }}{% endif %}',
    '{% endmacro %}',
  ].join('\n'),
  'seeds/items.csv': 'id,color,size\n1,red,S\n2,blue,S\n3,red,M\n4,green,M\n',
  'models/greeting.sql': "select {{ greeter.greet(\"'bob'\") }} as g, {{ greeter.shout(\"'a'\") }} as s, {{ mathpkg.twice(21) }} as n",
  'models/pivoted.sql': "{{ config(materialized='table') }}\nselect size{% for c in colors() %}, sum(case when color = '{{ c }}' then 1 else 0 end) as {{ c }}{% endfor %}\nfrom {{ ref('items') }} group by size",
  'models/listed.sql': "{{ config(materialized='table') }}\nselect {{ column_list(ref('items')) }} from {{ ref('items') }}",
  'models/counted.sql': [
    "{{ config(materialized='table') }}",
    "{% call statement('n', fetch_result=True) %}select count(*) as n from {{ ref('items') }}{% endcall %}",
    "{% set res = load_result('n') %}",
    "select {{ res['data'][0][0] if execute else 0 }} as n_at_render, {% if execute %}'yes'{% else %}'no'{% endif %} as executed,",
    "  '{% if execute %}{% for name, col in res['table'].columns.items() %}{{ name }}={{ col.values() | length }}{% endfor %}{% endif %}' as cols",
  ].join('\n'),
  // A query with no rows still has its columns; `<database>.information_schema` works on DuckDB too.
  'models/empty_cols.sql': [
    "{% set r = run_query('select id, color from ' ~ ref('items') ~ ' where 1 = 0') %}",
    '{% set t = none %}',
    "{% if target.type != 'sqlite' %}{% set t = run_query(\"select count(*) as n from \" ~ target.database ~ \".information_schema.tables where table_name = 'items' and table_schema = '\" ~ this.schema ~ \"'\") %}{% endif %}",
    "select '{{ r.column_names | join(',') if execute else '' }}' as cols, {{ (r.rows | length) if execute else -1 }} as n, {{ t.columns[0].values()[0] if execute and t else 1 }} as seen",
  ].join('\n'),
  // ref() is schema-qualified on every engine: a CTE may share the name of what it reads.
  'models/shadowed.sql': "with items as (select * from {{ ref('items') }} where id > 2) select count(*) as n from items",
  // A test block reading its own model by ref() (dbt_utils' equality to itself) asks about the rows being written.
  'macros/same_width.sql': [
    '{% test same_width(model, other) %}',
    '{% set a = adapter.get_columns_in_relation(model) | length %}{% set b = adapter.get_columns_in_relation(other) | length %}',
    'select 1 as failing where {{ a }} != {{ b }}',
    '{% endtest %}',
  ].join('\n'),
  'seeds/schema.yml': "version: 2\nseeds:\n  - name: items\n    data_tests:\n      - same_width: {other: \"ref('items')\"}\n",
  // Singular tests render with `execute` true, as dbt runs them; one asks the warehouse.
  'tests/executes.sql': "select 1 as failing from {{ ref('items') }} {% if execute %}where 1 = 0{% endif %}",
  'tests/asks.sql': "{% set n = run_query('select count(*) as n from ' ~ ref('items')).columns[0].values()[0] if execute else 0 %}select 1 as failing from {{ ref('items') }} where {{ n }} != 4",
  'models/schema.yml': [
    'version: 2', 'models:', '  - name: greeting', '    columns:', '      - name: n', '        data_tests:',
    '          - greeter.at_least: {floor: 40}',
    '          - at_least: {floor: 50, config: {severity: warn}}',
  ].join('\n'),
};

describe.each(ENGINES)('dbt packages and warehouse questions on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let early: CliRun;
  let build: CliRun;
  let compile: CliRun;

  beforeAll(async () => {
    p = await pool.create({ files: FILES });
    rmSync(join(p.dir, 'sf.config.ts'));
    p.write('profiles.yml', profilesFor(engine, p.target, 'shop'));
    early = await p.sf('compile');
    build = await p.sf('build');
    compile = await p.sf('compile');
  });
  afterAll(() => pool.disposeAll());

  it('calls package macros by their package, with dispatch following dbt_project.yml', async () => {
    expect(build.code, build.text).toBe(0);
    const [row] = await p.query(`select g, s, n from ${p.sql('greeting')}`);
    expect({ ...row, n: toInt(row!['n']) }).toEqual({ g: 'hi bob', s: 'A', n: 42 });
  });

  it("runs a package's generic test, by its qualified and its bare name, named as dbt names them", async () => {
    // 42 passes `>= 40`; `>= 50` fails its one row, configured to warn.
    expect(build.text).toMatch(/warning: at_least_greeting_n__50 \(models\/schema\.yml:8\): 1 failing row/);
    expect(build.text).toMatch(/Done\. PASS=8 WARN=1 ERROR=0 SKIP=0 TOTAL=9/);
    const test = await p.sf('test');
    expect(test.text).toMatch(/PASS greeter_at_least_greeting_n__40 /);
    expect(test.text).toMatch(/WARN 1 at_least_greeting_n__50 /);
    expect(test.text).toMatch(/PASS executes /);
    expect(test.text).toMatch(/PASS asks /);
    expect(test.text).toMatch(/PASS same_width_items_ref_items_ /);
  });

  it("says once each: the missing package, the package's skipped models, the file it cannot read", () => {
    expect(build.err.join('\n')).toMatch(/packages\.yml: acme\/absent \[2\.0\.0\] is not installed in dbt_packages\//);
    expect(build.err.join('\n')).toMatch(/dbt_packages\/greeter: package 'greeter' has 1 model; sf builds the root project's models only/);
    expect(build.err.join('\n')).toMatch(/dbt_packages\/greeter\/macros\/odd\.sql:1: sf cannot read this macro file of package 'greeter'/);
  });

  it('asks the warehouse once the parents are built: run_query, statement and load_result, a relation\'s columns', async () => {
    const pivot = await p.query(`select * from ${p.sql('pivoted')} order by size`);
    expect(pivot.map((r) => [r['size'], toInt(r['blue']), toInt(r['green']), toInt(r['red'])])).toEqual([['M', 0, 1, 1], ['S', 1, 0, 1]]);
    const [counted] = await p.query(`select n_at_render, executed, cols from ${p.sql('counted')}`);
    expect({ n: toInt(counted!['n_at_render']), executed: counted!['executed'], cols: counted!['cols'] }).toEqual({ n: 4, executed: 'yes', cols: 'n=1' });
    const listed = await p.query(`select * from ${p.sql('listed')} order by id`);
    expect(Object.keys(listed[0]!).sort()).toEqual(['color', 'id', 'size']);
    expect(listed).toHaveLength(4);
    const [empty] = await p.query(`select cols, n, seen from ${p.sql('empty_cols')}`);
    expect({ cols: empty!['cols'], n: toInt(empty!['n']), seen: toInt(empty!['seen']) }).toEqual({ cols: 'id,color', n: 0, seen: 1 });
    expect(toInt((await p.query(`select n from ${p.sql('shadowed')}`))[0]!['n'])).toBe(2);
    expect(build.text).toMatch(/\n {4}PASS same_width_items_ref_items_\n/);
    // The compiled file holds the SQL that ran.
    expect(p.read('target/compiled/shop/models/pivoted.sql')).toMatch(/as blue, sum\(case when color = 'green'/);
  });

  it('sf compile asks the warehouse only for the models that need it: before the build it names the failing query', () => {
    expect(early.code).toBe(1);
    expect(early.err.join('\n')).toMatch(/models\/pivoted\.sql: model 'pivoted': the query its run_query\(\) runs while rendering failed/);
    expect(early.err.join('\n')).toMatch(/build the model's parents: sf build --select \+pivoted/);
    expect(compile.code, compile.text).toBe(0);
    expect(compile.err.join('\n')).toMatch(/Connecting to target '\w+': models counted, empty_cols, listed, pivoted query the warehouse while rendering\./);
    expect(p.read('target/compiled/shop/models/listed.sql')).toMatch(/select "color", "id", "size"\s+from/);
  });
});
