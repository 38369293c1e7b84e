// Conformance: two sf processes writing one model on one target never interleave. Process A
// backfills three days of a deliberately slow model; process B starts while A holds the model
// (overlapping days). With a long --lock-timeout B waits, then runs: both succeed and the table
// equals a full build, every row once, the ledger matching. With a short one B stops, naming A
// (its PID), and A's work is untouched. DuckDB's lock is the file itself, so there B waits to
// open it (exit 2 when it gives up: nothing ran).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { EVENTS_CONFIG, ProjectPool, type ChildResult, type ConformanceProject } from './harness.js';

const SEED = ['id,ts,amount', ...Array.from({ length: 9 }, (_, i) => `${i + 1},2026-06-0${1 + (i % 3)} 10:00:00,${(i + 1) * 10}`)].join('\n') + '\n';


// About a second of work per batch on each engine, computed once per statement.
const SLOW = `{% macro slow() -%}
{%- if target.type == 'postgres' -%}(select 1 from pg_sleep(1.2))
{%- elif target.type == 'duckdb' -%}(select case when count(*) > 0 then 1 else 0 end from range(120000000) as r where (r.range * 7) % 13 = 1)
{%- else -%}(with recursive c(n) as (select 1 union all select n + 1 from c where n < 6000000) select case when count(*) > 0 then 1 else 0 end from c)
{%- endif -%}
{%- endmacro %}`;

const MODEL = `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d') }}
select id, cast(ts as date) as d, amount from {{ source('raw', 'events') }} where {{ slow() }} = 1`;

describe.each(ENGINES)('two processes on one model on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  const results: Record<string, { a: ChildResult; b: ChildResult; aPid: number }> = {};

  /** A backfills three days; B starts (two overlapping days) once A has begun writing. */
  const race = async (bTimeout: string) => {
    const a = p.spawnSf(['run', '--select', 'slow_daily', '--start', '2026-06-01', '--end', '2026-06-03', '--threads', '1']);
    for (let waited = 0; !/START incremental/.test(a.output()); waited += 50) {
      if (waited > 30_000) throw new Error(`A never started:\n${a.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const b = p.spawnSf(['run', '--select', 'slow_daily', '--start', '2026-06-02', '--end', '2026-06-03', '--threads', '1', '--lock-timeout', bTimeout]);
    return { a: await a.done, b: await b.done, aPid: a.child.pid! };
  };
  const table = () => p.query(`select id, cast(d as text) as d, amount from ${p.sql('slow_daily')} order by id`);
  const ledger = async () => (await p.query(`select partition_key, row_count, status from ${p.dialect.renderRelation({ schema: 'sf', name: 'partitions' })}
    where relation_name = '${`${p.dialect.defaultSchema}.slow_daily`.toLowerCase()}' order by partition_key`))
    .map((r) => [r['partition_key'], Number(r['row_count']), r['status']]);

  beforeAll(async () => {
    p = await pool.create({ files: { 'seeds/events.csv': SEED, 'models/slow_daily.sql': MODEL, 'macros/slow.sql': SLOW }, config: EVENTS_CONFIG });
    const seeded = await p.sf('seed');
    if (seeded.code !== 0) throw new Error(seeded.text);
    results['waits'] = await race('60');
    results['gives up'] = await race('0.3');
  }, 240_000);
  afterAll(() => pool.disposeAll());

  it('with time to wait, B waits for A, then both succeed', () => {
    const { a, b, aPid } = results['waits']!;
    expect(a.code, a.text).toBe(0);
    expect(b.code, b.text).toBe(0);
    expect(b.text).toContain(`PID ${aPid}`);
    expect(b.text).toMatch(engine === 'duckdb' ? /is in use by PID \d+.*; waiting up to 60 s/ : /waiting up to 60 s for slow_daily: it is being written by .*PID \d+/);
  });

  it('without, B stops naming A, and A finishes', () => {
    const { a, b, aPid } = results['gives up']!;
    expect(a.code, a.text).toBe(0);
    expect(b.code, b.text).toBe(engine === 'duckdb' ? 2 : 1);
    expect(b.text).toContain(`PID ${aPid}`);
    if (engine !== 'duckdb') expect(b.text).toMatch(/another sf process is writing [^:]*slow_daily: .*waited 0\.3 s/);
  });

  it('the table holds every row once, as a full build would, and the ledger matches it', async () => {
    const rows = await table();
    expect(rows.map((r) => Number(r['id']))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await ledger()).toEqual([['2026-06-01', 3, 'success'], ['2026-06-02', 3, 'success'], ['2026-06-03', 3, 'success']]);
  });
});
