// dbt projects read as dbt reads them: dbt_project.yml's paths, vars and per-folder configs
// (with and without `+`, Jinja in values), profiles.yml found where dbt finds it, dbt's schema
// names, subfolder seeds with their configs, and every config key either applied, warned about
// once, or refused with a suggestion. Engine-independent: DuckDB.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../testing/project.js';

const PROFILES = `shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('SHOP_DB_DIR', 'target') }}/dev.duckdb"
    other:
      type: duckdb
      path: target/other.duckdb
      schema: analytics
`;

const PROJECT = `name: shop
version: '1.0'
config-version: 2
profile: shop
model-paths: ["transform"]
seed-paths: ["data"]
clean-targets: ["target"]
require-dbt-version: ">=1.5.0"
vars:
  region: global
  threshold: 1
  shop:
    threshold: 5
models:
  +tags: ['everything']
  shop:
    +materialized: table
    staging:
      materialized: view
      +schema: stg
      +tags: staging
      stg_special:
        +materialized: table
    extra:
      +enabled: "{{ var('load_extra', false) }}"
seeds:
  shop:
    +column_types: {id: varchar}
    lookups:
      +schema: ref
      +delimiter: ";"
      codes:
        +alias: code_list
    drafts:
      +enabled: false
`;

const FILES: Record<string, string> = {
  'dbt_project.yml': PROJECT,
  'profiles.yml': PROFILES,
  'transform/staging/stg_a.sql': "select 1 as id, '{{ var(\"region\") }}' as region, {{ var('threshold') }} as threshold",
  'transform/staging/stg_special.sql': 'select * from {{ ref("stg_a") }}',
  'transform/marts/mart.sql': 'select * from {{ ref("stg_a") }} join {{ ref("codes") }} using (id)',
  'transform/extra/extra.sql': 'select 2 as id',
  'data/people.csv': 'id,name\n1,ann\n',
  'data/lookups/codes.csv': 'id;code\n1;x\n',
  'data/drafts/broken.csv': 'a,b\n1\n',
};

let p: TempProject | undefined;
afterEach(() => p?.cleanup());

function dbtProject(files: Record<string, string> = FILES): TempProject {
  p = tempProject(files);
  rmSync(join(p.dir, 'sf.config.ts'));
  return p;
}

interface ManifestNode { relation: string; config: { materialized: string; tags: string[] } }
const nodes = (project: TempProject) => JSON.parse(readFileSync(join(project.dir, 'target/manifest.json'), 'utf8')).nodes as Record<string, ManifestNode>;

