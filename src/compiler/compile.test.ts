import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../session/project.js';
import { UserError, UserErrors } from '../util/errors.js';
import { tempProject, type TempProject } from '../testing/project.js';

let project: TempProject | undefined;
afterEach(() => project?.cleanup());

async function compile(files: Record<string, string>, opts: { vars?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {}) {
  project = tempProject({ 'seeds/things.csv': 'id,name\n1,a\n', ...files });
  const loaded = await loadProject({ projectDir: project.dir, vars: opts.vars, env: opts.env ?? {} });
  return (name: string) => loaded.compiled.models.find((m) => m.node.name === name)!;
}

async function compileError(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<UserError[]> {
  project = tempProject({ 'seeds/things.csv': 'id,name\n1,a\n', ...files });
  try {
    await loadProject({ projectDir: project.dir, env });
  } catch (err) {
    if (err instanceof UserErrors) return [...err.errors];
    if (err instanceof UserError) return [err];
    throw err;
  }
  throw new Error('expected a compile error');
}

describe('template context', () => {
  it('ref() renders the quoted relation and records the dependency', async () => {
    const m = await compile({ 'models/a.sql': 'select 1 as x', 'models/b.sql': 'select * from {{ ref("a") }}' });
    expect(m('b').sql).toBe('select * from "main"."a"');
    expect(m('b').refs).toEqual(['a']);
  });

  it('ref() to a seed and source() to a declared source', async () => {
    const m = await compile({ 'models/a.sql': "select * from {{ ref('things') }} join {{ source('raw', 'things') }} using (id)" });
    expect(m('a').sql).toBe('select * from "main"."things" join "raw"."things" using (id)');
    expect(m('a').sources).toEqual([{ source: 'raw', table: 'things' }]);
  });

  it('config() sets materialization, tags, schema and alias; this and target follow', async () => {
    const m = await compile({
      'models/a.sql': "{{ config(materialized='table', tags=['daily'], schema='marts', alias='a_final') }}select '{{ this }}' as me, '{{ this.name }}' as n, '{{ target.type }}/{{ target.name }}' as t",
    });
    expect(m('a').settings).toMatchObject({ materialized: 'table', tags: ['daily'], schema: 'marts', alias: 'a_final' });
    expect(m('a').relation).toEqual({ schema: 'marts', name: 'a_final' });
    expect(m('a').sql).toBe(`select '"marts"."a_final"' as me, 'a_final' as n, 'duckdb/dev' as t`);
  });

  it('var() reads --vars over config vars, falls back to its default', async () => {
    const files = { 'models/a.sql': "select {{ var('threshold') }} as t, '{{ var('missing', 'dflt') }}' as d" };
    expect((await compile(files))('a').sql).toBe("select 2 as t, 'dflt' as d");
    expect((await compile(files, { vars: { threshold: 7 } }))('a').sql).toBe("select 7 as t, 'dflt' as d");
  });

  it('env_var() reads the environment or its default', async () => {
    const m = await compile({ 'models/a.sql': "select '{{ env_var('SF_TEST_REGION') }}' as r, '{{ env_var('NOPE', 'x') }}' as d" }, { env: { SF_TEST_REGION: 'eu' } });
    expect(m('a').sql).toBe("select 'eu' as r, 'x' as d");
  });

  it('is_incremental() is false in the project compile, and what a run says when rendered for it', async () => {
    project = tempProject({ 'seeds/things.csv': 'id,name\n1,a\n', 'models/a.sql': 'select {% if is_incremental() %}1{% else %}0{% endif %} as inc' });
    const loaded = await loadProject({ projectDir: project.dir, env: {} });
    expect(loaded.compiled.models[0]!.sql).toBe('select 0 as inc');
    expect(loaded.compiled.render('a', { isIncremental: true })).toBe('select 1 as inc');
  });

  it('config.get() reads the settings, partitions included; predicates is dbt\'s older name', async () => {
    project = tempProject({
      'seeds/things.csv': 'id,name\n1,a\n',
      'models/a.sql': `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d', partitions=["'2026-06-01'", "'2026-06-02'"]) }}
select d from x where d in ({{ config.get('partitions') | join(', ') }}) and '{{ config.get('nope', 'dflt') }}' = 'dflt'`,
      'models/b.sql': "{{ config(materialized='incremental', unique_key='id', predicates=['id > 1']) }}select 1 as id",
    });
    const loaded = await loadProject({ projectDir: project.dir, env: {} });
    expect(loaded.compiled.models.find((m) => m.node.name === 'a')!.sql).toContain("where d in ('2026-06-01', '2026-06-02') and 'dflt' = 'dflt'");
    const { incrementalSpec } = await import('./incremental-settings.js');
    expect(incrementalSpec(loaded.compiled.models.find((m) => m.node.name === 'b')!.settings).predicates).toEqual(['id > 1']);
  });

  it('config.get() reads a custom config key, as dbt keeps them', async () => {
    project = tempProject({ 'models/c.sql': "{{ config(materialized='table', owner_team='growth') }}select '{{ config.get('owner_team') }}' as team" });
    const loaded = await loadProject({ projectDir: project.dir, env: {} });
    expect(loaded.compiled.models[0]!.sql).toBe("select 'growth' as team");
    expect(loaded.compiled.models[0]!.settings.materialized).toBe('table');
  });

  it('a ref only inside is_incremental() needs a depends_on line, as in dbt', async () => {
    project = tempProject({
      'seeds/things.csv': 'id,name\n1,a\n',
      'models/late.sql': "{{ config(materialized='incremental') }}select 1 as id{% if is_incremental() %} union all select id from {{ ref('things') }}{% endif %}",
    });
    const loaded = await loadProject({ projectDir: project.dir, env: {} });
    expect(() => loaded.compiled.render('late', { isIncremental: true })).toThrow(/refs 'things' only when is_incremental\(\) or execute is true/);
  });

  it('macros from macros/**/*.sql are callable from any model and see target', async () => {
    const m = await compile({
      'macros/money.sql': "{% macro cents(col) %}cast(round({{ col }} * 100) as bigint){% endmacro %}",
      'macros/nested/eng.sql': "{% macro engine() %}{{ target.type }}{% endmacro %}",
      'models/a.sql': "select {{ cents('price') }} as c, '{{ engine() }}' as e from {{ ref('things') }}",
    });
    expect(m('a').sql).toBe(`select cast(round(price * 100) as bigint) as c, 'duckdb' as e from "main"."things"`);
  });

  it('ephemeral models are inlined as CTEs, also into a query with its own WITH', async () => {
    const m = await compile({
      'models/e1.sql': "{{ config(materialized='ephemeral') }}select id from {{ ref('things') }}",
      'models/e2.sql': "{{ config(materialized='ephemeral') }}select id * 2 as id from {{ ref('e1') }}",
      'models/plain.sql': '-- header\nselect * from {{ ref("e2") }}',
      'models/withs.sql': 'with x as (select 1 as id)\nselect * from x join {{ ref("e1") }} using (id)',
    });
    expect(m('plain').sql).toBe(
      '-- header\nwith __sf_cte__e2 as (\nwith __sf_cte__e1 as (\nselect id from "main"."things"\n)\nselect id * 2 as id from __sf_cte__e1\n)\nselect * from __sf_cte__e2',
    );
    expect(m('withs').sql).toBe('with __sf_cte__e1 as (\nselect id from "main"."things"\n),\nx as (select 1 as id)\nselect * from x join __sf_cte__e1 using (id)');
  });

  it('models with enabled: false are left out', async () => {
    project = tempProject({ 'models/a.sql': "{{ config(enabled=false) }}select 1", 'models/b.sql': 'select 2' });
    const loaded = await loadProject({ projectDir: project.dir });
    expect(loaded.compiled.models.map((m) => m.node.name)).toEqual(['b']);
  });
});

describe('template errors carry file, line and a hint', () => {
  it('syntax error', async () => {
    const [e] = await compileError({ 'models/a.sql': 'select 1\nfrom x\n{% if %}' });
    expect(e!.code).toBe('TEMPLATE_SYNTAX');
    expect(e!.format()).toMatch(/^models\/a\.sql:3: template syntax error/);
  });

  it('ref() to a missing model suggests the closest name', async () => {
    const [e] = await compileError({ 'models/stg_orders.sql': 'select 1', 'models/b.sql': "select 1\nfrom {{ ref('stg_order') }}" });
    expect(e!.code).toBe('REF_NOT_FOUND');
    expect(e!.format()).toContain('models/b.sql:2:');
    expect(e!.hint).toBe("did you mean 'stg_orders'?");
  });

  it('undeclared source', async () => {
    const [e] = await compileError({ 'models/a.sql': "select * from {{ source('raw', 'orderz') }}" });
    expect(e!.code).toBe('SOURCE_NOT_FOUND');
    expect(e!.format()).toContain("models/a.sql:1: source('raw', 'orderz')");
  });

  it('unknown config key and bad config value', async () => {
    const errors = await compileError({
      'models/a.sql': "{{ config(materialised='table') }}select 1",
      'models/b.sql': "select 1\n{{ config(materialized='tabel') }}",
    });
    expect(errors.map((e) => e.code)).toEqual(['MODEL_CONFIG', 'MODEL_CONFIG']);
    expect(errors[0]!.message).toContain("unknown config 'materialised': did you mean 'materialized'?");
    expect(errors[1]!.format()).toMatch(/^models\/b\.sql:2: bad config\(\) in model 'b': materialized:/);
  });

  it('a secret environment variable in a template is refused, naming the model', async () => {
    const [e] = await compileError({ 'models/leak.sql': "select '{{ env_var('SF_SECRET_TOKEN') }}'" }, { SF_SECRET_TOKEN: 'hunter22' });
    expect(e!.code).toBe('SECRET_IN_TEMPLATE');
    expect(e!.message).toContain("model 'leak'");
    expect(e!.format()).not.toContain('hunter22');
  });

  it('a var with no value and no default', async () => {
    const [e] = await compileError({ 'models/a.sql': "select {{ var('nope') }}" });
    expect(e!.message).toContain("var('nope')");
  });

  it('errors in several models are reported together', async () => {
    const errors = await compileError({ 'models/a.sql': '{{ ref("x") }}', 'models/b.sql': '{{ ref("y") }}' });
    expect(errors.map((e) => e.location?.file)).toEqual(['models/a.sql', 'models/b.sql']);
  });

  it('two models with the same name', async () => {
    const [e] = await compileError({ 'models/a/dup.sql': 'select 1', 'models/b/dup.sql': 'select 2' });
    expect(e!.code).toBe('DUPLICATE_NODE');
    expect(e!.message).toContain('models/a/dup.sql and models/b/dup.sql');
  });
});
