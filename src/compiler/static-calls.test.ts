import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../session/project.js';
import { tempProject } from '../testing/project.js';
import { UserError } from '../util/errors.js';
import nunjucks from 'nunjucks';
import { staticRender, type StaticCall } from './static-calls.js';

/** Renders `template` with Nunjucks and statically, with the same globals; both texts. */
function both(template: string): { nunjucks: string; static: string | undefined; calls: StaticCall[] } {
  const calls: StaticCall[] = [];
  const value = (c: StaticCall): unknown => {
    calls.push(c);
    if (c.name === 'ref' || c.name === 'source') return `<${c.args.join('.')}>`;
    if (c.name === 'var' || c.name === 'env_var') return c.args[1] ?? `var:${String(c.args[0])}`;
    if (c.name === 'this') return '<this>';
    return '';
  };
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  for (const name of ['ref', 'source', 'config', 'var', 'env_var'] as const) env.addGlobal(name, (...args: unknown[]) => value({ name, args }));
  env.addGlobal('is_incremental', () => false);
  env.addGlobal('sf', {});
  const rendered = new nunjucks.Template(template, env, 'x.sql', true).render({ this: '<this>' });
  calls.length = 0;
  return { nunjucks: rendered, static: staticRender(template, value), calls };
}

describe('staticRender', () => {
  it.each([
    ["select * from {{ ref('a') }} join {{ source(\"raw\", 'events') }} using (id)"],
    ["{{ config(materialized='incremental', unique_key='id', tags=['a', \"b\"], meta={'owner': 'x', 'n': 1}) }}\nselect {{ var('k', 'd') }}, {{ var('n', 7) }} from {{ this }}"],
    ["{{- config(materialized='view') -}}\n\n  select 1 {# note {{ ref('commented') }} #} as x\n"],
    ["select 1\n{%- if is_incremental() %}\n  and x > (select max(x) from {{ this }}) {{ ref('only_incremental') }}\n{% else -%}\n  {{ ref('when_full') }}\n{%- endif %}\n"],
    ["a\n  {#- trimmed comment -#}  \n b {% if sf.batch_start %}{{ ref('only_batches') }}{% endif -%}  \n c"],
    ['no tags at all\n'],
    ["  {{ ref('a') -}}   \n\n  {{- ref('b') }}  "],
  ])('prints what Nunjucks prints: %j', (template) => {
    const r = both(template);
    expect(r.static).toBe(r.nunjucks);
  });

  it('makes the calls a first render makes, in order, skipping what it skips', () => {
    const r = both("{{ config(materialized='table') }}{% if is_incremental() %}{{ ref('x') }}{% else %}{{ ref('y') }}{% endif %}{{ var('k', 1) }}");
    expect(r.calls).toEqual([
      { name: 'config', args: [{ __keywords: true, materialized: 'table' }] },
      { name: 'ref', args: ['y'] },
      { name: 'var', args: ['k', 1] },
    ]);
  });

  it.each([
    ["{{ my_macro('a') }}", 'a macro'],
    ["{{ ref('a') | upper }}", 'a filter'],
    ["{{ ref('a').schema }}", 'an attribute'],
    ["{{ config(materialized=var('m')) }}", 'a computed config value'],
    ['{% set x = 1 %}', 'a set'],
    ['{% for x in [1] %}{% endfor %}', 'a loop'],
    ['{% if target.type == "duckdb" %}a{% endif %}', 'another condition'],
    ['{% if is_incremental() %}{{ my_macro() }}{% endif %}', 'a macro in a skipped branch'],
    ['{% if is_incremental() %}a', 'an unclosed if'],
    ["{{ ref('a' }}", 'a syntax error'],
    ["{{ var('unset_and_null', none) }}", 'a value Nunjucks refuses to print'],
  ])('leaves %s to Nunjucks (%s)', (template) => {
    expect(staticRender(template, () => null)).toBeUndefined();
  });
});

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const summary = (p: LoadedProject) => p.compiled.models.map((m) => ({
  name: m.node.name, settings: m.settings, relation: m.relation, refs: [...m.refs].sort(), sources: m.sources,
}));

describe('plain templates read without Nunjucks', () => {
  const project = tempProject({
    'seeds/things.csv': 'id\n1\n',
    'models/a.sql': "{{ config(materialized='table', tags=['x'], schema='marts') }} select * from {{ ref('things') }}",
    'models/b.sql': "{% if is_incremental() %}{{ ref('things') }}{% endif %}{{ config(materialized='incremental', unique_key='id') }} select * from {{ ref('a') }}",
    'models/c.sql': "select '{{ ref('a').schema }}' as s, {{ var('threshold') }} as t from {{ source('raw', 'things') }}",
    'models/d.sql': "{{ config(enabled=false) }} select 1",
  });
  afterAll(() => project.cleanup());

  it('list the settings, relations and dependencies a full compile gives (ShopFlow too)', async () => {
    for (const projectDir of [project.dir, root]) {
      const full = await loadProject({ projectDir, env: {}, partialParse: false });
      const listed = await loadProject({ projectDir, env: {}, partialParse: false, listOnly: true });
      expect(summary(listed)).toEqual(summary(full));
      expect(listed.compiled.disabled).toEqual(full.compiled.disabled);
      expect(listed.graph.order).toEqual(full.graph.order);
    }
  });

  it('still reports a bad config() value, with its line', async () => {
    project.write('models/a.sql', "select 1\n{{ config(materialized='tabel') }}");
    const err = await loadProject({ projectDir: project.dir, env: {}, listOnly: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).format()).toMatch(/^models\/a\.sql:2: bad config\(\) in model 'a': materialized: 'tabel' is not one of/);
  });
});
