// Conformance: dbt-postgres' `indexes` config. On PostgreSQL a table model, an incremental model
// and a seed get their indexes with the table, under stable names, whatever rebuilds them; on
// DuckDB and SQLite the config is accepted and creates nothing, as dbt's adapters for them do.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ENGINES, PG_SCHEMA } from './engines.js';
import { ProjectPool } from './harness.js';

// `D`: columns are written unquoted, as dbt-postgres writes them, so PostgreSQL folds it to d.
const FILES = {
  'seeds/days.csv': 'day,label\n2026-06-01,a\n2026-06-02,b\n',
  'models/orders.sql': `{{ config(materialized='table', indexes=[{'columns': ['id'], 'unique': True}, {'columns': ['D', 'amount'], 'type': 'btree'}]) }}
select 1 as id, cast('2026-06-01' as date) as d, 10 as amount
union all select 2, cast('2026-06-02' as date), 20`,
  'models/daily.sql': `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d', indexes=[{'columns': ['d']}]) }}
select d, sum(amount) as amount from {{ ref('orders') }} group by d`,
  'seeds/_seeds.yml': `version: 2
seeds:
  - name: days
    config:
      indexes:
        - columns: [day]
          type: brin
`,
};

describe.each(ENGINES)('indexes on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it(engine === 'postgres' ? 'creates the indexes with each table, under the same names on every rebuild' : 'accepts the config and creates no index', async () => {
    const p = await pool.create({ files: FILES });
    const first = await p.sf('build');
    expect(first.code, first.text).toBe(0);
    expect(first.text).not.toMatch(/indexes/);
    const indexes = async () => engine === 'postgres'
      ? (await p.query(`select tablename, indexname, indexdef from pg_indexes where schemaname = '${PG_SCHEMA}' order by tablename, indexdef`))
        .map((r) => [r['tablename'], r['indexname'], String(r['indexdef']).replace(/ ON \S+ /, ' ON t ')])
      : engine === 'sqlite'
        ? (await p.query(`select tbl_name, name from sqlite_master where type = 'index' and tbl_name in ('orders', 'daily', 'days') order by tbl_name, name`)).map((r) => [r['tbl_name'], r['name']])
        : (await p.query(`select table_name, index_name from duckdb_indexes() where table_name in ('orders', 'daily', 'days') order by 1, 2`)).map((r) => [r['table_name'], r['index_name']]);
    const built = await indexes();
    if (engine !== 'postgres') {
      expect(built).toEqual([]);
      return;
    }
    expect(built.map(([table, , def]) => [table, String(def).replace(/"?\w+__sf_[0-9a-f]{12}"? /, 'NAME ')])).toEqual([
      ['daily', 'CREATE INDEX NAME ON t USING btree (d)'],
      ['days', 'CREATE INDEX NAME ON t USING brin (day)'],
      ['orders', 'CREATE INDEX NAME ON t USING btree (d, amount)'],
      ['orders', 'CREATE UNIQUE INDEX NAME ON t USING btree (id)'],
    ]);
    // A rebuild of everything (the table, the seed, the incremental model's full refresh), then
    // an incremental run: the same indexes under the same names, none left over.
    expect((await p.sf('build', '--full-refresh')).code).toBe(0);
    expect(await indexes()).toEqual(built);
    expect((await p.sf('run', '--select', 'daily')).code).toBe(0);
    expect(await indexes()).toEqual(built);
    // The unique index holds: a duplicate id fails the build and keeps the table.
    p.write('models/orders.sql', FILES['models/orders.sql'].replace('union all select 2', 'union all select 1'));
    const dup = await p.sf('run', '--select', 'orders');
    expect(dup.code, dup.text).toBe(1);
    expect(dup.text).toMatch(/duplicate key|could not create unique index/);
    expect((await p.query(`select id from ${p.sql('orders')} order by id`)).map((r) => Number(r['id']))).toEqual([1, 2]);
  });

  it('refuses a malformed indexes config, naming the model or the seed', async () => {
    const p = await pool.create({ files: {
      ...FILES,
      'models/orders.sql': `{{ config(materialized='table', indexes=[{'cols': ['id']}]) }}\nselect 1 as id`,
    } });
    const bad = await p.sf('build');
    expect(bad.code, bad.text).toBe(2);
    expect(bad.text).toMatch(/models\/orders\.sql.*indexes/s);
    p.write('models/orders.sql', FILES['models/orders.sql']);
    p.write('seeds/_seeds.yml', FILES['seeds/_seeds.yml'].replace('type: brin', 'type: "brin; drop table x"'));
    const seed = await p.sf('build');
    expect(seed.code, seed.text).toBe(2);
    expect(seed.text).toMatch(/seeds\/_seeds\.yml:\d+: .*indexes of seed 'days'.*index method name/s);
  });
});