describe('a dbt project', () => {
  it('reads the paths, the folder configs with and without +, dbt schema names and the Jinja in dbt_project.yml', async () => {
    const project = dbtProject();
    const compiled = await project.sf('compile');
    expect(compiled.code, compiled.err).toBe(0);
    const n = nodes(project);
    expect(n['model.shop.stg_a']).toMatchObject({ relation: 'main_stg.stg_a', config: { materialized: 'view', tags: ['everything', 'staging'] } });
    // A file's own entry wins over its folder's.
    expect(n['model.shop.stg_special']).toMatchObject({ relation: 'main_stg.stg_special', config: { materialized: 'table' } });
    expect(n['model.shop.mart']).toMatchObject({ relation: 'main.mart', config: { materialized: 'table', tags: ['everything'] } });
    // +enabled from a var: off by default, on with --vars in YAML form.
    expect(n['model.shop.extra']).toBeUndefined();
    expect((await project.sf('compile', '--vars', 'load_extra: true')).code).toBe(0);
    expect(nodes(project)['model.shop.extra']).toMatchObject({ relation: 'main.extra' });
  });

  it('applies a property file\'s config: over dbt_project.yml\'s, under the model\'s own config()', async () => {
    const project = dbtProject({
      ...FILES,
      'transform/marts/_props.yml': `version: 2
models:
  - name: mart
    config:
      materialized: view
      schema: props
      tags: [from_props]
  - name: stg_special
    config:
      materialized: view
      materialised: table
seeds:
  - name: people
    config:
      column_types: {name: varchar(20)}
      alias: persons
`,
      'transform/staging/stg_special.sql': "{{ config(materialized='table') }}select * from {{ ref('stg_a') }}",
    });
    const refused = await project.sf('compile');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/transform\/marts\/_props\.yml:11: unknown config 'materialised': did you mean 'materialized'\?/);
    project.write('transform/marts/_props.yml', readFileSync(join(project.dir, 'transform/marts/_props.yml'), 'utf8').replace('      materialised: table\n', ''));
    const compiled = await project.sf('compile');
    expect(compiled.code, compiled.err).toBe(0);
    const n = nodes(project);
    expect(n['model.shop.mart']).toMatchObject({ relation: 'main_props.mart', config: { materialized: 'view', tags: ['everything', 'from_props'] } });
    // config() in the SQL wins over the property file.
    expect(n['model.shop.stg_special']).toMatchObject({ config: { materialized: 'table' } });
    expect((n as Record<string, { relation: string }>)['seed.shop.people']).toMatchObject({ relation: 'main.persons' });
  });

  it('names schemas and relations with the project\'s own generate_schema_name and generate_alias_name', async () => {
    const project = dbtProject({
      ...FILES,
      'macros/naming.sql': `{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
  {%- if custom_alias_name -%}{{ custom_alias_name | trim }}{%- elif node.resource_type == 'seed' -%}seed_{{ node.name }}{%- else -%}{{ node.name }}{%- endif -%}
{%- endmacro %}
`,
    });
    const built = await project.sf('build');
    expect(built.code, built.out + built.err).toBe(0);
    const n = nodes(project) as Record<string, { relation: string }>;
    expect([n['model.shop.stg_a']?.relation, n['model.shop.mart']?.relation, n['seed.shop.people']?.relation, n['seed.shop.codes']?.relation])
      .toEqual(['stg.stg_a', 'main.mart', 'main.seed_people', 'ref.code_list']);
    expect(await project.query('select count(*) as n from stg.stg_special', 'target/dev.duckdb')).toEqual([{ n: '1' }]);
  });

  it('applies dbt_project.yml\'s tests: configs by the folder of the property file, under a test\'s own', async () => {
    const project = dbtProject({
      ...FILES,
      'dbt_project.yml': `${PROJECT}tests:\n  +severity: warn\n  shop:\n    marts:\n      +severity: error\n`,
      'transform/staging/_stg.yml': `version: 2
models:
  - name: stg_a
    columns:
      - name: region
        data_tests:
          - accepted_values: {values: ['eu']}
          - not_null: {config: {where: "region = 'nowhere'"}}
  - name: stg_b
    columns:
      - name: id
        data_tests:
          - accepted_values: {values: [2], quote: false, config: {severity: error}}
`,
      'transform/staging/stg_b.sql': 'select 1 as id',
      'transform/marts/_marts.yml': `version: 2
models:
  - name: mart
    columns:
      - name: region
        data_tests:
          - accepted_values: {values: ['eu']}
`,
    });
    // Each model's tests audit it before it is published (sf build).
    expect((await project.sf('build')).code).toBe(1);
    const results = JSON.parse(readFileSync(join(project.dir, 'target/run_results.json'), 'utf8')).results as { tests?: { unique_id: string; status: string }[] }[];
    const statuses = Object.fromEntries(results.flatMap((r) => r.tests ?? []).map((t) => [t.unique_id.replace('test.shop.', ''), t.status]));
    expect(statuses).toEqual({
      accepted_values_stg_a_region__eu: 'warn',
      not_null_stg_a_region: 'pass',
      accepted_values_stg_b_id__False__2: 'fail',
      accepted_values_mart_region__eu: 'fail',
    });
  });

  it("keeps a project's own config keys from dbt_project.yml and property files for config.get, nearest winning", async () => {
    const project = dbtProject({
      ...FILES,
      'dbt_project.yml': PROJECT.replace("  shop:\n    +materialized: table", "  shop:\n    +materialized: table\n    +owner_team: data\n    +sla_hours: 24"),
      'transform/marts/_props.yml': 'version: 2\nmodels:\n  - name: mart\n    config:\n      owner_team: growth\n',
      'transform/marts/mart.sql': "select '{{ config.get('owner_team') }}' as team, {{ config.get('sla_hours') }} as sla, '{{ config.get('missing', 'none') }}' as other",
      'transform/staging/stg_a.sql': "select 1 as id, '{{ config.get('owner_team') }}' as team, 'x' as region, 1 as threshold",
    });
    const compiled = await project.sf('compile', '--select', 'mart', 'stg_a');
    expect(compiled.code, compiled.err).toBe(0);
    expect(compiled.out).toMatch(/select 'growth' as team, 24 as sla, 'none' as other/);
    expect(compiled.out).toMatch(/select 1 as id, 'data' as team/);
    // A changed key renders again (the render cache keys on them).
    project.write('transform/marts/_props.yml', 'version: 2\nmodels:\n  - name: mart\n    config:\n      owner_team: finance\n');
    expect((await project.sf('compile', '--select', 'mart')).out).toMatch(/select 'finance' as team/);
  });

  it("applies dbt_project.yml's sources: configs under the property file's: enabled, loaded_at_field, freshness", async () => {
    const project = dbtProject({
      ...FILES,
      'dbt_project.yml': `${PROJECT}sources:\n  shop:\n    raw:\n      +loaded_at_field: loaded_at\n      +freshness: {warn_after: {count: 1, period: day}}\n      events:\n        +enabled: false\n`,
      'transform/staging/_sources.yml': [
        'version: 2', 'sources:', '  - name: raw', '    tables:', '      - name: orders',
        '      - name: customers', '        loaded_at_field: updated_at', '      - name: events',
      ].join('\n'),
    });
    const compiled = await project.sf('compile');
    expect(compiled.code, compiled.err).toBe(0);
    const raw = JSON.parse(readFileSync(join(project.dir, 'target/manifest.json'), 'utf8')).sources.raw as { tables: string[]; details: Record<string, { loadedAtField?: string; freshness?: unknown }> };
    expect(raw.tables).toEqual(['orders', 'customers']);
    expect(raw.details['orders']).toMatchObject({ loadedAtField: 'loaded_at', freshness: { warn_after: { count: 1, period: 'day' } } });
    // The property file's own value wins over the project's.
    expect(raw.details['customers']).toMatchObject({ loadedAtField: 'updated_at' });
    project.write('transform/marts/reads_events.sql', "select * from {{ source('raw', 'events') }}");
    const disabled = await project.sf('compile');
    expect(disabled.code).toBe(2);
    expect(disabled.err).toMatch(/source\('raw', 'events'\) in model 'reads_events' is not declared/);
  });

  it("gives templates dbt's context: model, project_name, target.profile_name, flags, invocation_id, run_started_at, graph", async () => {
    const project = dbtProject({
      ...FILES,
      'transform/marts/ctx.sql': [
        "select '{{ model.name }}|{{ model.unique_id }}|{{ model.resource_type }}|{{ model.original_file_path }}|{{ model.config.materialized }}' as m,",
        "  '{{ project_name }}|{{ target.profile_name }}|{{ flags.WHICH }}|{{ flags.FULL_REFRESH }}' as p,",
        "  {{ invocation_id | length }} as id_length, '{{ run_started_at.strftime('%Y') }}' as year,",
        "  {{ graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | list | length }} as models",
      ].join('\n'),
    });
    const compiled = await project.sf('compile', '--select', 'ctx');
    expect(compiled.code, compiled.err).toBe(0);
    expect(compiled.out).toContain("select 'ctx|model.shop.ctx|model|transform/marts/ctx.sql|table' as m,");
    expect(compiled.out).toContain("'shop|shop|compile|False' as p,");
    expect(compiled.out).toMatch(new RegExp(`36 as id_length, '${new Date().getUTCFullYear()}' as year,\\s+5 as models`));
  });

  it('gives project-scoped vars over global ones, and --vars over both', async () => {
    const project = dbtProject();
    expect((await project.sf('run', '--select', 'stg_a')).code).toBe(0);
    expect(await project.query('select region, threshold from main_stg.stg_a', 'target/dev.duckdb')).toEqual([{ region: 'global', threshold: 5 }]);
    expect((await project.sf('run', '--select', 'stg_a', '--vars', '{threshold: 7, region: eu}')).code).toBe(0);
    expect(await project.query('select region, threshold from main_stg.stg_a', 'target/dev.duckdb')).toEqual([{ region: 'eu', threshold: 7 }]);
  });

  it('renders a var holding Jinja where it is read, not when dbt_project.yml loads', async () => {
    const project = dbtProject({
      ...FILES,
      'dbt_project.yml': PROJECT.replace('  region: global\n', '  region: global\n  as_of: "{{ dbt.current_timestamp() }}"\n  label: "{{ this.name }}"\n'),
      'transform/marts/stamped.sql': "select {{ var('as_of') }} as as_of, '{{ var('label') }}' as label",
    });
    const compiled = await project.sf('compile', '--select', 'stamped');
    expect(compiled.code, compiled.err).toBe(0);
    expect(compiled.out).toMatch(/select current_timestamp as as_of, 'stamped' as label/);
  });

  it('loads seeds from subfolders with their schema, alias, delimiter and column types; a disabled folder is left out', async () => {
    const project = dbtProject();
    const built = await project.sf('build');
    expect(built.code, built.out + built.err).toBe(0);
    expect(await project.query("select id, code from main_ref.code_list", 'target/dev.duckdb')).toEqual([{ id: '1', code: 'x' }]);
    const types = await project.query<{ t: string }>("select data_type as t from information_schema.columns where table_name = 'people' and column_name = 'id'", 'target/dev.duckdb');
    expect(types).toEqual([{ t: 'VARCHAR' }]);
    expect(built.out).not.toMatch(/broken/);
  });

  it('finds profiles.yml through --profiles-dir, DBT_PROFILES_DIR, the project, ~/.dbt; --profile and --target choose', async () => {
    const project = dbtProject();
    const elsewhere = mkdtempSync(join(tmpdir(), 'sf-profiles-'));
    try {
      writeFileSync(join(elsewhere, 'profiles.yml'), PROFILES.replace('shop:', 'other_profile:'));
      // The project's own profiles.yml, else the named folder only.
      expect((await project.sf('debug')).out).toMatch(/path +target\/dev\.duckdb/);
      const missing = await project.sf('ls', '--profiles-dir', elsewhere);
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/profile 'shop' is not in .*profiles\.yml[\s\S]*did you mean 'other_profile'\?|profiles there: other_profile/);
      expect((await project.sf('ls', '--profiles-dir', elsewhere, '--profile', 'other_profile')).code).toBe(0);
      const other = await project.sf('debug', '--target', 'other');
      expect(other.out).toMatch(/other\.duckdb/);
      rmSync(join(project.dir, 'profiles.yml'));
      process.env['DBT_PROFILES_DIR'] = elsewhere;
      expect((await project.sf('ls', '--profile', 'other_profile')).code).toBe(0);
      delete process.env['DBT_PROFILES_DIR'];
      const home = process.env['HOME'];
      process.env['HOME'] = elsewhere;
      mkdirSync(join(elsewhere, '.dbt'));
      writeFileSync(join(elsewhere, '.dbt/profiles.yml'), PROFILES);
      try {
        expect((await project.sf('ls')).code).toBe(0);
      } finally {
        process.env['HOME'] = home;
      }
      rmSync(join(elsewhere, '.dbt'), { recursive: true });
      const none = await project.sf('ls');
      expect(none.code).toBe(2);
      expect(none.err).toMatch(/no profiles\.yml for this dbt project/);
    } finally {
      delete process.env['DBT_PROFILES_DIR'];
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('warns once about configs sf does not apply and other warehouses\' configs; refuses a misspelled one with the line', async () => {
    const project = dbtProject({
      ...FILES,
      'dbt_project.yml': PROJECT.replace('    +materialized: table\n', "    +materialized: table\n    +persist_docs: {relation: true}\n    +cluster_by: ['id']\n    +sql_header: \"set x = 1\"\n"),
      'transform/marts/mart.sql': "{{ config(sort='id', dist='all', grants={'select': ['r']}) }}\nselect * from {{ ref('stg_a') }}",
      'transform/py_model.py': 'def model(dbt, session):\n    return None\n',
      'transform/_semantic.yml': 'version: 2\nexposures:\n  - name: dashboard\nmetrics:\n  - name: revenue\nunit_tests:\n  - name: t\nmodles:\n  - name: x\n',
      'snapshots/orders_snapshot.sql': "{% snapshot orders_snapshot %}select 1{% endsnapshot %}",
      'transform/ghost.yml': 'version: 2\nmodels:\n  - name: ghost\n',
      'macros/internals.sql': "{% macro get_merge_sql(target, source, unique_key, dest_columns, predicates) %}x{% endmacro %}\n{% materialization my_mat, default %}{{ return({'relations': []}) }}{% endmaterialization %}",
    });
    const ls = await project.sf('ls');
    expect(ls.code, ls.err).toBe(0);
    const warnings = ls.err.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/dbt_project\.yml:\d+: config 'cluster_by' belongs to another warehouse's adapter/),
      expect.stringMatching(/dbt_project\.yml:\d+: config 'sql_header' is not applied: sf does not run sql_header yet/),
      expect.stringMatching(/transform\/marts\/mart\.sql:1: config 'sort' belongs to another warehouse's adapter/),
      expect.stringMatching(/transform\/marts\/mart\.sql:1: config 'grants' is not applied/),
      expect.stringMatching(/transform\/py_model\.py: a Python model; .* skipped/),
      expect.stringMatching(/transform\/_semantic\.yml:2: exposures are .* skipped/),
      expect.stringMatching(/transform\/_semantic\.yml:4: metrics \(the semantic layer\) are not part of sf; skipped/),
      expect.stringMatching(/transform\/_semantic\.yml:6: sf does not run unit tests yet; skipped/),
      expect.stringMatching(/transform\/_semantic\.yml:8: unknown key 'modles' \(did you mean 'models'\?\); it is ignored/),
      expect.stringMatching(/snapshots\/orders_snapshot\.sql: sf does not build snapshots yet; skipped/),
      expect.stringMatching(/transform\/ghost\.yml:3: model 'ghost' is not in the project \(models\/ has no file named ghost\.sql\); its entry is ignored/),
      expect.stringMatching(/macros\/internals\.sql: macro 'get_merge_sql' overrides dbt's own get_merge_sql; sf writes models its own way and does not call it/),
      expect.stringMatching(/macros\/internals\.sql:2: materialization 'my_mat' is not run/),
    ]));
    expect(warnings.join('\n')).not.toMatch(/persist_docs/);
    expect(warnings.filter((w) => w.includes('cluster_by'))).toHaveLength(1);

    const typo = dbtProject({ ...FILES, 'dbt_project.yml': PROJECT.replace('      materialized: view', '      materialised: view') });
    const bad = await typo.sf('ls');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/dbt_project\.yml:19: unknown config 'materialised': did you mean 'materialized'\?/);
  });

  it('sf deps lists what packages.yml asks for and what is installed; a package macro that is missing names both', async () => {
    const project = dbtProject({
      ...FILES,
      'packages.yml': 'packages:\n  - package: dbt-labs/dbt_utils\n    version: [">=1.0.0", "<2.0.0"]\n  - local: vendor/shared_macros\n',
      'transform/marts/keyed.sql': "select 1 as id,\n  {{ dbt_utils.generate_surrogate_key(['id']) }} as k",
    });
    // Without dbt_utils installed, sf's own generate_surrogate_key serves.
    const builtin = await project.sf('compile', '--select', 'keyed');
    expect(builtin.code, builtin.err).toBe(0);
    expect(builtin.out).toMatch(/md5\(cast\(\(coalesce\(cast\(id as \w+\), '_dbt_utils_surrogate_key_null_'\)\) as \w+\)\) as k/);
    const deps = await project.sf('deps');
    expect(deps.code).toBe(1);
    expect(deps.out).toMatch(/dbt-labs\/dbt_utils \[>=1\.0\.0, <2\.0\.0\] +missing \(dbt_packages\/dbt_utils\)/);
    expect(deps.out).toMatch(/run `dbt deps`, or copy the 2 missing ones into dbt_packages\//);
    project.write('dbt_packages/dbt_utils/dbt_project.yml', 'name: dbt_utils\n');
    project.write('vendor/shared_macros/dbt_project.yml', 'name: shared_macros\n');
    const installed = await project.sf('deps');
    expect(installed.code).toBe(0);
    expect(installed.out).toMatch(/installed \(dbt_packages\/dbt_utils\)[\s\S]*all are installed/);
    // The installed package (empty here) replaces sf's own: its missing macro is named.
    const compiled = await project.sf('compile');
    expect(compiled.code).toBe(2);
    expect(compiled.err).toMatch(/transform\/marts\/keyed\.sql:2: dbt_utils\.generate_surrogate_key\(\) is not defined: package 'dbt_utils' has no macro 'generate_surrogate_key'/);
    project.write('transform/marts/keyed.sql', "select {{ dbt_expectations.type_of('id') }} as t");
    const absent = await project.sf('compile');
    expect(absent.err).toMatch(/transform\/marts\/keyed\.sql:1: dbt_expectations\.type_of\(\) is not defined: sf has no package 'dbt_expectations' loaded/);
  });

  it('says which profile and output type it cannot use', async () => {
    const project = dbtProject({ ...FILES, 'profiles.yml': 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: x\n' });
    const run = await project.sf('ls');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/profiles\.yml:4: output shop\.dev has type 'snowflake': sf runs duckdb, postgres and sqlite outputs/);
    project.write('profiles.yml', "shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: localhost\n      port: 'fivefourthreetwo'\n");
    const port = await project.sf('ls');
    expect(port.code).toBe(2);
    expect(port.err).toMatch(/profiles\.yml:4: output shop\.dev: port: /);
  });
});
