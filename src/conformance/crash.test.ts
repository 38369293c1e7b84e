// Conformance: a process killed (SIGKILL) at any point inside a batch's transaction leaves the
// partition, its ledger row and the catalog exactly as they were, and the next run completes the
// work. The child runs the built CLI with SF_FAULT_KILL_AT=k (runner/faults.ts), which kills it
// at the k-th point of the unit: before each statement and before the commit. Each round sweeps
// k = 1, 2, ... until a run gets through, so every point is hit; the rounds change the source
// in between, so each round has something new to write.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { EVENTS_CONFIG, ProjectPool, type ConformanceProject } from './harness.js';

const ROUNDS = 2;
const DAY = '2026-06-02';

function events(round: number): string {
  const rows = ['id,ts,amount'];
  for (let i = 1; i <= 12; i++) {
    const day = `2026-06-0${1 + (i % 3)}`;
    // Round r changes day 2's amounts and drops one of its rows, so a re-run of it changes things.
    if (day === DAY && i === 4 && round % 2 === 1) continue;
    const amount = day === DAY ? i * 10 + round : i * 10;
    rows.push(`${i},${day} ${String(i).padStart(2, '0')}:30:00,${amount}`);
  }
  return `${rows.join('\n')}\n`;
}


const MODEL = `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d') }}
select id, cast(ts as date) as d, amount from {{ source('raw', 'events') }}`;

/** The same rows, built whole as a plain table: what the incremental table must equal. */
const FULL = `{{ config(materialized='table') }}
select id, cast(ts as date) as d, amount from {{ source('raw', 'events') }}`;

describe.each(ENGINES)('SIGKILL inside a batch on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  const kills: { round: number; point: number; tableKept: boolean; ledgerKept: boolean; stray: string[] }[] = [];
  const completed: { round: number; points: number; ok: boolean; text: string }[] = [];
  const finals: { table: unknown; expected: unknown; ledger: unknown }[] = [];

  const table = () => p.query(`select id, cast(d as text) as d, amount from ${p.sql('daily_sales')} order by id`);
  const ledger = () => p.query(`select partition_key, row_count, checksum, status from ${p.dialect.renderRelation({ schema: 'sf', name: 'partitions' })}
    where relation_name = '${`${p.dialect.defaultSchema}.daily_sales`.toLowerCase()}' order by partition_key`);
  const stray = async () => (await p.unexpectedRelations([p.rel('daily_sales'), p.rel('daily_sales_full'), p.rel('events', 'raw')])).map((e) => e.name);

  beforeAll(async () => {
    p = await pool.create({ files: { 'seeds/events.csv': events(0), 'models/daily_sales.sql': MODEL, 'models/daily_sales_full.sql': FULL }, config: EVENTS_CONFIG });
    const first = await p.sf('build');
    if (first.code !== 0) throw new Error(first.text);
    for (let round = 1; round <= ROUNDS; round++) {
      p.write('seeds/events.csv', events(round));
      const seeded = await p.sf('seed');
      if (seeded.code !== 0) throw new Error(seeded.text);
      const [tableBefore, ledgerBefore] = [await table(), await ledger()];
      for (let point = 1; ; point++) {
        if (point > 40) throw new Error('no run got through 40 fault points');
        const run = await p.spawnSf(['run', '--select', 'daily_sales', '--start', DAY], { SF_FAULT_KILL_AT: String(point) }).done;
        if (run.signal !== 'SIGKILL') {
          completed.push({ round, points: point - 1, ok: run.code === 0, text: run.text });
          break;
        }
        kills.push({
          round, point,
          tableKept: JSON.stringify(await table()) === JSON.stringify(tableBefore),
          ledgerKept: JSON.stringify(await ledger()) === JSON.stringify(ledgerBefore),
          stray: await stray(),
        });
      }
      // What a full build over the same source gives, built beside it for comparison.
      const full = await p.sf('run', '--select', 'daily_sales_full');
      if (full.code !== 0) throw new Error(full.text);
      finals.push({
        table: await table(),
        expected: await p.query(`select id, cast(d as text) as d, amount from ${p.sql('daily_sales_full')} order by id`),
        ledger: (await ledger()).map((r) => [r['partition_key'], Number(r['row_count']), r['status']]),
      });
    }
  }, 300_000);
  afterAll(() => pool.disposeAll());

  it('kills the run at every point of the batch, every round', () => {
    expect(kills.length).toBeGreaterThanOrEqual(ROUNDS * 8);
    for (const c of completed) expect(c.points, c.text).toBeGreaterThanOrEqual(8);
    console.log(`${engine}: ${kills.length} SIGKILLs inside the batch's transaction (${completed.map((c) => `${c.points} points`).join(', ')} per round)`);
  });

  it('after each kill the table and the ledger are exactly as before, with no staging table left', () => {
    for (const k of kills) {
      expect(k, `round ${k.round} point ${k.point}`).toMatchObject({ tableKept: true, ledgerKept: true, stray: [] });
    }
  });

  it('the next run completes the partition: the table equals a full build, the ledger counts its rows', () => {
    expect(completed.map((c) => c.ok)).toEqual(Array(ROUNDS).fill(true));
    for (const f of finals) {
      expect(f.table).toEqual(f.expected);
      const perDay = new Map<string, number>();
      for (const r of f.table as { d: string }[]) perDay.set(r.d, (perDay.get(r.d) ?? 0) + 1);
      expect(f.ledger).toEqual([...perDay].sort().map(([d, n]) => [d, n, 'success']));
    }
  });
});
