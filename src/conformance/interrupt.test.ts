// Ctrl-C mid-build (the real CLI, as a subprocess, sent SIGINT while a model is being
// written): the write rolls back and the table keeps its previous rows, a line says what was
// interrupted, run_results.json marks it, exit 130; `sf retry` then builds it. SIGTERM: 143.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ProjectPool, type ConformanceProject } from './harness.js';

const SLOW: Record<string, string> = {
  // Slow only where the test sets SF_TEST_SLOW (so sf retry, which repeats the vars, is quick).
  duckdb: "select {{ var('v', 1) }} as v, sum(range % 7) as s from range({{ env_var('SF_TEST_SLOW', '10') }})",
  postgres: "select {{ var('v', 1) }} as v, count(*) as s from (select pg_sleep({{ env_var('SF_TEST_SLOW', '0') }})) as sf_pause",
  // SQLite runs a statement synchronously: the interrupt lands when it ends, before the commit.
  sqlite: "with recursive c(x) as (select 1 union all select x + 1 from c where x < {{ env_var('SF_TEST_SLOW', '10') }}) select {{ var('v', 1) }} as v, count(*) as s from c",
};

async function interruptMidWrite(p: ConformanceProject, engine: string, signal: 'SIGINT' | 'SIGTERM', args: string[]) {
  // DuckDB and PostgreSQL statements of a minute or more; SQLite's runs to its end (~1-2 s).
  const run = p.spawnSf(['build', ...args], { SF_TEST_SLOW: { duckdb: '15000000000', postgres: '60', sqlite: '10000000' }[engine]! });
  for (let i = 0; i < 200 && !/START table \S*slow/.test(run.output()); i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 300));
  run.child.kill(signal);
  return run.done;
}

describe.each(['duckdb', 'postgres', 'sqlite'] as const)('Ctrl-C during a build on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('rolls back the write in flight, says so, marks it in run_results, exits 130; sf retry builds it', async () => {
    const p = await pool.create({ files: {
      'models/first.sql': "{{ config(materialized='table') }}\nselect 1 as id",
      'models/slow.sql': `{{ config(materialized='table') }}\n${SLOW[engine]}`,
      'models/after.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('slow') }}",
    } });
    expect((await p.sf('build')).code).toBe(0);
    const before = await p.query(`select v from ${p.sql('slow')}`);
    const t0 = Date.now();
    const done = await interruptMidWrite(p, engine, 'SIGINT', ['--vars', '{"v": 2}']);
    // DuckDB and PostgreSQL stop the statement: the run ends long before it would have.
    if (engine !== 'sqlite') expect(Date.now() - t0).toBeLessThan(30_000);
    expect(done.code, done.text).toBe(130);
    // SQLite runs one statement at a time, synchronously: 'first' may still count as in flight.
    expect(done.text).toMatch(/Interrupted by SIGINT: (\S*first, )?\S*slow stopped mid-write; their transactions roll back and they keep their previous state\. [01] of 3 nodes had finished/);
    expect(done.text).not.toMatch(/^\s+at /m);
    expect(await p.query(`select v from ${p.sql('slow')}`)).toEqual(before);
    const results = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8')).results as { unique_id: string; status: string; message: string }[];
    expect(results.map((r) => [r.unique_id.replace('model.conformance.', ''), r.status]).slice(1)).toEqual([['slow', 'error'], ['after', 'skipped']]);
    expect(results[1]!.message).toContain('interrupted by SIGINT');

    const retry = await p.spawnSf(['retry']).done;
    expect(retry.code, retry.text).toBe(0);
    expect(retry.text).toMatch(/Retrying build: (first, )?slow, after/);
    expect((await p.query(`select v from ${p.sql('after')}`)).map((r) => Number(r['v']))).toEqual([2]);
  });

  it('SIGTERM: the same account, exit 143', async () => {
    const p = await pool.create({ files: { 'models/slow.sql': `{{ config(materialized='table') }}\n${SLOW[engine]}` } });
    const done = await interruptMidWrite(p, engine, 'SIGTERM', []);
    expect(done.code, done.text).toBe(143);
    expect(done.text).toMatch(/Interrupted by SIGTERM: \S*slow stopped mid-write/);
  });
});
