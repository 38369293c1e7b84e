// Conformance (PostgreSQL): connections cut from a second connection (pg_terminate_backend)
// while sf copies a seed and while it builds a model. The real CLI, as a subprocess, must never
// crash: the cut unit is retried on a new connection and the run succeeds; cut every time, the
// step fails with one line, the other nodes are reported and run_results.json is written.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { withPgClient } from '../testing/pg.js';
import { ProjectPool } from './harness.js';

const ROWS = Array.from({ length: 400_000 }, (_, i) => `${i},name ${i},${i % 97}`).join('\n');

/** Terminates the backends running a statement matching `pattern`, every `everyMs` until `stop()`. */
function cutter(url: string, pattern: string, everyMs: number, maxCuts: number) {
  let cuts = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped && cuts < maxCuts) {
      await new Promise((r) => setTimeout(r, everyMs));
      cuts += await withPgClient(url, async (c) => (await c.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where query ilike $1 and pid <> pg_backend_pid()`, [pattern])).rowCount ?? 0);
    }
  })();
  return { stop: async () => { stopped = true; await loop; return cuts; } };
}

describe('a PostgreSQL connection cut mid-run', () => {
  const pool = new ProjectPool('postgres', () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('mid-COPY and mid-model: retried on a new connection, the build succeeds, no stack trace', async () => {
    const p = await pool.create({ files: {
      'seeds/big.csv': `id,name,grp\n${ROWS}\n`,
      'models/slow.sql': "{{ config(materialized='table') }}\nselect count(*) as n, max(s) as s from {{ ref('big') }}, (select cast(pg_sleep(1.2) as text) as s) as sf_slow_marker",
    } });
    const run = p.spawnSf(['build']);
    const copy = cutter(inject('pgUrl'), 'copy %big%', 50, 1);
    const model = cutter(inject('pgUrl'), '%sf_slow_marker%', 100, 1);
    const done = await run.done;
    const [copyCuts, modelCuts] = [await copy.stop(), await model.stop()];
    expect(copyCuts + modelCuts, done.text).toBeGreaterThanOrEqual(1);
    expect(done.code, done.text).toBe(0);
    expect(done.text).toMatch(/retrying \S+ in \d+\.\ds \(attempt 2\): .*PostgreSQL at [^:\s]+:\d+/);
    expect(done.text).not.toMatch(/^\s+at /m);
    expect((await p.query(`select n from ${p.sql('slow')}`)).map((r) => Number(r['n']))).toEqual([400_000]);
  });

  it('cut on every attempt: the step fails with one line, the run ends cleanly with exit 1 and run_results', async () => {
    const p = await pool.create({ files: {
      'models/ok.sql': "{{ config(materialized='table') }}\nselect 1 as id",
      'models/doomed.sql': "{{ config(materialized='table') }}\nselect 1 as id from (select pg_sleep(0.6) as s) as sf_doomed_marker",
    } });
    const run = p.spawnSf(['build']);
    const cuts = cutter(inject('pgUrl'), '%sf_doomed_marker%', 80, 1000);
    const done = await run.done;
    await cuts.stop();
    expect(done.code, done.text).toBe(1);
    expect(done.text).not.toMatch(/^\s+at /m);
    expect(done.text).toMatch(/Model 'doomed' \(\S+\) failed:\n {2}.*PostgreSQL at [^:\s]+:\d+.*\n/);
    const results = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8')).results as { unique_id: string; status: string; attempts: number }[];
    expect(results.map((r) => [r.unique_id, r.status])).toEqual([['model.conformance.doomed', 'error'], ['model.conformance.ok', 'success']]);
    expect(results[0]!.attempts).toBe(4);
  });
});
