// Crash soak: many SIGKILLs at random points of a parallel backfill, on each engine.
//   node --import jiti/register scripts/crash-soak.ts [--kills 50] [--engines duckdb,sqlite,postgres]
// Each round changes the source of all five days, then runs `sf run --start .. --end ..
// --threads 3` in a child process that SF_FAULT_KILL_AT kills at a random point of its
// transactions (several batches are in flight at once). After every kill, each partition must
// hold either exactly its old rows or exactly its new rows, its ledger row must agree (the old
// entry untouched, or the new one with the table's row count), and no staging table may remain.
// The conformance suite (src/conformance/crash.test.ts) hits every point of one batch in CI;
// this repeats the experiment at scale and prints the counts. Needs a build (npm install).
import { parseArgs } from 'node:util';
import { EVENTS_CONFIG, ProjectPool, type ConformanceProject } from '../src/conformance/harness.js';
import { ENGINES } from '../src/conformance/engines.js';
import { startPostgres } from '../src/testing/postgres-server.js';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '50' }, engines: { type: 'string', default: ENGINES.join(',') } } });
const wanted = Number(values.kills);
const engines = values.engines.split(',') as (typeof ENGINES)[number][];
const DAYS = ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05'];

function source(round: number): { csv: string; rows: Map<string, string[]> } {
  const rows = new Map<string, string[]>(DAYS.map((d) => [d, []]));
  const lines = ['id,ts,amount'];
  for (let i = 0; i < 200; i++) {
    const day = DAYS[i % DAYS.length]!;
    const amount = i * 10 + round;
    lines.push(`${i},${day} ${String(i % 24).padStart(2, '0')}:00:00,${amount}`);
    rows.get(day)!.push(`${i}|${amount}`);
  }
  return { csv: `${lines.join('\n')}\n`, rows };
}

const MODEL = `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d') }}
select id, cast(ts as date) as d, amount from {{ source('raw', 'events') }}`;

async function tableByDay(p: ConformanceProject): Promise<Map<string, string[]>> {
  const byDay = new Map<string, string[]>(DAYS.map((d) => [d, []]));
  for (const r of await p.query(`select id, cast(d as text) as d, amount from ${p.sql('daily')} order by id`)) {
    byDay.get(String(r['d']))?.push(`${r['id']}|${r['amount']}`);
  }
  return byDay;
}

async function ledgerByDay(p: ConformanceProject): Promise<Map<string, { rows: number; checksum: string; run: string; status: string }>> {
  const rows = await p.query(`select partition_key, row_count, checksum, run_id, status from ${p.dialect.renderRelation({ schema: 'sf', name: 'partitions' })}
    where relation_name = '${`${p.dialect.defaultSchema}.daily`.toLowerCase()}'`);
  return new Map(rows.map((r) => [String(r['partition_key']), { rows: Number(r['row_count']), checksum: String(r['checksum']), run: String(r['run_id']), status: String(r['status']) }]));
}

const pg = engines.includes('postgres') ? await startPostgres() : undefined;
let failures = 0;
try {
  for (const engine of engines) {
    const pool = new ProjectPool(engine, () => pg?.url ?? '');
    const p = await pool.create({ files: { 'seeds/events.csv': source(0).csv, 'models/daily.sql': MODEL }, config: EVENTS_CONFIG });
    if ((await p.sf('build')).code !== 0) throw new Error(`${engine}: first build failed`);
    let kills = 0;
    let completed = 0;
    let checked = 0;
    const t0 = performance.now();
    for (let round = 1; kills < wanted; round++) {
      const next = source(round);
      p.write('seeds/events.csv', next.csv);
      if ((await p.sf('seed')).code !== 0) throw new Error(`${engine}: seed failed`);
      const [before, ledgerBefore] = [await tableByDay(p), await ledgerByDay(p)];
      const point = 1 + Math.floor(Math.random() * 50);
      const run = await p.spawnSf(['run', '--select', 'daily', '--start', DAYS[0]!, '--end', DAYS[DAYS.length - 1]!, '--threads', '3'],
        { SF_FAULT_KILL_AT: String(point) }).done;
      if (run.signal === 'SIGKILL') kills++;
      else if (run.code === 0) completed++;
      else throw new Error(`${engine}: run neither killed nor successful:\n${run.text}`);
      const [after, ledgerAfter] = [await tableByDay(p), await ledgerByDay(p)];
      const stray = (await p.unexpectedRelations([p.rel('daily'), p.rel('events', 'raw')])).map((e) => e.name);
      if (stray.length) (failures++, console.error(`${engine} round ${round}: leftover relations ${stray.join(', ')}`));
      for (const day of DAYS) {
        checked++;
        const rows = JSON.stringify(after.get(day));
        const old = rows === JSON.stringify(before.get(day));
        const fresh = rows === JSON.stringify(next.rows.get(day));
        const entry = ledgerAfter.get(day);
        const ledgerOk = old
          ? JSON.stringify(entry) === JSON.stringify(ledgerBefore.get(day))
          : fresh && entry?.status === 'success' && entry.rows === after.get(day)!.length && entry.run !== ledgerBefore.get(day)?.run;
        if ((!old && !fresh) || !ledgerOk || (run.code === 0 && !fresh)) {
          failures++;
          console.error(`${engine} round ${round} (kill at ${point}): partition ${day} is ${old ? 'old' : fresh ? 'new' : 'neither old nor new'}, ledger ${JSON.stringify(entry)}`);
        }
      }
    }
    console.log(`${engine}: ${kills} SIGKILLs at random points of a 5-batch parallel backfill (plus ${completed} runs that got through); `
      + `${checked} partition checks, each wholly old or wholly new with its ledger row agreeing; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    await pool.disposeAll();
  }
} finally {
  await pg?.stop();
}
console.log(failures ? `${failures} violations` : '0 violations');
process.exitCode = failures ? 1 : 0;
