// SQL written for PostgreSQL or DuckDB (casts to date and timestamp, `::`, date_trunc, interval
// arithmetic, date differences, extract, true/false) gives the same results on every engine: on SQLite, sf translates it
// with a SQL parser (adapters/sqlite/translate.ts). What SQLite cannot express fails at compile
// time with the construct, the file and the line.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';

const MODEL = `select
  id,
  cast(ordered_at as date) as order_day,
  ordered_at::timestamp as ordered_ts,
  cast(amount as integer) * 2 as doubled,
  date_trunc('month', cast(ordered_at as timestamp)) as order_month,
  date_trunc('week', cast(ordered_at as timestamp)) as order_week,
  cast(ordered_at as timestamp) + interval '1 day' as next_day,
  cast(ordered_at as timestamp) - interval '2 hours' as two_hours_before,
  cast(ordered_at as timestamp) + interval '1 month' as next_month,
  case when amount > 10 then true else false end as big,
  cast(ordered_at as date) - cast('2024-01-01' as date) as days_since,
  extract(year from cast(ordered_at as date)) as order_year,
  extract(dow from cast(ordered_at as timestamp)) as weekday,
  (current_date - cast(ordered_at as date)) - (current_date - cast('2024-01-31' as date)) as days_after_first
from {{ ref('orders') }}`;

/** Dates and times as ISO text, booleans as 0/1, whatever the driver returns. */
function normalize(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace(/ 00:00:00$/, '');
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (typeof v === 'string') return v.replace('T', ' ').replace(/\.\d+$/, '').replace(/ 00:00:00$/, '');
  if (typeof v === 'bigint') return Number(v);
  return v === null ? null : Number.isNaN(Number(v)) ? v : Number(v);
}

describe.each(ENGINES)('SQL written for PostgreSQL and DuckDB, on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let build: CliRun;

  beforeAll(async () => {
    p = await pool.create({ files: {
      'seeds/orders.csv': 'id,ordered_at,amount\n1,2024-01-31 22:30:00,12.0\n2,2024-03-06 08:00:00,7.0\n',
      'models/translated.sql': MODEL,
      // dbt_utils' union_relations parenthesizes each member; SQLite takes none.
      'models/unioned.sql': "select id from {{ ref('orders') }} where id = 0 union all (select id from {{ ref('orders') }} order by id limit 1) union all (select id + 10 as id from {{ ref('orders') }} order by id desc limit 1)",
    } });
    build = await p.sf('build');
  });
  afterAll(() => pool.disposeAll());

  it('builds, and gives the values PostgreSQL gives', async () => {
    expect(build.code, build.text).toBe(0);
    const rows = (await p.query(`select * from ${p.sql('translated')} order by id`)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, normalize(v)])));
    expect(rows[0]).toEqual({
      id: 1, order_day: '2024-01-31', ordered_ts: '2024-01-31 22:30:00', doubled: 24, order_month: '2024-01-01', order_week: '2024-01-29',
      next_day: '2024-02-01 22:30:00', two_hours_before: '2024-01-31 20:30:00', next_month: '2024-02-29 22:30:00', big: 1,
      days_since: 30, order_year: 2024, weekday: 3, days_after_first: 0,
    });
    expect(rows[1]!['days_after_first']).toBe(-35);
    expect((await p.query(`select id from ${p.sql('unioned')} order by id`)).map((r) => Number(r['id']))).toEqual([1, 12]);
  });
});

describe('SQL SQLite cannot express', () => {
  const pool = new ProjectPool('sqlite', () => inject('pgUrl'));
  let p: ConformanceProject;
  beforeAll(async () => {
    p = await pool.create({ files: { 'seeds/orders.csv': 'id,ordered_at,amount\n1,2024-01-31 22:30:00,12.0\n' } });
  });
  afterAll(() => pool.disposeAll());

  it('says what SQLite cannot run, with the construct, file and line, before anything is written', async () => {
    p.write('models/untranslatable.sql', "select\n  id,\n  cast(ordered_at as timestamp) + interval '1 millennium' as later\nfrom {{ ref('orders') }}");
    const run = await p.sf('build');
    expect(run.code).toBe(2);
    expect(run.text).toMatch(/models\/untranslatable\.sql: 'untranslatable' cannot run on sqlite as written: interval unit 'millennium' has no SQLite equivalent/);
    expect(run.text).toMatch(/the interval is at line 3 of its compiled SQL/);
    // Refused at compile time: not even the seed was loaded again.
    expect(run.text).not.toMatch(/START/);
    expect(await p.kindOf(p.rel('untranslatable'))).toBeUndefined();
  });
});
