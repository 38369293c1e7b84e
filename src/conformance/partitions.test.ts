// Conformance: partition batches, backfills and the ledger, on every engine.
//   - overlapping backfills, and the same backfill twice, leave the table as one build does;
//   - a change to one day's source rows and a re-run of that day equals a full refresh;
//   - --missing / sf backfill build exactly the gaps between the first and last partition;
//   - a failing batch: the others go on, exit 1 names it, the ledger marks it failed, and
//     sf retry builds exactly that partition again;
//   - dates stay dates: window bounds and cast(... as date) filters select the same rows on
//     every engine (SQLite keeps dates as text).
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { EVENTS_CONFIG, ProjectPool, type ConformanceProject } from './harness.js';

const DAYS = ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05', '2026-06-06'];

/** Two events a day, on the day's edges: midnight and one second before the next. */
function events(change = false): string {
  const rows = ['id,ts,amount'];
  DAYS.forEach((day, i) => {
    if (change && day === '2026-06-03') {
      rows.push(`${i * 2 + 1},${day} 00:00:00,999`, `${100 + i},${day} 12:00:00,7`);
      return;
    }
    rows.push(`${i * 2 + 1},${day} 00:00:00,${(i + 1) * 10}`, `${i * 2 + 2},${day} 23:59:59,${(i + 1) * 10 + 1}`);
  });
  return `${rows.join('\n')}\n`;
}


const DAILY = `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d') }}
select id, cast(ts as date) as d, amount from {{ source('raw', 'events') }}`;

/** Filters on the window itself (its source read whole, .render()), with a cast(... as date) too. */
const WINDOWED = `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by={'field': 'ts', 'data_type': 'timestamp', 'granularity': 'day'}) }}
select id, ts, cast(ts as date) as d, amount from {{ source('raw', 'events').render() }} as e
where {% if sf.is_batch %}e.ts >= {{ sf.batch_start }} and e.ts < {{ sf.batch_end }} and {% endif %}cast(e.ts as date) <> cast('2026-06-04' as date)`;

const across: Record<string, unknown> = {};

