// Conformance: view, table and ephemeral models build the relations they promise (and no
// others), answer the same rows, and a model can switch materialization between builds.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { toInt } from './values.js';

const FILES: Record<string, string> = {
  'seeds/numbers.csv': 'n,parity\n1,odd\n2,even\n3,odd\n4,even\n5,odd\n',
  'models/as_view.sql': "{{ config(materialized='view') }}\nselect n, parity from {{ ref('numbers') }} where n > 1",
  'models/as_table.sql': "{{ config(materialized='table') }}\nselect n, n * n as square from {{ ref('as_view') }}",
  'models/odd_only.sql': "{{ config(materialized='ephemeral') }}\nselect n from {{ ref('numbers') }} where parity = 'odd'",
  // An ephemeral on an ephemeral, and a consumer that already has a WITH clause.
  'models/big_odd.sql': "{{ config(materialized='ephemeral') }}\nselect n from {{ ref('odd_only') }} where n >= 3",
  'models/uses_ephemeral.sql': [
    "{{ config(materialized='table') }}",
    'with doubled as (',
    "  select n * 2 as n2 from {{ ref('big_odd') }}",
    ')',
    "select d.n2, (select count(*) from {{ ref('odd_only') }}) as odd_count from doubled as d",
  ].join('\n'),
  'models/view_on_ephemeral.sql': "select n from {{ ref('odd_only') }}",
  // Switches between builds (see the last test).
  'models/switcher.sql': "{{ config(materialized='table') }}\nselect n from {{ ref('numbers') }} where n <= 2",
};

describe.each(ENGINES)('materializations on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let run: CliRun;

  beforeAll(async () => {
    p = await pool.create({ files: FILES });
    run = await p.sf('build');
  });
  afterAll(() => pool.disposeAll());

  it('builds every node (exit 0)', () => {
    expect(run.code, run.text).toBe(0);
    expect(run.out.join('\n')).toMatch(/PASS=6 ERROR=0 SKIP=0 TOTAL=6/);
  });

  it('creates a view for a view model and a table for a table model', async () => {
    expect(await p.kindOf(p.rel('as_view'))).toBe('view');
    expect(await p.kindOf(p.rel('view_on_ephemeral'))).toBe('view');
    expect(await p.kindOf(p.rel('as_table'))).toBe('table');
    expect(await p.kindOf(p.rel('uses_ephemeral'))).toBe('table');
    expect(await p.kindOf(p.rel('numbers'))).toBe('table');
    const rows = await p.query(`select n, square from ${p.sql('as_table')} order by n`);
    expect(rows.map((r) => [toInt(r['n']), toInt(r['square'])])).toEqual([[2, 4], [3, 9], [4, 16], [5, 25]]);
    const view = await p.query(`select n from ${p.sql('as_view')} where parity = 'even' order by n`);
    expect(view.map((r) => toInt(r['n']))).toEqual([2, 4]);
  });

  it('inlines ephemeral models: no relation, consumers correct', async () => {
    expect(await p.kindOf(p.rel('odd_only'))).toBeUndefined();
    expect(await p.kindOf(p.rel('big_odd'))).toBeUndefined();
    const rows = await p.query(`select n2, odd_count from ${p.sql('uses_ephemeral')} order by n2`);
    expect(rows.map((r) => [toInt(r['n2']), toInt(r['odd_count'])])).toEqual([[6, 3], [10, 3]]);
    const view = await p.query(`select n from ${p.sql('view_on_ephemeral')} order by n`);
    expect(view.map((r) => toInt(r['n']))).toEqual([1, 3, 5]);
  });

  it('leaves exactly the promised relations (no staging leftovers)', async () => {
    const expected = ['numbers', 'as_view', 'as_table', 'uses_ephemeral', 'view_on_ephemeral', 'switcher'].map((n) => p.rel(n));
    expect(await p.unexpectedRelations(expected)).toEqual([]);
  });

  it('switches a model from table to view and back between builds', async () => {
    const read = async () => (await p.query(`select n from ${p.sql('switcher')} order by n`)).map((r) => toInt(r['n']));
    expect(await p.kindOf(p.rel('switcher'))).toBe('table');
    expect(await read()).toEqual([1, 2]);

    p.write('models/switcher.sql', "{{ config(materialized='view') }}\nselect n from {{ ref('numbers') }} where n <= 3");
    const toView = await p.sf('run', '--select', 'switcher');
    expect(toView.code, toView.text).toBe(0);
    expect(await p.kindOf(p.rel('switcher'))).toBe('view');
    expect(await read()).toEqual([1, 2, 3]);

    p.write('models/switcher.sql', "{{ config(materialized='table') }}\nselect n from {{ ref('numbers') }} where n <= 4");
    const toTable = await p.sf('run', '--select', 'switcher');
    expect(toTable.code, toTable.text).toBe(0);
    expect(await p.kindOf(p.rel('switcher'))).toBe('table');
    expect(await read()).toEqual([1, 2, 3, 4]);
  });
});
