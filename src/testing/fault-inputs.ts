// The fault suite's bad inputs (faults.ts runs them).
//   source-change  a raw table dropped, renamed, given a new column, or given another type for a
//                  column, while `sf run` runs (PostgreSQL and SQLite: from another connection at
//                  a seeded random moment; DuckDB: just before, since no other process can open
//                  the file while sf holds it). The run succeeds or fails naming what is missing
//                  or wrong, in one clean message; each partition is as before, as a clean run
//                  makes it, or as a run on the changed source makes it; with the source restored
//                  the next run gives the clean state.
//   bad-batch      one day's order items broken (quantity 0) in a backfill of fact_sales with
//                  max_quarantine_rate 0.5: some of the day's rows quarantine and the rest publish,
//                  or all of them trip the rate and that day fails, named, keeping its previous
//                  rows; every other day publishes exactly as with clean data.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Relation } from '../adapters/types.js';
import type { ConformanceProject } from '../conformance/harness.js';
import { buildBoth, compareStates, dayAfter, mixStates, rerun, sleep, stateOf, useData, type Trial } from './fault-state.js';

const CHANGES = ['dropped', 'renamed', 'new-column', 'changed-type'] as const;
type Change = (typeof CHANGES)[number];
const RAW_TABLES = ['customers', 'products', 'orders', 'order_items', 'order_events'] as const;

/** The statements making a change to raw.<table> (changed-type: order_items.quantity becomes text). */
function changeSql(p: ConformanceProject, change: Change, table: string): string[] {
  const d = p.dialect;
  const rel: Relation = { schema: 'raw', name: table };
  const cascade = p.engine === 'postgres' ? ' cascade' : '';
  switch (change) {
    case 'dropped': return [`drop table ${d.renderRelation(rel)}${cascade}`];
    case 'renamed': return [d.swapTable(rel, renamedOf(table), undefined)[0]!.sql];
    case 'new-column': return [`alter table ${d.renderRelation(rel)} add column sf_extra integer`];
    case 'changed-type': {
      // What a loader replacing the table would do: a new table, the old one dropped, renamed in.
      const next: Relation = { schema: 'raw', name: 'order_items_next' };
      return [
        `create table ${d.renderRelation(next)} as select order_item_id, order_id, product_id, cast(quantity as varchar(20)) as quantity, unit_price, discount from ${d.renderRelation({ schema: 'raw', name: 'order_items' })}`,
        `drop table ${d.renderRelation({ schema: 'raw', name: 'order_items' })}${cascade}`,
        d.swapTable(next, { schema: 'raw', name: 'order_items' }, undefined)[0]!.sql,
      ];
    }
  }
}

/** The first line of the output that says why (for the log). */
const firstError = (text: string) => (text.split('\n').find((l) => /error/i.test(l)) ?? '').trim().slice(0, 200);

const renamedOf = (table: string): Relation => ({ schema: 'raw', name: `${table}_renamed` });

/** Runs statements in one transaction on a connection of its own, retrying while SQLite is busy. */
async function apply(p: ConformanceProject, statements: readonly string[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await p.withDb((a) => a.db.transaction().execute(async (trx) => {
        for (const s of statements) await sql.raw(s).execute(trx);
      }));
      return;
    } catch (err) {
      if (attempt > 600 || !/busy|locked/i.test(String(err))) throw err;
      await sleep(50);
    }
  }
}

/** Puts the raw tables back as the seeds have them (and drops a renamed copy). */
async function restore(p: ConformanceProject, table: string): Promise<void> {
  await p.withDb(async (a) => {
    // PostgreSQL's views follow a renamed table: they go with it.
    await sql.raw(`drop table if exists ${a.dialect.renderRelation(renamedOf(table))}${p.engine === 'postgres' ? ' cascade' : ''}`).execute(a.db);
  });
  const seeded = await p.sf('seed', '--full-refresh');
  if (seeded.code !== 0) throw new Error(`restoring the seeds failed:\n${seeded.text}`);
}