describe.each(ENGINES)('partitions on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  const create = async (model = DAILY) => {
    const p = await pool.create({ files: { 'seeds/events.csv': events(), 'models/daily.sql': model }, config: EVENTS_CONFIG });
    const seeded = await p.sf('seed');
    expect(seeded.code, seeded.text).toBe(0);
    return p;
  };
  const rows = (p: ConformanceProject, name = 'daily') =>
    p.query(`select id, cast(d as text) as d, amount from ${p.sql(name)} order by id`);
  const ledger = async (p: ConformanceProject, name = 'daily') =>
    (await p.query(`select partition_key, row_count, checksum, status from ${p.dialect.renderRelation({ schema: 'sf', name: 'partitions' })}
      where relation_name = '${`${p.dialect.defaultSchema}.${name}`.toLowerCase()}' order by partition_key`))
      .map((r) => [String(r['partition_key']), Number(r['row_count']), String(r['checksum']), String(r['status'])]);
  const run = async (p: ConformanceProject, ...args: string[]) => {
    const result = await p.sf(args[0]!, ...args.slice(1));
    return result;
  };

  it('overlapping backfills, and the same backfill twice, leave the table and ledger of one build', async () => {
    const p = await create();
    expect((await run(p, 'run')).code).toBe(0);
    const [table, book] = [await rows(p), await ledger(p)];
    expect(book.map((b) => [b[0], b[1]])).toEqual(DAYS.map((d) => [d, 2]));
    for (const range of [['2026-06-01', '2026-06-04'], ['2026-06-03', '2026-06-06'], ['2026-06-01', '2026-06-04']]) {
      const r = await run(p, 'run', '--start', range[0]!, '--end', range[1]!);
      expect(r.code, r.text).toBe(0);
      expect(r.out.join('\n')).toContain('daily batch 4/4');
    }
    expect(await rows(p)).toEqual(table);
    expect(await ledger(p)).toEqual(book.map(([k, n, sum, s]) => [k, n, sum, s]));
  });

  it('a change to one day, re-run for that day, equals a full refresh', async () => {
    const p = await create();
    expect((await run(p, 'run')).code).toBe(0);
    p.write('seeds/events.csv', events(true));
    expect((await run(p, 'seed')).code).toBe(0);
    const day = await run(p, 'run', '--start', '2026-06-03');
    expect(day.out.join('\n')).toMatch(/daily batch 1\/1 2026-06-03 OK 2 rows/);
    const [incremental, incrementalBook] = [await rows(p), await ledger(p)];
    expect(incremental.filter((r) => r['d'] === '2026-06-03').map((r) => Number(r['amount']))).toEqual([999, 7]);
    const full = await run(p, 'run', '--full-refresh');
    expect(full.out.join('\n')).toContain('(full refresh)');
    expect(await rows(p)).toEqual(incremental);
    expect(await ledger(p)).toEqual(incrementalBook);
  });

  it('sf backfill builds exactly the gaps between the first and last built partition', async () => {
    const p = await create();
    expect((await run(p, 'run', '--start', '2026-06-01', '--end', '2026-06-02')).code).toBe(0);
    expect((await run(p, 'run', '--start', '2026-06-05')).code).toBe(0);
    const fill = await run(p, 'backfill');
    expect(fill.code, fill.text).toBe(0);
    const lines = fill.out.filter((l) => /daily batch/.test(l));
    expect(lines.map((l) => /batch \d+\/\d+ (\S+) OK/.exec(l)?.[1]).sort()).toEqual(['2026-06-03', '2026-06-04']);
    expect((await ledger(p)).map((b) => b[0])).toEqual(DAYS.slice(0, 5));
    expect((await rows(p)).map((r) => Number(r['id']))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const again = await run(p, 'backfill');
    expect(again.out.join('\n')).toMatch(/OK incremental .*daily/);
    expect(again.out.filter((l) => /daily batch/.test(l))).toEqual([]);
  });

  it('a failing batch: the others go on, exit 1 names it, the ledger marks it failed, sf retry builds just it', async () => {
    const broken = DAILY.replace('from {{', "{% if sf.partition == '2026-06-02' %}, no_such_column{% endif %} from {{");
    const p = await create(broken);
    const first = await run(p, 'run', '--start', '2026-06-01', '--end', '2026-06-04');
    expect(first.code, first.text).toBe(1);
    expect(first.text).toMatch(/1 of 5 batches failed: 2026-06-02/);
    const book = await ledger(p);
    expect(book.map((b) => [b[0], b[3]])).toEqual([['2026-06-01', 'success'], ['2026-06-02', 'failed'], ['2026-06-03', 'success'], ['2026-06-04', 'success']]);
    const results = JSON.parse(p.read('target/run_results.json'));
    expect(results.results[0].batch_results.failed).toEqual([['2026-06-02 00:00:00', '2026-06-03 00:00:00']]);
    expect(results.results[0].batches.map((b: { partition: string; status: string }) => `${b.partition} ${b.status}`))
      .toEqual(['prepare success', '2026-06-01 success', '2026-06-02 error', '2026-06-03 success', '2026-06-04 success']);

    p.write('models/daily.sql', DAILY); // the fix
    const retry = await run(p, 'retry');
    expect(retry.code, retry.text).toBe(0);
    expect(retry.out[0]).toBe('Retrying run: daily (partitions: daily 2026-06-02)');
    expect(retry.out.filter((l) => /daily batch/.test(l)).map((l) => /batch (\S+) (\S+) OK/.exec(l)?.slice(1).join(' '))).toEqual(['1/1 2026-06-02']);
    expect((await ledger(p)).map((b) => [b[0], b[1], b[3]])).toEqual(DAYS.slice(0, 4).map((d) => [d, 2, 'success']));
    expect((await run(p, 'retry')).out).toEqual(['Nothing to retry: every node of the last run succeeded.']);
  });

  it('window bounds and cast(... as date) filters select the same rows on every engine', async () => {
    const p = await create(WINDOWED);
    const r = await run(p, 'run', '--start', '2026-06-01', '--end', '2026-06-06');
    expect(r.code, r.text).toBe(0);
    const table = await rows(p);
    expect(table.map((x) => x['d'])).toEqual(['2026-06-01', '2026-06-01', '2026-06-02', '2026-06-02', '2026-06-03', '2026-06-03',
      '2026-06-05', '2026-06-05', '2026-06-06', '2026-06-06']);
    across[engine] = { table: table.map((x) => [Number(x['id']), x['d'], Number(x['amount'])]), ledger: (await ledger(p)).map((b) => [b[0], b[1]]) };
  });
});

