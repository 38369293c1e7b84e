// The PostgreSQL adapter against the test server: views that survive a rebuilt table or view
// (same columns, changed columns, only that node selected), grants and comments carried over,
// a rebuild that would break a view refused and rolled back, typed CSV loads through COPY, and
// values returned as PostgreSQL prints them.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'kysely';
import { executeUnit } from '../../runner/execute-unit.js';
import type { RunEvent } from '../../runner/events.js';
import { runPlan } from '../../runner/scheduler.js';
import type { ExecutionPlan } from '../../plan/types.js';
import { stageRelation } from '../../plan/materializations/index.js';
import { freshPgSchema, quoteIdent, withPgClient, type PgSchema } from '../../testing/pg.js';
import { tempProject, type TempProject } from '../../testing/project.js';
import { openAdapter } from '../registry.js';
import type { Adapter } from '../types.js';
import type { PostgresTarget } from '../../config/types.js';
import { PostgresDialect } from './sql.js';

const url = inject('pgUrl');

function targetFor(schema: string): PostgresTarget {
  const u = new URL(url);
  return {
    type: 'postgres', host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username || 'postgres'),
    database: u.pathname.slice(1), schema,
  };
}

function config(schema: string): string {
  return `import { defineConfig } from 'sf-transform';
export default defineConfig({
  name: 'pgtest',
  targets: { pg: ${JSON.stringify(targetFor(schema))} },
  seeds: {
    schema: ${JSON.stringify(schema)},
    columnTypes: {
      tricky: {
        id: 'integer', name: 'text', note: 'text', price: 'decimal(10,2)', rate: 'decimal(4,3)',
        day: 'date', ts: 'timestamp', flag: 'boolean', code: 'char(2)',
      },
      empty: { id: 'integer', name: 'text' },
    },
  },
});
`;
}

const TRICKY = [
  'id,name,note,price,rate,day,ts,flag,code',
  '1,"Smith, John","He said ""hi""",9.99,0.125,2026-01-31,2026-01-31 23:59:59,true,US',
  '2,José Núñez 🚀,,0.10,0.333,2024-02-29,2024-02-29T00:00:00,false,""',
  '3,"multi',
  'line","",1234567.89,1.000,2026-12-31,2026-12-31 12:00,TRUE,DE',
  '',
  '4,,"",-0.01,,,,,',
].join('\n');

async function q<T = Record<string, unknown>>(text: string): Promise<T[]> {
  return withPgClient(url, async (c) => (await c.query(text)).rows as T[]);
}

describe('PostgreSQL dialect', () => {
  const d = new PostgresDialect('analytics');

  it('publishes a new table by rename alone, and an existing one between saving and restoring its views', () => {
    const target = { schema: 'analytics', name: 'fact' };
    expect(d.swapTable(stageRelation(target), target, undefined)).toEqual([
      { sql: 'alter table "analytics"."fact__sf_stage" rename to "fact"' },
    ]);
    const swap = d.swapTable(stageRelation(target), target, 'table').map((s) => s.sql);
    expect(swap).toHaveLength(4);
    expect(swap[0]).toMatch(/^do \$sf\$[\s\S]*to_regclass\(format\('%I\.%I', 'analytics', 'fact'\)\)[\s\S]*\$sf\$$/);
    expect(swap.slice(1, 3)).toEqual(['drop table if exists "analytics"."fact"', 'alter table "analytics"."fact__sf_stage" rename to "fact"']);
    expect(swap[3]).toMatch(/^do \$sf\$[\s\S]*create view[\s\S]*\$sf\$$/);
    expect(swap.join('\n')).not.toMatch(/cascade/i);
  });

  it('quotes names safely inside the blocks, whatever they contain', () => {
    const odd = { schema: "it's", name: 'a$sf$b' };
    const [save] = d.swapTable(stageRelation(odd), odd, 'table');
    expect(save!.sql).toContain("format('%I.%I', 'it''s', 'a$sf$b')");
    expect(save!.sql.startsWith('do $sf1$')).toBe(true);
  });

  it('reports the row count of create table as', () => {
    expect(d.createTableAs({ schema: 's', name: 't' }, 'select 1')).toEqual([{ sql: 'create table "s"."t" as\nselect 1', rows: 'affected' }]);
  });
});