export async function sourceChanges(t: Trial, trials: number): Promise<void> {
  t.useData(0);
  const shape = await buildBoth(t);
  // The same command on the changed source, changed before it starts.
  const changed = await t.another();
  useData([changed], t.data[0]!);
  if ((await changed.sf('build')).code !== 0) throw new Error(`${t.engine} ${t.name}: the first build failed`);
  // Each change in turn, as many times each (4 trials at least).
  for (let trial = 1; trial <= Math.ceil(trials / CHANGES.length) * CHANGES.length; trial++) {
    const change = CHANGES[(trial - 1) % CHANGES.length]!;
    const table = change === 'changed-type' ? 'order_items' : RAW_TABLES[Math.floor(t.next() * RAW_TABLES.length)]!;
    useData([t.victim, t.twin, changed], t.data[trial % 2]!);
    for (const p of [t.victim, t.twin, changed]) await restore(p, table);
    const before = await stateOf(t.victim, shape);
    const started = performance.now();
    const clean = await t.twin.spawnSf(['run']).done;
    if (clean.code !== 0) throw new Error(`${t.engine} ${t.name}: the twin's run failed:\n${clean.text}`);
    const cleanMs = performance.now() - started;
    const expected = await stateOf(t.twin, shape);
    await apply(changed, changeSql(changed, change, table));
    await changed.spawnSf(['run']).done;
    const onChanged = await stateOf(changed, shape);
    // The change lands at a random moment of the run (DuckDB: before it).
    const at = t.engine === 'duckdb' ? 0 : t.next() * cleanMs;
    if (t.engine === 'duckdb') await apply(t.victim, changeSql(t.victim, change, table));
    const run = t.victim.spawnSf(['run', '--lock-timeout', '10']);
    let finished = false;
    void run.done.then(() => (finished = true));
    let landed = t.engine === 'duckdb';
    if (!landed) {
      await sleep(at);
      landed = !finished;
      await apply(t.victim, changeSql(t.victim, change, table));
    }
    const result = await run.done;
    const where = `${t.engine} ${t.name} trial ${trial}: raw.${table} ${change}${t.engine === 'duckdb' ? ' before the run' : ` at ${(at / 1000).toFixed(1)} s`}`;
    t.tally.trials++;
    if (landed) t.tally.faults++;
    const problems: string[] = [];
    if (result.code !== 0) {
      if (change === 'new-column') problems.push(`a new source column failed the run:\n${result.text}`);
      else if (!result.text.toLowerCase().includes(change === 'changed-type' ? 'quantity' : table)) problems.push(`the error does not name ${change === 'changed-type' ? 'the column' : table}:\n${result.text}`);
    }
    if (/internal error|at .*\.js:\d+/.test(result.text)) problems.push(`a stack trace or internal error:\n${result.text}`);
    t.tally.violations.push(...problems.map((m) => `${where}: ${m}`));
    const found = compareStates(await stateOf(t.victim, shape), before, expected, [onChanged]);
    t.tally.violations.push(...found.problems.map((m) => `${where}: ${m}`));
    t.tally.rowsLost += found.rowsLost;
    await restore(t.victim, table);
    await rerun(t, where, shape, [['run']], expected);
    t.log(`${where}: ${result.code === 0 ? 'ran through' : `failed (exit ${result.code}: ${firstError(result.text)})`}; ${t.tally.violations.length} violations so far`);
  }
}

/** fact_sales stops a batch with more than half its rows quarantined. */
function withRateLimit(p: ConformanceProject): void {
  const path = 'models/marts/fact_sales.sql';
  const text = p.read(path);
  const setting = "partition_by='order_date',";
  if (!text.includes(setting)) throw new Error(`${path}: its config() call changed; update the fault suite's bad-batch scenario`);
  p.write(path, text.replace(setting, `${setting} max_quarantine_rate=0.5,`));
}

/** A copy of a dataset with order items of `day` set to quantity 0: all of them, or every 4th. */
function breakDay(from: string, to: string, day: string, all: boolean): number[] {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
  const orders = new Set(readFileSync(join(from, 'orders.csv'), 'utf8').split('\n').slice(1)
    .filter((l) => l.split(',')[2]?.startsWith(day)).map((l) => l.split(',')[0]));
  const broken: number[] = [];
  let seen = 0;
  const lines = readFileSync(join(from, 'order_items.csv'), 'utf8').split('\n').map((l, i) => {
    const f = l.split(',');
    if (i === 0 || !orders.has(f[1]) || (!all && seen++ % 4 !== 0)) return l;
    broken.push(Number(f[0]));
    f[3] = '0';
    return f.join(',');
  });
  writeFileSync(join(to, 'order_items.csv'), lines.join('\n'));
  return broken;
}