describe('partitions across engines', () => {
  it('every engine built the same rows and the same ledger partitions', () => {
    const [first, ...rest] = ENGINES.map((e) => across[e]);
    expect(first).toBeDefined();
    for (const other of rest) expect(other).toEqual(first);
  });
});

// dbt-tests-adapter's BaseMicrobatch.test_run_with_event_time, with "now" set as dbt's test
// patches it: batches run from `begin` on the first build, then the last `lookback` days up to now.
describe.each(ENGINES)('microbatch as dbt documents it on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('runs from begin, then up to now with lookback; rows of later days wait for their day', async () => {
    const p = await pool.create({ files: {
      'models/input_model.sql': `{{ config(materialized='table', event_time='event_time') }}
select 1 as id, cast('2020-01-01 00:00:00' as timestamp) as event_time
union all select 2, cast('2020-01-02 00:00:00' as timestamp)
union all select 3, cast('2020-01-03 00:00:00' as timestamp)`,
      'models/microbatch_model.sql': `{{ config(materialized='incremental', incremental_strategy='microbatch', unique_key='id', event_time='event_time', batch_size='day', begin='2020-01-01') }}
select * from {{ ref('input_model') }}`,
    } });
    const { loadProject } = await import('../session/project.js');
    const { runProject } = await import('../session/run.js');
    const project = await loadProject({ projectDir: p.dir, target: engine });
    const runAt = async (now: string, select?: string[]) => {
      const outcome = await runProject(project, { command: 'run', select, now: () => new Date(`${now}Z`) });
      expect(outcome.results.every((r) => r.status === 'success'), JSON.stringify(outcome.results)).toBe(true);
      return outcome;
    };
    const count = async () => Number((await p.query(`select count(*) as n from ${p.sql('microbatch_model')}`))[0]!['n']);

    const first = await runAt('2020-01-03T13:57:00');
    expect(first.results.find((r) => r.name === 'microbatch_model')!.batches!.filter((b) => b.window).map((b) => b.label))
      .toEqual(['2020-01-01', '2020-01-02', '2020-01-03']);
    expect(await count()).toBe(3);
    await runAt('2020-01-03T14:57:00');
    expect(await count()).toBe(3);

    await p.query(`insert into ${p.sql('input_model')} (id, event_time) values (4, '2020-01-04 00:00:00'), (5, '2020-01-05 00:00:00')`);
    await runAt('2020-01-03T14:57:00', ['microbatch_model']);
    expect(await count()).toBe(3);
    const next = await runAt('2020-01-04T14:57:00', ['microbatch_model']);
    expect(next.results[0]!.batches!.map((b) => b.label)).toEqual(['2020-01-03', '2020-01-04']);
    expect(await count()).toBe(4);
    await runAt('2020-01-05T14:57:00', ['microbatch_model']);
    expect(await count()).toBe(5);
  });
});

describe.each(ENGINES)('full_refresh as a setting on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('false: --full-refresh leaves the model incremental; true: every run rebuilds it', async () => {
    const model = (setting: string) => `{{ config(materialized='incremental', unique_key='id', full_refresh=${setting}) }}
select {{ var('v') }} as id, 'v{{ var('v') }}' as tag`;
    const p = await pool.create({ files: { 'models/protected.sql': model('false'), 'models/always.sql': model('true') } });
    expect((await p.sf('run', '--vars', '{"v": 1}')).code).toBe(0);
    const second = await p.sf('run', '--full-refresh', '--vars', '{"v": 2}');
    expect(second.code, second.text).toBe(0);
    expect(second.text).toMatch(/OK incremental \S*protected \(merge\)/);
    expect(second.text).toMatch(/OK incremental \S*always \(full refresh\)/);
    const ids = async (name: string) => (await p.query(`select id from ${p.sql(name)} order by id`)).map((r) => Number(r['id']));
    expect(await ids('protected')).toEqual([1, 2]);
    expect(await ids('always')).toEqual([2]);
  });
});

