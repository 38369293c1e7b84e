// `sf verify` on every engine: a clean build verifies; rows changed, deleted or added behind
// sf's back are reported with their partition and key (and the ledger notices); a partition
// re-run by hand verifies again; --start/--end narrows it to partitions. It never writes what is
// published and leaves no relation behind, also when killed (SIGKILL) at any of its statements.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { EVENTS_CONFIG, ProjectPool, type ConformanceProject } from './harness.js';

const EVENTS = ['id,ts,amount', ...Array.from({ length: 12 }, (_, i) => `${i + 1},2026-06-0${1 + (i % 3)} 10:00:00,${(i + 1) * 10}`)].join('\n') + '\n';

const FILES = {
  'seeds/events.csv': EVENTS,
  // Keyed: compared by id, per day.
  'models/daily_sales.sql': "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d', unique_key='id') }}\nselect id, cast(ts as date) as d, amount from {{ source('raw', 'events') }}",
  // No key: compared as multisets.
  'models/totals.sql': "{{ config(materialized='table') }}\nselect cast(ts as date) as d, sum(amount) as amount from {{ source('raw', 'events') }} group by cast(ts as date)",
  'models/recent.sql': "select * from {{ ref('daily_sales') }}",
  // A quarantined row never reaches the table: the rebuild leaves it out too.
  'models/clean_sales.sql': "{{ config(materialized='table') }}\nselect id, case when id = 7 then null else amount end as amount from {{ source('raw', 'events') }}",
  'models/props.yml': 'version: 2\nmodels:\n  - name: clean_sales\n    columns:\n      - name: amount\n        data_tests:\n          - not_null:\n              config: {severity: quarantine}\n',
};

