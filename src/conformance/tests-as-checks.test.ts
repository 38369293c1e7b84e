// Tests that cannot judge a model's rows before they are published run once what they read is
// built, as dbt runs tests after their parents; on every engine, passing and failing:
// - a relationships test whose `to` is built after the model it tests (order_items.order_id ->
//   orders, where orders reads order_items, as in dbt-labs' jaffle-shop);
// - a test of an ephemeral model (nothing is written for it): it reads the model inlined.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool } from './harness.js';

describe.each(ENGINES)('a relationships test to a downstream model on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('runs after both are built: passing, then failing without undoing either model', async () => {
    const p = await pool.create({ files: {
      'models/items.sql': "{{ config(materialized='table') }}\nselect 1 as order_id union all select 2",
      'models/orders.sql': "{{ config(materialized='table') }}\nselect distinct order_id from {{ ref('items') }}",
      'models/_props.yml': [
        'version: 2', 'models:', '  - name: items', '    columns:', '      - name: order_id', '        data_tests:',
        '          - relationships: {to: ref(\'orders\'), field: order_id}',
      ].join('\n'),
    } });
    const build = await p.sf('build');
    expect(build.code, build.text).toBe(0);
    expect(build.text).toMatch(/PASS=3 .*TOTAL=3/);
    expect(build.text).toMatch(/test relationships_items_order_id__order_id__ref_orders_/);
    // orders now misses order 2: the test fails after both are published.
    p.write('models/orders.sql', "{{ config(materialized='table') }}\nselect order_id from {{ ref('items') }} where order_id = 1");
    const failing = await p.sf('build');
    expect(failing.code).toBe(1);
    expect(failing.text).toMatch(/relationships_items_order_id__order_id__ref_orders_.*1 failing row/s);
    expect((await p.query(`select count(*) as n from ${p.sql('orders')}`)).map((r) => Number(r['n']))).toEqual([1]);
  });

  it('tests an ephemeral model inlined, in sf build and sf test', async () => {
    const p = await pool.create({ files: {
      'models/base.sql': "{{ config(materialized='table') }}\nselect 1 as id union all select 2",
      'models/picked.sql': "{{ config(materialized='ephemeral') }}\nselect id from {{ ref('base') }}",
      'models/used.sql': "select * from {{ ref('picked') }}",
      'models/_props.yml': ['version: 2', 'models:', '  - name: picked', '    columns:', '      - name: id', '        data_tests: [unique, not_null]'].join('\n'),
    } });
    const build = await p.sf('build');
    expect(build.code, build.text).toBe(0);
    expect(build.text).toMatch(/PASS=4 .*TOTAL=4/);
    expect((await p.sf('test')).text).toMatch(/PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2/);
    // A duplicate id: the ephemeral model's unique test fails, in both.
    p.write('models/base.sql', "{{ config(materialized='table') }}\nselect 1 as id union all select 1");
    const failing = await p.sf('build');
    expect(failing.code).toBe(1);
    expect(failing.text).toMatch(/unique_picked_id .*1 failing row/s);
    const test = await p.sf('test');
    expect(test.code).toBe(1);
    expect(test.text).toMatch(/Failure in test unique_picked_id/);
  });
});