describe.each(ENGINES)('a full refresh of a batched model on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('replaces the table atomically: a failing batch leaves the old table and ledger, a passing run the new ones', async () => {
    const model = `{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts', batch_size='day', begin='2026-06-01') }}
select id, ts, amount * {{ var('factor', 1) }} as amount{% if sf.partition == var('broken', 'none') %}, no_such_column{% endif %} from {{ source('raw', 'events') }}`;
    const p = await pool.create({ files: { 'seeds/events.csv': events(), 'models/mb.sql': model }, config: EVENTS_CONFIG });
    const range = ['--event-time-start', '2026-06-01', '--event-time-end', '2026-06-07'];
    expect((await p.sf('build', ...range)).code).toBe(0);
    const amounts = async () => (await p.query(`select amount from ${p.sql('mb')} order by id`)).map((r) => Number(r['amount']));
    const book = async () => (await p.query(`select partition_key, checksum from ${p.dialect.renderRelation({ schema: 'sf', name: 'partitions' })} order by 1`));
    const [before, bookBefore] = [await amounts(), await book()];
    expect(before).toHaveLength(12);

    const failing = await p.sf('run', '--full-refresh', ...range, '--vars', '{"factor": 2, "broken": "2026-06-04"}');
    expect(failing.code, failing.text).toBe(1);
    expect(failing.text).toContain('(microbatch by day, full refresh)');
    expect(await amounts()).toEqual(before);
    expect(await book()).toEqual(bookBefore);

    const passing = await p.sf('run', '--full-refresh', ...range, '--vars', '{"factor": 2}');
    expect(passing.code, passing.text).toBe(0);
    expect(await amounts()).toEqual(before.map((a) => a * 2));
    expect((await book()).map((r) => r['partition_key'])).toEqual(DAYS);
  });
});

describe.each(ENGINES)('the ledger through schema changes, and a microbatch not begun yet, on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('a column added by one batch changes every row: the whole ledger is written again', async () => {
    const model = `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d', on_schema_change='append_new_columns') }}
select id, cast(ts as date) as d, amount{% if var('v', 1) == 2 %}, 'x' as note{% endif %} from {{ source('raw', 'events') }}`;
    const p = await pool.create({ files: { 'seeds/events.csv': events(), 'models/daily.sql': model }, config: EVENTS_CONFIG });
    expect((await p.sf('build')).code).toBe(0);
    const book = async () => (await p.query(`select partition_key, row_count, checksum from ${p.dialect.renderRelation({ schema: 'sf', name: 'partitions' })} order by 1`))
      .map((r) => [String(r['partition_key']), Number(r['row_count']), String(r['checksum'])]);
    const before = await book();
    const run = await p.sf('run', '--start', '2026-06-03', '--vars', '{"v": 2}');
    expect(run.code, run.text).toBe(0);
    const after = await book();
    expect(after.map((b) => [b[0], b[1]])).toEqual(before.map((b) => [b[0], b[1]]));
    // Every partition's rows gained a column (NULL outside 2026-06-03): every checksum moved.
    for (let i = 0; i < after.length; i++) expect(after[i]![2], String(after[i]![0])).not.toBe(before[i]![2]);
  });

  it('a microbatch model whose begin is still ahead is created empty', async () => {
    const p = await pool.create({ files: {
      'seeds/events.csv': events(),
      'models/later.sql': "{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts', batch_size='day', begin='2999-01-01') }}\nselect id, ts from {{ source('raw', 'events') }}",
      'models/reads_later.sql': "{{ config(materialized='view') }}\nselect count(*) as n from {{ ref('later') }}",
    }, config: EVENTS_CONFIG });
    const run = await p.sf('build');
    expect(run.code, run.text).toBe(0);
    expect(await p.query(`select n from ${p.sql('reads_later')}`)).toEqual([{ n: expect.anything() }]);
    expect(Number((await p.query(`select count(*) as n from ${p.sql('later')}`))[0]!['n'])).toBe(0);
  });
});
