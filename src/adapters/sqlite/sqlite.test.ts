// The SQLite adapter against real database files: flattened schemas, typed CSV loads, views
// that survive a rebuilt table, and steps that roll back whole.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdapter } from '../registry.js';
import { executeUnit } from '../../runner/execute-unit.js';
import type { RunEvent } from '../../runner/events.js';
import { runPlan } from '../../runner/scheduler.js';
import type { ExecutionPlan } from '../../plan/types.js';
import { stageRelation } from '../../plan/materializations/index.js';
import { tempProject, type TempProject } from '../../testing/project.js';
import type { Adapter } from '../types.js';
import { SQLiteDialect } from './sql.js';

const CONFIG = `import { defineConfig } from 'sf-transform';
export default defineConfig({
  name: 'lite',
  targets: { dev: { type: 'sqlite', path: 'target/db/test.sqlite' } },
  seeds: {
    schema: 'raw',
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

const TRICKY = [
  'id,name,note,price,rate,day,ts,flag,code',
  '1,"Smith, John","He said ""hi""",9.99,0.125,2026-01-31,2026-01-31 23:59:59,true,US',
  '2,José Núñez 🚀,,0.10,0.333,2024-02-29,2024-02-29T00:00:00,false,""',
  '3,"multi',
  'line","",1234567.89,1.000,2026-12-31,2026-12-31 12:00,TRUE,DE',
  '4,,"",-0.01,,,,,',
  '',
].join('\n');

function query<T = Record<string, unknown>>(p: TempProject, text: string): T[] {
  const db = new Database(join(p.dir, 'target/db/test.sqlite'), { readonly: true });
  try {
    return db.prepare(text).all() as T[];
  } finally {
    db.close();
  }
}

describe('SQLite dialect', () => {
  const d = new SQLiteDialect();

  it('folds a schema into the name; main adds nothing to it', () => {
    expect(d.renderRelation({ schema: 'main', name: 'orders' })).toBe('"main"."orders"');
    expect(d.renderRelation({ schema: 'raw', name: 'orders' })).toBe('"main"."raw__orders"');
    expect(d.renderRelation({ schema: 'raw', name: 'we"ird' })).toBe('"main"."raw__we""ird"');
    expect(d.capabilities).toMatchObject({ schemas: false, maxConcurrency: 1, createOrReplaceView: false });
    expect(d.createSchema()).toEqual([]);
  });

  it('swaps a stage in under the flattened name', () => {
    const target = { schema: 'raw', name: 'orders' };
    expect(d.swapTable(stageRelation(target), target, 'table').map((s) => s.sql)).toEqual([
      'drop table if exists "main"."raw__orders"',
      'alter table "main"."raw__orders__sf_stage" rename to "raw__orders"',
    ]);
  });

  it('counts a created table, and reads a created view once', () => {
    expect(d.createTableAs({ schema: 'main', name: 't' }, 'select 1')).toEqual([
      { sql: 'create table "main"."t" as\nselect 1' },
      { sql: 'select count(*) from "main"."t"', rows: 'scalar' },
    ]);
    expect(d.createView({ schema: 'main', name: 'v' }, 'select 1', 'view').map((s) => s.sql)).toEqual([
      'drop view if exists "main"."v"',
      'create view "main"."v" as\nselect 1',
      'select * from "main"."v" limit 0',
    ]);
  });
});

describe('SQLite adapter', () => {
  let p: TempProject;
  let adapter: Adapter;

  beforeAll(async () => {
    p = tempProject({}, CONFIG);
    adapter = await openAdapter({ type: 'sqlite', path: 'target/db/test.sqlite' }, p.dir);
  });
  afterAll(async () => {
    await adapter.close();
    p.cleanup();
  });

  it('opens with WAL, a busy timeout, foreign keys off and legacy_alter_table on', async () => {
    const info = await adapter.info();
    expect(info.version).toMatch(/^SQLite 3\.\d+/);
    expect(info.settings).toMatchObject({ journal_mode: 'wal', busy_timeout: '5000 ms', foreign_keys: 'off', legacy_alter_table: 'on' });
  });

  it('maps flattened names back to the requested schemas', async () => {
    await executeUnit(adapter, unit(['create table "raw__orders" (id integer)', 'create view "stg_orders" as select * from "raw__orders"']), CTX);
    const state = await adapter.introspect(['main', 'raw']);
    expect(state.get('raw.orders')).toBe('table');
    expect(state.get('main.stg_orders')).toBe('view');
    expect(state.get('main.raw__orders')).toBe('table'); // also a valid name in main
    expect(state.has('raw.stg_orders')).toBe(false);
    expect((await adapter.introspect(['raw'])).has('main.stg_orders')).toBe(false);
  });

  it('rolls a failing step back whole: the old table, its rows and the view on it stay', async () => {
    const t = { schema: 'main', name: 'keep' };
    const d = adapter.dialect;
    await executeUnit(adapter, unit([
      'create table "keep" as select 1 as id',
      'create view "keep_v" as select id from "keep"',
    ]), CTX);
    const stage = stageRelation(t);
    const failing = unit([
      ...d.createTableAs(stage, 'select 2 as id, 3 as extra').map((s) => s.sql),
      ...d.swapTable(stage, t, 'table').map((s) => s.sql),
      'select * from no_such_table', // fails after the drop and the rename
    ]);
    await expect(executeUnit(adapter, failing, CTX)).rejects.toThrow(/no such table/);
    const rows = await sql<{ id: number }>`select * from keep_v`.execute(adapter.db);
    expect(rows.rows).toEqual([{ id: 1 }]);
    const stageLeft = await sql`select name from sqlite_master where name like '%sf_stage%'`.execute(adapter.db);
    expect(stageLeft.rows).toEqual([]);
  });

  it('classifies SQLITE_BUSY as retryable', () => {
    expect(adapter.describeError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })).retryable).toBe(true);
    expect(adapter.describeError(Object.assign(new Error('no such table: x'), { code: 'SQLITE_ERROR' })).retryable).toBe(false);
  });

  it('a unit that hits SQLITE_BUSY (another process writing past busy_timeout) is retried after a backoff, and lands', async () => {
    // Another process takes the write lock just as the unit starts and keeps it for 6.5 s,
    // longer than busy_timeout (5 s): the first attempt fails SQLITE_BUSY, the retry succeeds.
    const file = join(p.dir, 'target/db/test.sqlite');
    let holder: ChildProcess | undefined;
    const timed = new Proxy(adapter, {
      get(target, key) {
        if (key === 'acquireLock') {
          return async () => {
            holder = spawn(process.execPath, ['-e', `
              const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
              const db = new Database(${JSON.stringify(file)});
              db.exec('begin immediate'); console.log('held');
              setTimeout(() => { db.exec('commit'); db.close(); }, 6500);`], { stdio: ['ignore', 'pipe', 'inherit'] });
            await new Promise<void>((resolve) => holder!.stdout!.once('data', () => resolve()));
            return { release: async () => {}, refresh: async () => {} };
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const events: RunEvent[] = [];
    const plan: ExecutionPlan = {
      setup: [],
      steps: [{ name: 'busy', kind: 'table', relation: { schema: 'main', name: 'busy' }, dependsOn: [], batched: false, concurrency: 1,
        units: [unit(['create table "busy" as select 42 as answer'])] }],
    };
    try {
      const [result] = await runPlan(plan, timed, { threads: 1, onEvent: (e) => events.push(e), backoffMs: 100 });
      expect(result).toMatchObject({ status: 'success', attempts: 2 });
      const retry = events.find((e) => e.type === 'retry');
      expect(retry).toMatchObject({ attempt: 1, message: expect.stringMatching(/database is locked/) });
      expect((await sql<{ answer: number }>`select answer from busy`.execute(adapter.db)).rows).toEqual([{ answer: 42 }]);
    } finally {
      holder?.kill();
    }
  }, 30_000);
});

describe('SQLite builds', () => {
  let p: TempProject;

  beforeAll(() => {
    p = tempProject({
      'seeds/tricky.csv': TRICKY,
      'seeds/empty.csv': 'id,name\n',
      'models/t.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'one' as label union all select 2, 'two'",
      'models/v.sql': "{{ config(materialized='view') }}\nselect * from {{ ref('t') }}",
      'models/v_named.sql': "{{ config(materialized='view') }}\nselect id, label from {{ ref('t') }}",
      'models/v_on_v.sql': "{{ config(materialized='view') }}\nselect count(*) as n from {{ ref('v_named') }}",
    }, CONFIG);
  });
  afterAll(() => p.cleanup());

  it('builds into the file, creating its folder', async () => {
    const r = await p.sf('build');
    expect(r.code, r.out + r.err).toBe(0);
    // As SQLite names it: schemas fold into the table name.
    expect(r.out).toMatch(/OK seed raw__tricky \.+ \[OK 4 rows/);
    expect(r.out).toMatch(/OK seed raw__empty \.+ \[OK 0 rows/);
    expect(r.out).toMatch(/OK table t \.+ \[OK 2 rows/);
  });

  it('loads a tricky CSV: quotes, commas, newlines, unicode, NULL vs empty, exact money, ISO dates, 0/1 booleans', () => {
    const rows = query(p, `select id, name, note, cast(round(price * 100) as integer) as cents, price, rate, day, ts, flag, code,
        typeof(note) as note_type, typeof(flag) as flag_type from raw__tricky order by id`);
    expect(rows).toEqual([
      { id: 1, name: 'Smith, John', note: 'He said "hi"', cents: 999, price: 9.99, rate: 0.125, day: '2026-01-31', ts: '2026-01-31 23:59:59', flag: 1, code: 'US', note_type: 'text', flag_type: 'integer' },
      { id: 2, name: 'José Núñez 🚀', note: null, cents: 10, price: 0.1, rate: 0.333, day: '2024-02-29', ts: '2024-02-29 00:00:00', flag: 0, code: '', note_type: 'null', flag_type: 'integer' },
      { id: 3, name: 'multi\nline', note: '', cents: 123456789, price: 1234567.89, rate: 1, day: '2026-12-31', ts: '2026-12-31 12:00:00', flag: 1, code: 'DE', note_type: 'text', flag_type: 'integer' },
      { id: 4, name: null, note: '', cents: -1, price: -0.01, rate: null, day: null, ts: null, flag: null, code: null, note_type: 'text', flag_type: 'null' },
    ]);
    expect(query(p, 'select count(*) as n from raw__empty')).toEqual([{ n: 0 }]);
    expect(query(p, "select date(ts) as d from raw__tricky where id = 1")).toEqual([{ d: '2026-01-31' }]);
  });

  it('rebuilding only the table keeps every view on it working (same columns)', async () => {
    p.write('models/t.sql', "{{ config(materialized='table') }}\nselect 1 as id, 'uno' as label union all select 2, 'dos' union all select 3, 'tres'");
    const r = await p.sf('run', '--select', 't');
    expect(r.code, r.out).toBe(0);
    expect(query(p, 'select * from v order by id')).toEqual([{ id: 1, label: 'uno' }, { id: 2, label: 'dos' }, { id: 3, label: 'tres' }]);
    expect(query(p, 'select n from v_on_v')).toEqual([{ n: 3 }]);
  });

  it('rebuilding only the table keeps every view on it working (changed columns)', async () => {
    p.write('models/t.sql', "{{ config(materialized='table') }}\nselect 'x' as extra, 1 as id, 'one' as label");
    const r = await p.sf('run', '--select', 't');
    expect(r.code, r.out).toBe(0);
    expect(query(p, 'select * from v')).toEqual([{ extra: 'x', id: 1, label: 'one' }]); // select * re-reads the table
    expect(query(p, 'select * from v_named')).toEqual([{ id: 1, label: 'one' }]);
    expect(query(p, 'select n from v_on_v')).toEqual([{ n: 1 }]);
  });

  it('a bad seed value fails the seed with file:line, and the loaded table stays as it was', async () => {
    p.write('seeds/tricky.csv', TRICKY.replace('4,,"",-0.01', '4,,"",minus one'));
    const r = await p.sf('seed', '--select', 'tricky');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/tricky\.csv:6: column price \(decimal\(10,2\)\): 'minus one' is not a valid decimal/);
    expect(query(p, 'select count(*) as n from raw__tricky')).toEqual([{ n: 4 }]);
    expect(query(p, "select name from sqlite_master where name like '%sf_stage%'")).toEqual([]);
  });

  it('a second build gives identical tables', async () => {
    p.write('seeds/tricky.csv', TRICKY);
    expect((await p.sf('build')).code).toBe(0);
    const snapshot = () => ['raw__tricky', 't', 'v', 'v_on_v'].map((t) => query(p, `select * from "${t}" order by 1`));
    const before = snapshot();
    expect((await p.sf('build')).code).toBe(0);
    expect(snapshot()).toEqual(before);
  });

  it("indexes a merge model's unique_key, so a lookup of `this` by key is not a scan per row", async () => {
    p.write('models/inc.sql', "{{ config(materialized='incremental', unique_key='id') }}\n"
      + "select id, label from {{ ref('t') }} as s\n{% if is_incremental() %}where not exists (select 1 from {{ this }} as k where k.id = s.id){% endif %}");
    const index = () => query<{ name: string; sql: string }>(p, "select name, sql from sqlite_master where type = 'index' and tbl_name = 'inc'");
    const plan = () => query<{ detail: string }>(p, 'explain query plan select * from t as s where not exists (select 1 from inc as k where k.id = s.id)')
      .map((r) => r.detail).join('; ');
    p.write('models/t.sql', "{{ config(materialized='table') }}\nselect 1 as id, 'one' as label union all select 2, 'two'");
    for (const args of [['run'], ['run'], ['run', '--full-refresh'], ['run']]) {
      const r = await p.sf(...args);
      expect(r.code, r.out).toBe(0);
      expect(index()).toEqual([{ name: 'inc__sf_key', sql: 'CREATE INDEX "inc__sf_key" on "inc" ("id")' }]);
    }
    expect(plan()).toMatch(/SEARCH k USING (COVERING )?INDEX inc__sf_key/);
    expect(query(p, 'select id, label from inc order by id')).toEqual([{ id: 1, label: 'one' }, { id: 2, label: 'two' }]);
  });

  it('explains a target that is not a SQLite file', async () => {
    p.write('target/not-a-db.sqlite', 'hello, I am text and not a database at all'.repeat(20));
    await expect(openAdapter({ type: 'sqlite', path: 'target/not-a-db.sqlite' }, p.dir)).rejects.toMatchObject({
      code: 'CONNECTION',
      message: expect.stringMatching(/cannot open SQLite database target\/not-a-db\.sqlite: file is not a database/),
    });
  });
});

function unit(sqls: string[]) {
  return { actions: sqls.map((text) => ({ sql: text })) };
}

const CTX = { runId: 'test', attempt: 1, startedAt: '2026-01-01T00:00:00.000Z', now: () => '2026-01-01T00:00:00.000Z' };
