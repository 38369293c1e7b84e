// The render cache (target/partial_parse/): a second compile with nothing changed renders
// nothing, and each input a render can depend on, changed, re-renders exactly the models
// that read it, with the new result.
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../session/project.js';
import { tempProject } from '../testing/project.js';

const CONFIG = (vars: string, folder = "materialized: 'view'", target = "schema: 'main'") => `import { defineConfig } from 'sf-transform';
export default defineConfig({
  name: 'cache',
  targets: { dev: { type: 'duckdb', path: 'target/t.duckdb', ${target} }, other: { type: 'duckdb', path: 'target/o.duckdb' } },
  sources: { raw: { schema: 'raw', tables: ['things', 'others'] } },
  models: { marts: { ${folder} } },
  vars: { ${vars} },
});
`;

const FILES = {
  'seeds/things.csv': 'id\n1\n',
  'models/plain.sql': "select * from {{ ref('things') }}",
  'models/uses_var.sql': "select {{ var('rate') }} as rate from {{ ref('plain') }}",
  'models/uses_default.sql': "select {{ var('missing', 7) }} as v",
  'models/uses_env.sql': "select '{{ env_var('SF_TEST_REGION', 'none') }}' as region",
  'models/uses_macro.sql': 'select {{ double(2) }} as d',
  'models/uses_other_macro.sql': 'select {{ triple(2) }} as t',
  'models/uses_source.sql': "select * from {{ source('raw', 'others') }}",
  'models/marts/in_folder.sql': "select '{{ config.get('materialized') }}' as m, '{{ this.schema }}' as s",
  'models/reads_relation.sql': "select '{{ ref('plain').schema }}' as s",
  'models/reads_clock.sql': "select '{{ modules.datetime.datetime.now().isoformat() }}' as compiled_at",
  'macros/double.sql': '{% macro double(x) %}{{ x * 2 }}{% endmacro %}',
  'macros/triple.sql': '{% macro triple(x) %}{{ x * 3 }}{% endmacro %}',
};
const ALL = Object.keys(FILES).filter((f) => f.startsWith('models/')).map((f) => f.replace(/^.*\/|\.sql$/g, ''));
/** Never kept: they read another model's relation attributes, or the clock. */
const OPAQUE = ['reads_clock', 'reads_relation'];

describe('the render cache', () => {
  const project = tempProject(FILES, CONFIG('rate: 2'));
  afterAll(() => project.cleanup());
  let env: NodeJS.ProcessEnv = { SF_TEST_REGION: 'eu' };
  const load = (opts: { vars?: Record<string, unknown>; target?: string; partialParse?: boolean } = {}) =>
    loadProject({ projectDir: project.dir, env, ...opts });
  const rendered = (p: LoadedProject) => p.compiled.models.map((m) => m.node.name).filter((n) => !p.compiled.reused.has(n)).sort();
  const sql = (p: LoadedProject, name: string) => p.compiled.models.find((m) => m.node.name === name)!.sql;
  /** The models a change re-renders; then a compile with nothing changed renders only the opaque one. */
  const after = async (change: () => void, opts: Parameters<typeof load>[0] = {}) => {
    change();
    const p = await load(opts);
    expect(rendered(await load(opts)), 'a second compile after the change').toEqual(OPAQUE);
    return p;
  };

  it('renders everything first, then nothing that did not change', async () => {
    expect(rendered(await load())).toEqual([...ALL].sort());
    const again = await load();
    expect(rendered(again)).toEqual(OPAQUE);
    expect(sql(again, 'uses_var')).toBe('select 2 as rate from "main"."plain"');
    expect(sql(again, 'uses_env')).toBe("select 'eu' as region");
  });

  it('a changed template re-renders that model only', async () => {
    const p = await after(() => project.write('models/plain.sql', "select id from {{ ref('things') }}"));
    expect(rendered(p)).toEqual(['plain', ...OPAQUE].sort());
    expect(sql(p, 'plain')).toBe('select id from "main"."things"');
  });

  it('a changed var (config or --vars) re-renders the models that read it', async () => {
    let p = await after(() => project.write('sf.config.ts', CONFIG('rate: 3')));
    expect(rendered(p)).toEqual(['reads_clock', 'reads_relation', 'uses_var']);
    expect(sql(p, 'uses_var')).toContain('select 3 as rate');
    p = await after(() => {}, { vars: { rate: 4 } });
    expect(rendered(p)).toEqual(['reads_clock', 'reads_relation', 'uses_var']);
    expect(sql(p, 'uses_var')).toContain('select 4 as rate');
    // A var read with its default, now set.
    p = await after(() => {}, { vars: { rate: 4, missing: 8 } });
    expect(rendered(p)).toEqual(['reads_clock', 'reads_relation', 'uses_default']);
    expect(sql(p, 'uses_default')).toBe('select 8 as v');
    // Back to the config's vars: both render again, from then on cached.
    expect(rendered(await after(() => {}))).toEqual(['reads_clock', 'reads_relation', 'uses_default', 'uses_var']);
  });

  it('a changed environment variable re-renders the models that read it', async () => {
    const p = await after(() => { env = { SF_TEST_REGION: 'us' }; });
    expect(rendered(p)).toEqual(['reads_clock', 'reads_relation', 'uses_env']);
    expect(sql(p, 'uses_env')).toBe("select 'us' as region");
  });

  it("a changed macro re-renders the models that call it, not the others'", async () => {
    const p = await after(() => project.write('macros/double.sql', '{% macro double(x) %}{{ x * 20 }}{% endmacro %}'));
    expect(rendered(p)).toEqual(['reads_clock', 'reads_relation', 'uses_macro']);
    expect(sql(p, 'uses_macro')).toBe('select 40 as d');
  });

  it('changed folder settings re-render the models under them', async () => {
    const p = await after(() => project.write('sf.config.ts', CONFIG('rate: 3', "materialized: 'table', schema: 'marts'")));
    expect(rendered(p)).toEqual(['in_folder', 'reads_clock', 'reads_relation']);
    expect(sql(p, 'in_folder')).toBe("select 'table' as m, 'marts' as s");
  });

  it('another target renders into its own cache; a removed source is re-rendered and reported', async () => {
    const other = await load({ target: 'other' });
    expect(rendered(other)).toEqual([...ALL].sort());
    expect(rendered(await load())).toEqual(OPAQUE);
    project.write('sf.config.ts', CONFIG('rate: 3', "materialized: 'table', schema: 'marts'").replace(", 'others'", ''));
    await expect(load()).rejects.toThrow(/source\('raw', 'others'\) in model 'uses_source' is not declared/);
  });

  it('--no-partial-parse renders everything and keeps nothing', async () => {
    project.write('sf.config.ts', CONFIG('rate: 3'));
    await load();
    expect(rendered(await load({ partialParse: false }))).toEqual([...ALL].sort());
  });
});