describe.each(ENGINES)('sf verify on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  const snapshot = async () => JSON.stringify(await p.query(`select id, amount from ${p.sql('daily_sales')} order by id`));

  beforeAll(async () => {
    p = await pool.create({ files: FILES, config: EVENTS_CONFIG });
    const build = await p.sf('build');
    if (build.code !== 0) throw new Error(build.text);
  });
  afterAll(() => pool.disposeAll());

  it('a clean build verifies equal, partition by partition', async () => {
    const run = await p.sf('verify');
    expect(run.code, run.text).toBe(0);
    expect(run.text).toMatch(/EQUAL daily_sales \(\S+, incremental \(insert_overwrite by day, unique_key id\)\): 3 partitions, 12 rows/);
    expect(run.text).toMatch(/EQUAL totals \(\S+, table\): 3 rows/);
    expect(run.text).toMatch(/SKIP recent .*a view is its query/);
    expect(run.text).toMatch(/EQUAL clean_sales \(\S+, table\): 11 rows \(1 quarantined row left out of the rebuild\)/);
    expect(run.text).toMatch(/Verified 4 models: 3 equal, 0 drifted, 0 failed to rebuild, 1 skipped\./);
  });

  it('reports rows changed, deleted and added behind its back, with partition and key; the ledger notices', async () => {
    const t = p.sql('daily_sales');
    await p.query(`update ${t} set amount = 999 where id = 4`);
    await p.query(`delete from ${t} where id = 5`);
    await p.query(`insert into ${t} (id, d, amount) select 100, d, 1 from ${t} where id = 3`);
    await p.query(`update ${p.sql('totals')} set amount = amount + 1 where amount = (select max(amount) from ${p.sql('totals')})`);
    const before = await snapshot();
    const run = await p.sf('verify');
    expect(run.code).toBe(1);
    expect(run.text).toMatch(/DRIFT daily_sales .*: 3 partitions, 12 rows/);
    // id 4 is on 2026-06-01, id 5 on 2026-06-02, id 100 beside id 3 on 2026-06-03.
    expect(run.text).toMatch(/2026-06-01: 4 rows rebuilt, 4 published: 0 missing, 0 extra, 1 changed\n {4}changed id=4: amount 999 published, 40 rebuilt/);
    expect(run.text).toMatch(/2026-06-02: 4 rows rebuilt, 3 published: 1 missing, 0 extra, 0 changed\n {4}missing id=5/);
    expect(run.text).toMatch(/2026-06-03: 4 rows rebuilt, 5 published: 0 missing, 1 extra, 0 changed\n {4}extra id=100/);
    expect(run.text).toMatch(/ledger: 2026-06-01: the ledger records 4 rows \(checksum \S+\), the table holds 4 \(checksum \S+\): changed outside sf/);
    expect(run.text).toMatch(/ledger: 2026-06-02: the ledger records 4 rows .*the table holds 3 .*changed outside sf/);
    expect(run.text).toMatch(/ledger: 2026-06-03: the ledger records 4 rows .*the table holds 5 .*changed outside sf/);
    expect(run.text).toMatch(/DRIFT totals .*\n {2}the table: 3 rows rebuilt, 3 published: 1 missing, 1 extra, 0 changed/);
    expect(run.text).toMatch(/Verified 4 models: 1 equal, 2 drifted/);
    // Nothing published changed, nothing left behind.
    expect(await snapshot()).toBe(before);
    const published = ['daily_sales', 'totals', 'recent', 'clean_sales', 'clean_sales__quarantine'].map((n) => p.rel(n));
    expect(await p.unexpectedRelations([...published, p.rel('events', 'raw')])).toEqual([]);
    const json = await p.sf('verify', '--select', 'daily_sales', '--output', 'json');
    const [verdict] = JSON.parse(json.out.join("\n")) as { status: string; partitions: { partition: string; missing: number; extra: number; changed: number }[] }[];
    expect(verdict!.status).toBe('drift');
    expect(verdict!.partitions.map((x) => [x.partition, x.missing, x.extra, x.changed])).toEqual([['2026-06-01', 0, 0, 1], ['2026-06-02', 1, 0, 0], ['2026-06-03', 0, 1, 0]]);
  });

  it('narrows to --start/--end; a partition re-run by hand verifies again', async () => {
    const one = await p.sf('verify', '--select', 'daily_sales', '--start', '2026-06-02');
    expect(one.code).toBe(1);
    expect(one.text).toMatch(/DRIFT daily_sales .*: 1 partition, 3 rows\n {2}2026-06-02: 4 rows rebuilt, 3 published: 1 missing/);
    expect(one.text).not.toMatch(/2026-06-0[13]/);
    expect((await p.sf('run', '--select', 'daily_sales', '--start', '2026-06-02')).code).toBe(0);
    const again = await p.sf('verify', '--select', 'daily_sales', '--start', '2026-06-02');
    expect(again.code, again.text).toBe(0);
    expect(again.text).toMatch(/EQUAL daily_sales .*: 1 partition, 4 rows/);
    expect((await p.sf('run', '--select', 'daily_sales', 'totals', '--start', '2026-06-01', '--end', '2026-06-03')).code).toBe(0);
    const all = await p.sf('verify');
    expect(all.code, all.text).toBe(0);
  });

  it('killed at any point, it leaves nothing behind and nothing published changed', async () => {
    const before = await snapshot();
    const expected = [...['daily_sales', 'totals', 'recent', 'clean_sales', 'clean_sales__quarantine'].map((n) => p.rel(n)), p.rel('events', 'raw')];
    let killed = 0;
    for (let point = 1; point <= 60; point += 7) {
      const run = await p.spawnSf(['verify'], { SF_FAULT_KILL_AT: String(point) }).done;
      if (run.signal !== 'SIGKILL') break;
      killed++;
      expect(await p.unexpectedRelations(expected)).toEqual([]);
      expect(await snapshot()).toBe(before);
    }
    expect(killed).toBeGreaterThan(3);
    expect((await p.sf('verify')).code).toBe(0);
  });
});
