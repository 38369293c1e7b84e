// --fail-fast, as a user runs it (the real CLI, a subprocess): the first failure stops the
// run. Nothing more starts, the write in flight is cancelled and rolled back (its table keeps
// its previous rows), run_results.json says why each node was skipped, exit 1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ProjectPool } from './harness.js';

const SLOW: Record<string, string> = {
  duckdb: "select {{ var('v', 1) }} as v, sum(range % 7) as s from range({{ env_var('SF_TEST_SLOW', '10') }})",
  postgres: "select {{ var('v', 1) }} as v, count(*) as s from (select pg_sleep({{ env_var('SF_TEST_SLOW', '0') }})) as sf_pause",
  sqlite: "with recursive c(x) as (select 1 union all select x + 1 from c where x < {{ env_var('SF_TEST_SLOW', '10') }}) select {{ var('v', 1) }} as v, count(*) as s from c",
};
// What bad selects when broken: on DuckDB and PostgreSQL it fails about a second in, once slow
// has surely started (its thread and lock taken); SQLite runs one at a time, bad first.
const BROKEN: Record<string, string> = {
  duckdb: "cast('x' || (select sum(range) from range(300000000)) as integer)",
  sqlite: 'no_such_column',
  postgres: "cast('x' || (select count(*) from pg_sleep(1)) as int)",
};
const VERY_SLOW: Record<string, string> = { duckdb: '15000000000', postgres: '60', sqlite: '3000000' };

interface Result { unique_id: string; status: string; message: string }

describe.each(['duckdb', 'postgres', 'sqlite'] as const)('--fail-fast on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('stops at the first failure: nothing more starts, the write in flight rolls back, exit 1', async () => {
    const p = await pool.create({ files: {
      'models/slow.sql': `{{ config(materialized='table') }}\n${SLOW[engine]}`,
      'models/after_slow.sql': "{{ config(materialized='table') }}\nselect v from {{ ref('slow') }}",
      // Fails only when the vars say so: a column that does not exist.
      'models/bad.sql': `{{ config(materialized='table') }}\nselect {{ ${JSON.stringify(BROKEN[engine])} if var('break', false) else '1' }} as x from (select 1 as id) as t`,
      // Independent of the rest: on SQLite (one statement at a time) bad, first in order, runs first.
      'models/one.sql': "{{ config(materialized='table') }}\nselect 1 as id",
    } });
    expect((await p.sf('build')).code).toBe(0);
    const broken = (v: number) => ['--vars', JSON.stringify({ v, break: true }), '--threads', '4'];

    // Without --fail-fast the failure stays where it is: slow and after_slow are built.
    const plain = await p.spawnSf(['build', ...broken(2)]).done;
    expect(plain.code, plain.text).toBe(1);
    expect(plain.text).toMatch(/Done\. PASS=3 ERROR=1 SKIP=0 TOTAL=4/);
    expect((await p.query(`select v from ${p.sql('after_slow')}`)).map((r) => Number(r['v']))).toEqual([2]);

    const t0 = Date.now();
    const run = await p.spawnSf(['build', ...broken(3), '--fail-fast'], { SF_TEST_SLOW: VERY_SLOW[engine]! }).done;
    expect(run.code, run.text).toBe(1);
    const results = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8')).results as Result[];
    const status = Object.fromEntries(results.map((r) => [r.unique_id.replace('model.conformance.', ''), r]));
    expect(status['bad']!.status).toBe('error');
    expect(status['after_slow']!.status).toBe('skipped');
    expect(status['after_slow']!.message).toMatch(/^(not started: --fail-fast stopped the run after 'bad' failed|skipped: upstream)/);
    expect(run.text).toMatch(/--fail-fast stopped the run after 'bad' failed: \d+ nodes? skipped/);
    expect(status['slow']!.status).toBe('skipped');
    expect(status['slow']!.message).toBe(engine === 'sqlite'
      // One statement at a time: bad ran first, slow never started.
      ? "not started: --fail-fast stopped the run after 'bad' failed"
      // slow was running when bad failed: cancelled (long before its minute is up), rolled back.
      : "--fail-fast stopped the run after 'bad' failed: rolled back, left as it was");
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect((await p.query(`select v from ${p.sql('slow')}`)).map((r) => Number(r['v']))).toEqual([2]);
  });

  it('sf test --fail-fast: the tests after the first failure are skipped, not run', async () => {
    const p = await pool.create({ files: {
      'seeds/people.csv': 'id,name\n1,Ada\n2,\n3,Grace\n3,Edsger\n',
      'seeds/_people.yml': [
        'version: 2', 'seeds:', '  - name: people', '    columns:',
        '      - name: id', '        data_tests: [not_null, unique]',
        '      - name: name', '        data_tests: [not_null]',
      ].join('\n'),
    } });
    expect((await p.sf('seed')).code).toBe(0);
    const all = await p.spawnSf(['test']).done;
    expect(all.code).toBe(1);
    expect(all.text).toMatch(/Done\. PASS=1 WARN=0 ERROR=2 SKIP=0 TOTAL=3/);
    const fast = await p.spawnSf(['test', '-x']).done;
    expect(fast.code).toBe(1);
    const lines = fast.text.split('\n').filter((l) => /^\d of 3 /.test(l)).map((l) => l.split(' ').slice(3, 5).join(' '));
    const firstFailure = lines.findIndex((l) => l.startsWith('FAIL'));
    expect(firstFailure).toBeGreaterThanOrEqual(0);
    expect(lines.slice(firstFailure + 1).every((l) => l.startsWith('SKIP'))).toBe(true);
    const skipped = 3 - firstFailure - 1;
    expect(skipped).toBeGreaterThan(0);
    expect(fast.text).toMatch(new RegExp(`--fail-fast stopped after '\\w+' failed: ${skipped} tests? not run\\.\\nDone\\. PASS=${firstFailure} WARN=0 ERROR=1 SKIP=${skipped} TOTAL=3`));
  });
});

describe('--fail-fast among long DuckDB statements', () => {
  const pool = new ProjectPool('duckdb', () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('four long statements do not hold up the rest: a failure among them stops the run at once', async () => {
    // DuckDB runs statements on libuv's worker threads, 4 by default: bin/sf.cjs makes room (12).
    // zbad starts last (steps start in name order), once the four slow ones would hold all 4.
    const files: Record<string, string> = { 'models/zbad.sql': "{{ config(materialized='table') }}\nselect no_such_column from (select 1 as id) as t" };
    for (let i = 1; i <= 4; i++) files[`models/slow${i}.sql`] = "{{ config(materialized='table') }}\nselect sum(range % 7) as s from range(30000000000)";
    const p = await pool.create({ files });
    const t0 = Date.now();
    const run = await p.spawnSf(['build', '-x', '--threads', '6']).done;
    expect(run.code, run.text).toBe(1);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(run.text).toMatch(/--fail-fast stopped the run after 'zbad' failed: 4 nodes skipped/);
  });
});
