import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../session/project.js';
import { tempProject } from '../testing/project.js';
import { UserError } from '../util/errors.js';
import { staticCalls } from './static-calls.js';

describe('staticCalls', () => {
  it('reads plain calls, skipping what a first render skips', () => {
    expect(staticCalls(`{{ config(materialized='incremental', unique_key='id', tags=['a', "b"], meta={'owner': 'x', 'n': 1}) }}
select * from {{ ref('a') }} join {{ source("raw", 'events') }} on {{ var('k', 'd') }} = {{ this }}
{# {{ ref('commented') }} #}
{%- if is_incremental() %} and x > (select max(x) from {{ this }}) {{ ref('only_incremental') }}
{% else %} {{ ref('when_full') }} {% endif -%}
{% if sf.batch_start %}{{ ref('only_batches') }}{% endif %}`)).toEqual([
      { name: 'config', args: [{ __keywords: true, materialized: 'incremental', unique_key: 'id', tags: ['a', 'b'], meta: { owner: 'x', n: 1 } }] },
      { name: 'ref', args: ['a'] },
      { name: 'source', args: ['raw', 'events'] },
      { name: 'var', args: ['k', 'd'] },
      { name: 'ref', args: ['when_full'] },
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
    ['{% if is_incremental() %}a', 'an unclosed if'],
    ["{{ ref('a' }}", 'a syntax error'],
  ])('leaves %s to the renderer (%s)', (template) => {
    expect(staticCalls(template)).toBeUndefined();
  });
});

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const summary = (p: LoadedProject) => p.compiled.models.map((m) => ({
  name: m.node.name, settings: m.settings, relation: m.relation, refs: [...m.refs].sort(), sources: m.sources,
}));

describe('listing without rendering', () => {
  const project = tempProject({
    'seeds/things.csv': 'id\n1\n',
    'models/a.sql': "{{ config(materialized='table', tags=['x'], schema='marts') }} select * from {{ ref('things') }}",
    'models/b.sql': "{% if is_incremental() %}{{ ref('things') }}{% endif %}{{ config(materialized='incremental', unique_key='id') }} select * from {{ ref('a') }}",
    'models/c.sql': "select '{{ ref('a').schema }}' as s, {{ var('threshold') }} as t from {{ source('raw', 'things') }}",
    'models/d.sql': "{{ config(enabled=false) }} select 1",
  });
  afterAll(() => project.cleanup());

  it('gives the settings, relations and dependencies a full compile gives (ShopFlow too)', async () => {
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