export async function badBatches(t: Trial, trials: number): Promise<void> {
  for (const p of [t.victim, t.twin]) withRateLimit(p);
  t.useData(0);
  const shape = await buildBoth(t);
  const fact = (p: ConformanceProject) => p.sql('fact_sales');
  // A quarter broken and all broken in turn (2 trials at least).
  for (let trial = 1; trial <= Math.ceil(trials / 2) * 2; trial++) {
    const all = trial % 2 === 0;
    const day = dayAfter(t.first, Math.floor(t.next() * t.days));
    const data = t.data[trial % 2]!;
    const broken = breakDay(data, join(t.work, 'data-broken'), day, all);
    useData([t.victim], join(t.work, 'data-broken'));
    useData([t.twin], data);
    for (const p of [t.victim, t.twin]) {
      const seeded = await p.sf('seed');
      if (seeded.code !== 0) throw new Error(`${t.engine} ${t.name} trial ${trial}: seed failed:\n${seeded.text}`);
    }
    const command = ['run', '--select', 'fact_sales', '--start', t.first, '--end', dayAfter(t.first, t.days), '--threads', '2'];
    const before = await stateOf(t.victim, shape);
    const clean = await t.twin.spawnSf(command).done;
    if (clean.code !== 0) throw new Error(`${t.engine} ${t.name} trial ${trial}: the twin's backfill failed:\n${clean.text}`);
    const expected = await stateOf(t.twin, shape);
    const run = await t.victim.spawnSf(command).done;
    const after = await stateOf(t.victim, shape);
    const where = `${t.engine} ${t.name} trial ${trial}: ${broken.length} order items of ${day} broken (${all ? 'all' : 'a quarter'})`;
    t.tally.trials++;
    t.tally.faults++;
    const problems: string[] = [];
    // The broken day: all broken trips the rate (the day keeps its rows, the run fails naming
    // it); a quarter quarantines exactly the broken rows the clean run published.
    const isDay = (rel: string, key: string) => /\.fact_sales(__quarantine)?$/i.test(rel) && key === day;
    if (all) {
      if (run.code === 0 || !run.text.includes(day) || !run.text.includes('max_quarantine_rate')) problems.push(`the day over max_quarantine_rate did not fail naming ${day} and the rate:\n${run.text}`);
    } else {
      if (run.code !== 0) problems.push(`a quarter of a day broken failed the run:\n${run.text}`);
      // The broken rows the clean run published (others were quarantined or cancelled anyway).
      const ids = (await t.twin.query(`select order_item_id from ${fact(t.twin)} where order_item_id in (${broken.join(', ')})`)).map((r) => Number(r['order_item_id']));
      const list = ids.length ? ids.join(', ') : 'null';
      const [quarantined] = await t.victim.query(`select count(distinct order_item_id) as n from ${t.victim.sql('fact_sales__quarantine')} where order_item_id in (${list})`);
      const [leaked] = await t.victim.query(`select count(*) as n from ${fact(t.victim)} where order_item_id in (${broken.join(', ')})`);
      if (Number(quarantined!['n']) !== ids.length || Number(leaked!['n']) !== 0) problems.push(`the ${ids.length} broken rows a clean run publishes should be quarantined, and none published: ${quarantined!['n']} quarantined, ${leaked!['n']} published`);
    }
    if (/internal error|at .*\.js:\d+/.test(run.text)) problems.push(`a stack trace or internal error:\n${run.text}`);
    // Every other day as the clean run; the broken day as before (all) or as judged above; the
    // victim's order_items seed is its own.
    const want = mixStates(mixStates(expected, all ? before : after, isDay), after, (rel) => /\.order_items$/i.test(rel));
    const found = compareStates(after, want, want);
    t.tally.violations.push(...[...problems, ...found.problems].map((m) => `${where}: ${m}`));
    t.tally.rowsLost += found.rowsLost;
    // The day mended, the same backfill gives the clean state.
    useData([t.victim], data);
    await rerun(t, where, shape, [['seed'], command], expected);
    t.log(`${where}: ${run.code === 0 ? 'published' : `failed (exit ${run.code}: ${firstError(run.text)})`}; ${t.tally.violations.length} violations so far`);
  }
}
