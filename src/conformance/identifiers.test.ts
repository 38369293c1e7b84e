// Conformance: names that need quoting (mixed case, spaces, non-ASCII letters, reserved words) work as model,
// seed and column names, through ref(), on first builds and on rebuilds that swap tables.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { toCents, toInt } from './values.js';

const FILES: Record<string, string> = {
  // A seed whose file and columns need quoting.
  'seeds/Raw Orders.csv': 'Order Id,group,Total\n1,a,10.50\n2,b,20.25\n3,a,5.00\n',
  'models/MixedCase.sql': [
    "{{ config(materialized='table') }}",
    'select "Order Id" as id, "group" as "Group", "Total" as "Amount"',
    "from {{ ref('Raw Orders') }}",
  ].join('\n'),
  'models/order items.sql': [
    "{{ config(materialized='table') }}",
    'select id, id * 10 as "order", "Group" as "from"',
    "from {{ ref('MixedCase') }}",
  ].join('\n'),
  'models/select.sql': [
    "{{ config(materialized='view') }}",
    'select id, \'v\' || cast(id as varchar(10)) as "select", "order" as "where"',
    "from {{ ref('order items') }}",
  ].join('\n'),
  // Letters of any alphabet are letters: a name is not limited to ASCII.
  'models/Größe café.sql': [
    "{{ config(materialized='table') }}",
    "select id from {{ ref('order items') }}",
  ].join('\n'),
  'models/consumer.sql': [
    'select m.id, m."Group", m."Amount", oi."order", oi."from", s."select", s."where"',
    "from {{ ref('MixedCase') }} as m",
    "inner join {{ ref('order items') }} as oi on oi.id = m.id",
    "inner join {{ ref('select') }} as s on s.id = m.id",
    "inner join {{ ref('Größe café') }} as g on g.id = m.id",
  ].join('\n'),
};

const EXPECTED = [
  [1, 'a', 1050n, 10, 'a', 'v1', 10],
  [2, 'b', 2025n, 20, 'b', 'v2', 20],
  [3, 'a', 500n, 30, 'a', 'v3', 30],
];

describe.each(ENGINES)('identifiers that need quoting on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let first: CliRun;

  const readConsumer = async () => (await p.query(
    `select id, "Group", "Amount", "order", "from", "select", "where" from ${p.sql('consumer')} order by id`,
  )).map((r) => [toInt(r['id']), r['Group'], toCents(r['Amount']), toInt(r['order']), r['from'], r['select'], toInt(r['where'])]);

  beforeAll(async () => {
    p = await pool.create({ files: FILES });
    first = await p.sf('build');
  });
  afterAll(() => pool.disposeAll());

  it('builds a seed with a space, MixedCase, "order items" and "select" (exit 0)', () => {
    expect(first.code, first.text).toBe(0);
    expect(first.out.join('\n')).toMatch(/PASS=6 ERROR=0 SKIP=0 TOTAL=6/);
  });

  it('creates the relations under their exact names', async () => {
    expect(await p.kindOf(p.rel('Raw Orders'))).toBe('table');
    expect(await p.kindOf(p.rel('MixedCase'))).toBe('table');
    expect(await p.kindOf(p.rel('order items'))).toBe('table');
    expect(await p.kindOf(p.rel('select'))).toBe('view');
    expect(await p.kindOf(p.rel('consumer'))).toBe('view');
    expect(await p.kindOf(p.rel('Größe café'))).toBe('table');
    expect((await p.columns(p.rel('MixedCase'))).map((c) => c.name)).toEqual(['id', 'Group', 'Amount']);
    expect((await p.columns(p.rel('order items'))).map((c) => c.name)).toEqual(['id', 'order', 'from']);
  });

  it('reads every one of them through ref()', async () => {
    expect(await readConsumer()).toEqual(EXPECTED);
  });

  it('rebuilds them (tables swapped over existing ones) and selects them by name', async () => {
    const again = await p.sf('build');
    expect(again.code, again.text).toBe(0);
    expect(await readConsumer()).toEqual(EXPECTED);

    const one = await p.sf('run', '--select', 'order*items');
    expect(one.code, one.text).toBe(0);
    expect(one.out.join('\n')).toMatch(/PASS=1 ERROR=0 SKIP=0 TOTAL=1/);
    const mixed = await p.sf('run', '--select', 'MixedCase+');
    expect(mixed.code, mixed.text).toBe(0);
    expect(mixed.out.join('\n')).toMatch(/PASS=5 ERROR=0 SKIP=0 TOTAL=5/);
    expect(await readConsumer()).toEqual(EXPECTED);
    const expected = ['Raw Orders', 'MixedCase', 'order items', 'select', 'Größe café', 'consumer'].map((n) => p.rel(n));
    expect(await p.unexpectedRelations(expected)).toEqual([]);
  });

  // The parser accepts spaces in model names, so the selector must be able to name them.
  it("selects a model whose name has a space by its exact name (--select 'order items')", async () => {
    const one = await p.sf('run', '--select', 'order items');
    expect(one.code, one.text).toBe(0);
    expect(one.out.join('\n')).toMatch(/PASS=1 ERROR=0 SKIP=0 TOTAL=1/);
    const unicode = await p.sf('run', '--select', 'Größe café');
    expect(unicode.out.join('\n'), unicode.text).toMatch(/PASS=1 ERROR=0 SKIP=0 TOTAL=1/);
  });

  it('refuses a file name outside the rule, naming the file and a name that works', async () => {
    const q = await pool.create({ files: { 'models/"quoted".sql': 'select 1 as x', 'seeds/-dash.csv': 'a\n1\n' } });
    const run = await q.sf('build');
    expect(run.code).toBe(2);
    expect(run.err.join('\n')).toContain(`models/"quoted".sql: '"quoted"' is not a usable model name: the file name is the name\n  hint: rename the file: a name is letters (any alphabet), digits, _, spaces, . and -, starting with a letter, digit or _ (e.g. quoted_.sql)`);
    expect(run.err.join('\n')).toContain("seeds/-dash.csv: '-dash' is not a usable seed name");
  });
});
