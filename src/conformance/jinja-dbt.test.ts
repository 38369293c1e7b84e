// A model and macros written in dbt's Jinja (trailing commas, {% do %}, Python methods, tuples,
// return(), adapter.dispatch choosing <engine>__name over default__name) compile and run on
// every engine with the values Jinja would give.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool } from './harness.js';

const MACROS = `{% macro engine_label() %}{{ return(adapter.dispatch('engine_label', 'conformance')()) }}{% endmacro %}
{% macro default__engine_label() %}{{ return('default') }}{% endmacro %}
{% macro duckdb__engine_label() %}{{ return('duck') }}{% endmacro %}

{% macro column_list(names) %}
  {%- set out = [] -%}
  {%- for n in names -%}
    {%- if n not in ('skip', 'also_skip',) -%}{%- do out.append(n.strip().lower()) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(out) }}
{% endmacro %}
`;

const MODEL = `{%- set cols = column_list([' A ', 'skip', 'B',]) -%}
{%- set flags = {'on': True, 'off': False,} -%}
select '{{ cols | join("-") }}' as picked,
       '{{ engine_label() }}' as engine,
       {{ cols | length }} as n,
       '{{ 'x_y_z'.split('_', 1) | last }}' as tail,
       {% if flags.get('on') and not flags.get('missing', False) %}1{% else %}0{% endif %} as flag
`;

describe.each(ENGINES)('dbt\'s Jinja on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('renders and runs with Jinja\'s values; dispatch picks this engine\'s macro, else the default', async () => {
    const p = await pool.create({ files: { 'macros/helpers.sql': MACROS, 'models/jinja_model.sql': MODEL } });
    const run = await p.sf('run');
    expect(run.code, run.text).toBe(0);
    const [row] = await p.query(`select picked, engine, n, tail, flag from ${p.sql('jinja_model')}`);
    expect({ ...row, n: Number(row!['n']), flag: Number(row!['flag']) }).toEqual({
      picked: 'a-b', engine: engine === 'duckdb' ? 'duck' : 'default', n: 2, tail: 'y_z', flag: 1,
    });
  });

  it("doc('name') gives a docs block of the project's .md files; an unknown name is an error with the nearest", async () => {
    const p = await pool.create({ files: {
      'models/overview.md': '{% docs greeting %}\nHello, shop\n{% enddocs %}\n\n{% docs other %}x{% enddocs %}',
      'models/documented.sql': "select '{{ doc('greeting') }}' as d",
    } });
    expect((await p.sf('run')).code).toBe(0);
    expect((await p.query(`select d from ${p.sql('documented')}`))[0]!['d']).toBe('Hello, shop');
    p.write('models/documented.sql', "select '{{ doc('greting') }}' as d");
    const bad = await p.sf('run');
    expect(bad.code).toBe(2);
    expect(bad.text).toMatch(/models\/documented\.sql:1: .*doc\('greting'\): no \{% docs greting %\} block in the project's \.md files \(did you mean 'greeting'\?\)/);
  });

  it("a project's own ref() and source() macros replace sf's, which they reach as builtins.ref / builtins.source", async () => {
    const p = await pool.create({ files: {
      'macros/ref.sql': "{% macro ref(name) %}{{ return(builtins.ref('renamed' if name == 'old_name' else name).include(database=False)) }}{% endmacro %}",
      'models/renamed.sql': 'select 7 as v',
      'models/reader.sql': "select v from {{ ref('old_name') }}",
    } });
    const run = await p.sf('run');
    expect(run.code, run.text).toBe(0);
    expect((await p.query(`select v from ${p.sql('reader')}`)).map((r) => Number(r['v']))).toEqual([7]);
  });
});
