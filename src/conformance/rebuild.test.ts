// Conformance: rebuilding one table (or seed) alone keeps every view built on it working and
// current: same columns, an added column, with its children, and views on views. This is
// where a naive rename swap breaks (PostgreSQL binds views to the old table, SQLite re-checks
// views on rename; see TOOLCHAIN.md "Engine facts").
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { toInt } from './values.js';

/** A table model of ids 1..n, labelled, with optional extra columns. */
function baseSql(n: number, extra = ''): string {
  const rows = Array.from({ length: n }, (_, i) => `select ${i + 1} as id, 'row${i + 1}' as label${extra ? `, ${extra}` : ''}`);
  return `{{ config(materialized='table') }}\n${rows.join('\nunion all\n')}`;
}

const FILES: Record<string, string> = {
  'models/base.sql': baseSql(2),
  'models/v_base.sql': "{{ config(materialized='view') }}\nselect id, label from {{ ref('base') }}",
  'models/v_star.sql': "{{ config(materialized='view') }}\nselect * from {{ ref('base') }}",
  'models/v_chain.sql': "{{ config(materialized='view') }}\nselect count(*) as n, max(id) as top from {{ ref('v_base') }}",
  'models/t_child.sql': "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('base') }}",
  'seeds/items.csv': 'id,name\n1,one\n2,two\n',
  'models/v_items.sql': "{{ config(materialized='view') }}\nselect id, name from {{ ref('items') }}",
};
const RELATIONS = ['base', 'v_base', 'v_star', 'v_chain', 't_child', 'items', 'v_items'];

describe.each(ENGINES)('rebuilding a table under views on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let first: CliRun;

  const ids = async (view: string) => (await p.query(`select id from ${p.sql(view)} order by id`)).map((r) => toInt(r['id']));
  const chain = async () => {
    const [r] = await p.query(`select n, top from ${p.sql('v_chain')}`);
    return [toInt(r!['n']), toInt(r!['top'])];
  };
  const expectViewsIntact = async () => {
    for (const v of ['v_base', 'v_star', 'v_chain', 'v_items']) expect(await p.kindOf(p.rel(v)), v).toBe('view');
    expect(await p.kindOf(p.rel('base'))).toBe('table');
    expect(await p.unexpectedRelations(RELATIONS.map((n) => p.rel(n)))).toEqual([]);
  };

  beforeAll(async () => {
    p = await pool.create({ files: FILES });
    first = await p.sf('build');
  });
  afterAll(() => pool.disposeAll());

  it('builds the table, its views and a view on a view (exit 0)', async () => {
    expect(first.code, first.text).toBe(0);
    expect(await ids('v_base')).toEqual([1, 2]);
    expect(await chain()).toEqual([2, 2]);
  });

  it('rebuilds the table alone with the same columns: the views answer with the new rows', async () => {
    p.write('models/base.sql', baseSql(3));
    const run = await p.sf('run', '--select', 'base');
    expect(run.code, run.text).toBe(0);
    expect(run.out.join('\n')).toMatch(/PASS=1 ERROR=0 SKIP=0 TOTAL=1/);
    expect(await ids('v_base')).toEqual([1, 2, 3]);
    expect(await ids('v_star')).toEqual([1, 2, 3]);
    expect(await chain()).toEqual([3, 3]);
    await expectViewsIntact();
  });

  it('rebuilds it alone again, unchanged: still the same rows', async () => {
    const run = await p.sf('run', '--select', 'base');
    expect(run.code, run.text).toBe(0);
    expect(await ids('v_base')).toEqual([1, 2, 3]);
    await expectViewsIntact();
  });

  it('rebuilds the table alone with an added column: the views still answer, with the new rows', async () => {
    p.write('models/base.sql', baseSql(4, '10 as score'));
    const run = await p.sf('run', '--select', 'base');
    expect(run.code, run.text).toBe(0);
    expect((await p.columns(p.rel('base'))).map((c) => c.name)).toEqual(['id', 'label', 'score']);
    expect(await ids('v_base')).toEqual([1, 2, 3, 4]);
    expect(await ids('v_star')).toEqual([1, 2, 3, 4]);
    expect(await chain()).toEqual([4, 4]);
    await expectViewsIntact();
  });

  it('rebuilds the table with its children (--select base+)', async () => {
    p.write('models/base.sql', baseSql(5, '10 as score'));
    const run = await p.sf('run', '--select', 'base+');
    expect(run.code, run.text).toBe(0);
    expect(run.out.join('\n')).toMatch(/PASS=5 ERROR=0 SKIP=0 TOTAL=5/);
    expect(await ids('v_base')).toEqual([1, 2, 3, 4, 5]);
    expect(await chain()).toEqual([5, 5]);
    const [child] = await p.query(`select n from ${p.sql('t_child')}`);
    expect(toInt(child!['n'])).toBe(5);
    await expectViewsIntact();
  });

  it('reloads a seed alone under its view: the view answers with the new rows', async () => {
    p.write('seeds/items.csv', 'id,name\n1,one\n2,two\n3,three\n');
    const run = await p.sf('seed', '--select', 'items');
    expect(run.code, run.text).toBe(0);
    expect(await ids('v_items')).toEqual([1, 2, 3]);
    await expectViewsIntact();
  });
});