describe('PostgreSQL adapter', () => {
  let ns: PgSchema;
  let adapter: Adapter;

  beforeAll(async () => {
    ns = await freshPgSchema(url, 'sf_pg_adapter');
    adapter = await openAdapter(targetFor(ns.schema), '/nonexistent', {});
  });
  afterAll(async () => {
    await adapter?.close();
    await ns?.drop();
  });

  it('runs sessions in UTC and returns numeric, bigint, date and timestamps as PostgreSQL prints them', async () => {
    const r = await sql<Record<string, unknown>>`select 12345678901234.56::numeric(18,2) as n, 9007199254740993::bigint as b,
      '2024-02-29'::date as d, '2026-05-01 01:49:52.5'::timestamp as ts, '2026-05-01 03:49:52+02'::timestamptz as tz,
      1::integer as i, current_setting('TimeZone') as zone`.execute(adapter.db);
    expect(r.rows[0]).toEqual({
      n: '12345678901234.56', b: '9007199254740993', d: '2024-02-29', ts: '2026-05-01 01:49:52.5', tz: '2026-05-01 01:49:52+00', i: 1, zone: 'UTC',
    });
    const info = await adapter.info();
    expect(info.version).toMatch(/^PostgreSQL 1\d/);
    expect(info.settings).toMatchObject({ schema: ns.schema, password: 'not set', timezone: 'UTC' });
  });

  it('introspects tables and views of the requested schemas only', async () => {
    const s = quoteIdent(ns.schema);
    await executeUnit(adapter, unit([`create table ${s}."T1" (id int)`, `create view ${s}.v1 as select * from ${s}."T1"`]), CTX);
    const state = await adapter.introspect([ns.schema, 'no_such_schema']);
    expect(state.get(`${ns.schema}.t1`)).toBe('table');
    expect(state.get(`${ns.schema}.v1`)).toBe('view');
    expect((await adapter.introspect(['public'])).has(`${ns.schema}.v1`)).toBe(false);
  });

  it('rolls a failing step back whole: the old table, its rows and the views on it stay', async () => {
    const s = quoteIdent(ns.schema);
    const t = { schema: ns.schema, name: 'keep' };
    await executeUnit(adapter, unit([`create table ${s}.keep as select 1 as id`, `create view ${s}.keep_v as select id from ${s}.keep`]), CTX);
    const stage = stageRelation(t);
    const d = adapter.dialect;
    await expect(executeUnit(adapter, unit([
      ...d.createTableAs(stage, 'select 2 as id').map((x) => x.sql),
      ...d.swapTable(stage, t, 'table').map((x) => x.sql),
      'select * from no_such_table',
    ]), CTX)).rejects.toThrow(/no_such_table/);
    expect(await q(`select id from ${s}.keep_v`)).toEqual([{ id: 1 }]);
    expect(await q(`select relname from pg_class where relname like '%sf_stage%'`)).toEqual([]);
  });

  it('explains errors with the line of the statement, detail and hint; conflicts are retryable', async () => {
    const err = await executeUnit(adapter, unit(['select 1 as a,\n  no_such_column as b\nfrom (select 1) x']), CTX).catch((e: unknown) => e);
    const info = adapter.describeError(err);
    expect(info.message).toContain('column "no_such_column" does not exist');
    expect(info.message).toContain('line 2 of the statement:   no_such_column as b\n');
    expect(info.message).toMatch(/\n {27}\^/);
    expect(info.retryable).toBe(false);
    const s = quoteIdent(ns.schema);
    const dependent = await executeUnit(adapter, unit([`drop table ${s}.keep`]), CTX).catch((e: unknown) => e);
    expect(adapter.describeError(dependent).message).toMatch(/cannot drop table[\s\S]*detail: view [\s\S]*hint: /);
    expect(adapter.describeError(Object.assign(new Error('deadlock detected'), { code: '40P01' })).retryable).toBe(true);
    expect(adapter.describeError(Object.assign(new Error('could not serialize'), { code: '40001' })).retryable).toBe(true);
  });

  it('a unit whose connection is cut (its backend terminated) is retried on a new connection, and lands', async () => {
    const s = quoteIdent(ns.schema);
    const marker = `sf_cut_${process.pid}`;
    const plan: ExecutionPlan = {
      setup: [],
      steps: [{ name: 'cut', kind: 'table', relation: { schema: ns.schema, name: 'cut' }, dependsOn: [], batched: false, concurrency: 1,
        units: [unit([`create table ${s}.cut as select 7 as answer from (select pg_sleep(1.5), '${marker}') as slow`])] }],
    };
    const events: RunEvent[] = [];
    let terminated = 0;
    const run = runPlan(plan, adapter, { threads: 1, onEvent: (e) => events.push(e), backoffMs: 100 });
    // Cut the first attempt's connection while its statement sleeps.
    for (let i = 0; i < 50 && terminated === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      terminated = await withPgClient(url, async (c) => (await c.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where query like $1 and pid <> pg_backend_pid()`, [`%${marker}%`])).rowCount ?? 0);
    }
    const [result] = await run;
    expect(terminated).toBe(1);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ attempt: 1, message: expect.stringMatching(/terminat|connection/i) });
    expect(result).toMatchObject({ status: 'success', attempts: 2 });
    expect(await q(`select answer from ${s}.cut`)).toEqual([{ answer: 7 }]);
  });
});

describe('PostgreSQL builds', () => {
  let ns: PgSchema;
  let p: TempProject;
  let s: string;

  beforeAll(async () => {
    ns = await freshPgSchema(url, 'sf_pg_build');
    s = quoteIdent(ns.schema);
    p = tempProject({
      'seeds/tricky.csv': TRICKY,
      'seeds/empty.csv': 'id,name\n',
      'models/t.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'one' as label union all select 2, 'two'",
      'models/v.sql': "{{ config(materialized='view') }}\nselect * from {{ ref('t') }}",
      'models/v_named.sql': "{{ config(materialized='view') }}\nselect id, label from {{ ref('t') }}",
      'models/v_on_v.sql': "{{ config(materialized='view') }}\nselect count(*) as n from {{ ref('v_named') }}",
    }, config(ns.schema));
  });
  afterAll(async () => {
    p?.cleanup();
    await ns?.drop();
  });

  it('builds', async () => {
    const r = await p.sf('build');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/OK seed \S+\.tricky \.+ \[OK 4 rows/);
    expect(r.out).toMatch(/OK seed \S+\.empty \.+ \[OK 0 rows/);
    expect(r.out).toMatch(/OK table \S+\.t \.+ \[OK 2 rows/);
  });

  it('loads a tricky CSV through COPY: quotes, commas, newlines, unicode, NULL vs empty, exact money, dates, timestamps, booleans', async () => {
    const rows = await q(`select id, name, note, price::text, rate::text, day::text, ts::text, flag, code from ${s}.tricky order by id`);
    expect(rows).toEqual([
      { id: 1, name: 'Smith, John', note: 'He said "hi"', price: '9.99', rate: '0.125', day: '2026-01-31', ts: '2026-01-31 23:59:59', flag: true, code: 'US' },
      { id: 2, name: 'José Núñez 🚀', note: null, price: '0.10', rate: '0.333', day: '2024-02-29', ts: '2024-02-29 00:00:00', flag: false, code: '  ' },
      { id: 3, name: 'multi\nline', note: '', price: '1234567.89', rate: '1.000', day: '2026-12-31', ts: '2026-12-31 12:00:00', flag: true, code: 'DE' },
      { id: 4, name: null, note: '', price: '-0.01', rate: null, day: null, ts: null, flag: null, code: null },
    ]);
    expect(await q(`select count(*)::int as n from ${s}.empty`)).toEqual([{ n: 0 }]);
  });

  it('rebuilding only the table keeps every view on it working, with grants and comments (same columns)', async () => {
    await q(`create view ${s}.outside as select label from ${s}.t where id > 1`);
    await q(`do $$ begin if not exists (select from pg_roles where rolname = 'sf_test_reader') then create role sf_test_reader; end if; end $$`);
    await q(`grant select on ${s}.t, ${s}.outside to sf_test_reader`);
    await q(`comment on view ${s}.outside is 'read by the dashboard'`);
    await q(`comment on table ${s}.t is 'the t table'`);
    const oidBefore = await q<{ oid: number }>(`select '${s}.t'::regclass::oid::int as oid`);
    p.write('models/t.sql', "{{ config(materialized='table') }}\nselect 1 as id, 'uno' as label union all select 2, 'dos' union all select 3, 'tres'");
    const r = await p.sf('run', '--select', 't');
    expect(r.code, r.out).toBe(0);
    expect(await q<{ oid: number }>(`select '${s}.t'::regclass::oid::int as oid`)).not.toEqual(oidBefore);
    expect(await q(`select * from ${s}.v order by id`)).toEqual([{ id: 1, label: 'uno' }, { id: 2, label: 'dos' }, { id: 3, label: 'tres' }]);
    expect(await q(`select n::int from ${s}.v_on_v`)).toEqual([{ n: 3 }]);
    expect(await q(`select label from ${s}.outside order by label`)).toEqual([{ label: 'dos' }, { label: 'tres' }]);
    expect(await q(`select has_table_privilege('sf_test_reader', '${s}.outside', 'select') as v, has_table_privilege('sf_test_reader', '${s}.t', 'select') as t`))
      .toEqual([{ v: true, t: true }]);
    expect(await q(`select obj_description('${s}.outside'::regclass, 'pg_class') as v, obj_description('${s}.t'::regclass, 'pg_class') as t`))
      .toEqual([{ v: 'read by the dashboard', t: 'the t table' }]);
  });

  it('rebuilding only the table keeps every view on it working (changed columns)', async () => {
    p.write('models/t.sql', "{{ config(materialized='table') }}\nselect 'x' as extra, 1 as id, 'one' as label, 2.5 as score");
    const r = await p.sf('run', '--select', 't');
    expect(r.code, r.out).toBe(0);
    // A view keeps the columns it was created with (PostgreSQL expands `*` when a view is created) ...
    expect(await q(`select * from ${s}.v`)).toEqual([{ id: 1, label: 'one' }]);
    expect(await q(`select n::int from ${s}.v_on_v`)).toEqual([{ n: 1 }]);
    // ... until it is rebuilt itself.
    expect((await p.sf('run', '--select', 'v')).code).toBe(0);
    expect(await q(`select * from ${s}.v`)).toEqual([{ extra: 'x', id: 1, label: 'one', score: '2.5' }]);
  });

  it('rebuilding a view with changed columns keeps the views on it', async () => {
    p.write('models/v_named.sql', "{{ config(materialized='view') }}\nselect label, id, id * 10 as big from {{ ref('t') }}");
    const r = await p.sf('run', '--select', 'v_named');
    expect(r.code, r.out).toBe(0);
    expect(await q(`select * from ${s}.v_named`)).toEqual([{ label: 'one', id: 1, big: 10 }]);
    expect(await q(`select n::int from ${s}.v_on_v`)).toEqual([{ n: 1 }]);
  });

  it('refuses a rebuild that would break a view on the table, and keeps the old table', async () => {
    p.write('models/t.sql', "{{ config(materialized='table') }}\nselect 1 as id");
    const r = await p.sf('run', '--select', 't');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/replacing "?\S+"?\.t would break view \S+\.(outside|v|v_named) that reads it: column \S+ does not exist/);
    expect(r.out).toContain('hint: the view needs something the new');
    expect(await q(`select label from ${s}.outside order by label`)).toEqual([]);
    expect(await q(`select extra, id, label from ${s}.t`)).toEqual([{ extra: 'x', id: 1, label: 'one' }]);
    expect(await q(`select relname from pg_class where relname like '%sf_stage%'`)).toEqual([]);
  });

  it('fails instead of dropping a dependent that is not a view', async () => {
    p.write('models/t.sql', "{{ config(materialized='table') }}\nselect 'x' as extra, 1 as id, 'one' as label, 2.5 as score");
    expect((await p.sf('run', '--select', 't')).code).toBe(0);
    await q(`create materialized view ${s}.mv as select count(*) as n from ${s}.t`);
    const r = await p.sf('run', '--select', 't');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cannot drop table \S+ because other objects depend on it/);
    expect(r.out).toMatch(/detail: materialized view \S+mv depends on table/);
    expect(await q(`select n::int from ${s}.mv`)).toEqual([{ n: 1 }]);
    await q(`drop materialized view ${s}.mv`);
  });

  it('a bad seed value fails the seed with file:line, and the loaded table stays as it was', async () => {
    p.write('seeds/tricky.csv', TRICKY.replace('4,,"",-0.01', '4,,"",minus one'));
    const r = await p.sf('seed', '--select', 'tricky');
    expect(r.code).toBe(1);
    expect(r.out).toContain("seeds/tricky.csv:7: column price (decimal(10,2)): 'minus one' is not a valid decimal");
    expect(await q(`select count(*)::int as n from ${s}.tricky`)).toEqual([{ n: 4 }]);
  });

  it('a second build gives identical tables', async () => {
    p.write('seeds/tricky.csv', TRICKY);
    expect((await p.sf('build')).code).toBe(0);
    const snapshot = async () => Promise.all(['tricky', 't', 'v', 'v_on_v', 'outside'].map((t) => q(`select * from ${s}.${t} order by 1`)));
    const before = await snapshot();
    expect((await p.sf('build')).code).toBe(0);
    expect(await snapshot()).toEqual(before);
  });
});

function unit(sqls: string[]) {
  return { actions: sqls.map((text) => ({ sql: text })) };
}

const CTX = { runId: 'test', attempt: 1, startedAt: '2026-01-01T00:00:00.000Z', now: () => '2026-01-01T00:00:00.000Z' };
