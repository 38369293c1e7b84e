// The fault-injection suite (scripts/faults.ts: `npm run faults`; a reduced run in
// src/conformance/faults.test.ts). ShopFlow, generated at a size, is built on each engine in two
// projects: a victim and a twin. Each trial runs the same sf command in both: the twin unharmed
// (its result is "the state a clean run produces", and it counts the command's fault points),
// the victim killed with SIGKILL at a fault point drawn from a seeded generator
// (runner/faults.ts: before each statement of a unit's transaction, before its commit, before a
// seed's load), or with its PostgreSQL connections cut (pg_terminate_backend) at random moments,
// or, for DuckDB and SQLite, with its database on a tmpfs too small for the build. Then the
// invariants:
//   - every published relation is readable;
//   - each relation (per partition for partitioned models and their quarantine tables) equals
//     either its state before the command or the twin's;
//   - no unique_key has two rows;
//   - the partition ledger's rows and checksums match the tables;
//   - no relation is left behind (staging tables, batch tables) that neither state has;
//   - the same command run again (no kill) completes and leaves exactly the twin's state.
// "Rows lost" counts the rows of the twin's state missing from a partition that is neither.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, writeShopflowCsv } from '../../bench/generate-seeds.js';
import { loadConfig } from '../config/load.js';
import type { EngineName } from '../config/types.js';
import { ProjectPool, type ConformanceProject } from '../conformance/harness.js';
import { shopflowConfigSource } from '../conformance/shopflow-config.js';
import { badBatches, sourceChanges } from './fault-inputs.js';
import { concurrentBuilds, overlappingBackfills } from './fault-races.js';
import { buildBoth, compareStates, dayAfter, rerun, SHOPFLOW_NOW, sleep, stateOf, useData, type Trial } from './fault-state.js';
import { withPgClient } from './pg.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** SIGKILL at a random fault point of: */
const KILLS = ['full-refresh', 'incremental-run', 'backfill', 'quarantining-build', 'seed-load'] as const;
/**
 * PostgreSQL connections cut mid-backfill; the embedded engines' disk filling up mid-build;
 * two processes at once (fault-races.ts); bad inputs (fault-inputs.ts).
 */
export const SCENARIOS = [...KILLS, 'connection-cut', 'disk-full', 'concurrent-builds', 'overlapping-backfills', 'source-change', 'bad-batch'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
type KillScenario = (typeof KILLS)[number];

export interface FaultOptions {
  readonly engines: readonly EngineName[];
  readonly scenarios: readonly ScenarioName[];
  readonly trials: number;
  readonly seed: number;
  /** ShopFlow's size: days of orders, orders per day. */
  readonly days: number;
  readonly ordersPerDay: number;
  readonly pgUrl: () => string;
  readonly log?: (line: string) => void;
}

export interface ScenarioResult {
  readonly scenario: ScenarioName;
  readonly engine: EngineName;
  readonly trials: number;
  /** Trials whose command was killed (the others got through before their fault point). */
  readonly faults: number;
  readonly violations: readonly string[];
  readonly rowsLost: number;
  readonly seconds: number;
  /** Why it did not run on this engine (or machine). */
  readonly skipped?: string | undefined;
}

/** What each scenario runs: commands that prepare (never killed), then the one killed. */
function scenario(name: KillScenario | 'connection-cut', first: string, last: string): { prepare: string[][]; command: string[] } {
  switch (name) {
    case 'full-refresh': return { prepare: [['seed']], command: ['run', '--full-refresh'] };
    case 'incremental-run': return { prepare: [['seed']], command: ['run'] };
    case 'backfill': case 'connection-cut': return { prepare: [['seed']], command: ['run', '--select', 'fact_sales', '--start', first, '--end', last, '--threads', '3'] };
    case 'quarantining-build': return { prepare: [], command: ['build'] };
    case 'seed-load': return { prepare: [], command: ['seed'] };
  }
}

export async function runFaults(o: FaultOptions): Promise<ScenarioResult[]> {
  const log = o.log ?? (() => {});
  const work = mkdtempSync(join(tmpdir(), 'sf-faults-'));
  const results: ScenarioResult[] = [];
  try {
    // Two datasets the trials alternate between: the second has one more day, and its last
    // days differ (orders advance), so every command has something new to write.
    // Both end by ShopFlow's pinned "now" (its sf_now var), so its sources are fresh enough.
    const first = dayAfter(SHOPFLOW_NOW, -(o.days + 1));
    const data = [o.days, o.days + 1].map((days, i) => {
      const dir = join(work, `data-${i}`);
      writeShopflowCsv(dir, { days, ordersPerDay: o.ordersPerDay, startDate: first });
      return dir;
    });
    const shopflow = await loadConfig(ROOT);
    // The same seed, the same fault points.
    const next = mulberry32(o.seed);
    for (const engine of o.engines) {
      for (const name of o.scenarios) {
        const skipped = skipReason(name, engine);
        if (skipped) {
          results.push({ scenario: name, engine, trials: 0, faults: 0, violations: [], rowsLost: 0, seconds: 0, skipped });
          continue;
        }
        const started = performance.now();
        const tally = { faults: 0, rowsLost: 0, trials: 0, violations: [] as string[], skipped: undefined as string | undefined };
        const pool = new ProjectPool(engine, o.pgUrl);
        try {
          const make = async () => {
            const p = await pool.create({ schema: engine === 'postgres' ? 'analytics' : undefined, configSource: (target) => shopflowConfigSource(shopflow, engine, target) });
            for (const dir of ['models', 'macros', 'tests']) cpSync(join(ROOT, dir), join(p.dir, dir), { recursive: true });
            symlinkSync(join(ROOT, 'node_modules'), join(p.dir, 'node_modules'));
            return p;
          };
          const [victim, twin] = [await make(), await make()];
          const trial: Trial = { engine, name, victim, twin, another: make, data, work, first, days: o.days, next, pgUrl: o.pgUrl, tally, log, useData: (i) => useData([victim, twin], data[i % 2]!) };
          await RUNS[name](trial, o);
        } finally {
          await pool.disposeAll();
        }
        const result: ScenarioResult = { scenario: name, engine, trials: tally.trials, faults: tally.faults, violations: tally.violations, rowsLost: tally.rowsLost, seconds: (performance.now() - started) / 1000, skipped: tally.skipped };
        results.push(result);
        // Each scenario's figures as soon as it ends: a long run cut short keeps what it proved.
        log(`${name} on ${engine}: ${result.skipped ? `skipped (${result.skipped})` : `${result.trials} trials, ${result.faults} faults injected, ${result.violations.length} violations, ${result.rowsLost} rows lost, ${result.seconds.toFixed(0)} s`}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}

const RUNS: Record<ScenarioName, (t: Trial, o: FaultOptions) => Promise<void>> = {
  'full-refresh': (t, o) => killTrials(t, o.trials),
  'incremental-run': (t, o) => killTrials(t, o.trials),
  backfill: (t, o) => killTrials(t, o.trials),
  'quarantining-build': (t, o) => killTrials(t, o.trials),
  'seed-load': (t, o) => killTrials(t, o.trials),
  'connection-cut': (t, o) => killTrials(t, o.trials),
  'disk-full': (t, o) => diskFull(t, t.work, o),
  'concurrent-builds': (t, o) => concurrentBuilds(t, o.trials),
  'overlapping-backfills': (t, o) => overlappingBackfills(t, o.trials),
  'source-change': (t, o) => sourceChanges(t, o.trials),
  'bad-batch': (t, o) => badBatches(t, o.trials),
};

function skipReason(name: ScenarioName, engine: EngineName): string | undefined {
  if (name === 'connection-cut' && engine !== 'postgres') return 'PostgreSQL only: an embedded engine has no connection to cut';
  if (name === 'disk-full' && engine === 'postgres') return "the server's data directory is the server's, not sf's, to size";
  return undefined;
}

/**
 * The SIGKILL scenarios and the connection cuts: per trial, the twin runs the command unharmed,
 * the victim runs it harmed, the invariants are checked, and the victim runs it again.
 */
async function killTrials(t: Trial, trials: number): Promise<void> {
  const { engine, name, victim, twin, tally } = t;
  t.useData(0);
  const shape = await buildBoth(t);
  const { prepare, command } = scenario(name as KillScenario | 'connection-cut', t.first, dayAfter(t.first, t.days));
  // Connection cuts: the trials cut a few times (retried: the run must succeed), the last one
  // cuts every few milliseconds (the run must fail cleanly, naming the partitions).
  const runs = name === 'connection-cut' ? trials + 1 : trials;
  for (let trial = 1; trial <= runs; trial++) {
    t.useData(trial);
    for (const args of prepare) {
      for (const p of [victim, twin]) {
        const r = await p.sf(args[0]!, ...args.slice(1));
        if (r.code !== 0) throw new Error(`${engine} ${name} trial ${trial}: ${args.join(' ')} failed:\n${r.text}`);
      }
    }
    const before = await stateOf(victim, shape);
    const t0 = performance.now();
    const clean = await twin.spawnSf(command, { SF_FAULT_COUNT: '1' }).done;
    const cleanMs = performance.now() - t0;
    if (clean.code !== 0) throw new Error(`${engine} ${name} trial ${trial}: the twin's ${command.join(' ')} failed:\n${clean.text}`);
    const points = Number(/SF_FAULT_POINTS=(\d+)/.exec(clean.text)?.[1] ?? 0);
    const expected = await stateOf(twin, shape);
    const harmed = name === 'connection-cut'
      ? await cutConnections(t, command, cleanMs, trial > trials)
      : await killAt(victim, command, 1 + Math.floor(t.next() * Math.max(1, points)), points);
    const where = `${engine} ${name} trial ${trial} (${harmed.label})`;
    tally.trials++;
    if (harmed.faulted) tally.faults++;
    tally.violations.push(...harmed.problems.map((m) => `${where}: ${m}`));
    const after = await stateOf(victim, shape).catch((err: unknown) => {
      tally.violations.push(`${where}: a published relation is unreadable: ${(err as Error).message}`);
      return undefined;
    });
    if (after) {
      // A run that succeeded must have written exactly what the clean run did.
      const found = compareStates(after, harmed.succeeded ? expected : before, expected);
      tally.violations.push(...found.problems.map((m) => `${where}: ${m}`));
      tally.rowsLost += found.rowsLost;
    }
    // The next ordinary run completes and gives the clean state.
    await rerun(t, where, shape, [command], expected);
    t.log(`${where}: ${harmed.outcome}; ${tally.violations.length} violations so far`);
  }
}

interface Harmed {
  readonly label: string;
  readonly faulted: boolean;
  /** The command completed (exit 0): its state must be the clean one. */
  readonly succeeded: boolean;
  readonly outcome: string;
  readonly problems: readonly string[];
}

async function killAt(victim: ConformanceProject, command: readonly string[], point: number, points: number): Promise<Harmed> {
  const run = await victim.spawnSf(command, { SF_FAULT_KILL_AT: String(point) }).done;
  const killed = run.signal === 'SIGKILL';
  return {
    label: `fault point ${point} of ${points}`, faulted: killed, succeeded: run.code === 0, outcome: killed ? 'killed' : 'got through',
    problems: killed || run.code === 0 ? [] : [`the command neither completed nor was killed:\n${run.text}`],
  };
}

/**
 * Cuts the victim's PostgreSQL connections (pg_terminate_backend from another connection) while
 * it runs: a few times at random moments (the run must retry and succeed), or, `relentless`,
 * every 5 ms (it must fail in one line, with nothing half-written, or get through whole).
 */
async function cutConnections(t: Trial, command: readonly string[], cleanMs: number, relentless: boolean): Promise<Harmed> {
  const database = (t.victim.target as { database?: string }).database!;
  const run = t.victim.spawnSf([...command, '--lock-timeout', '10']);
  let finished = false;
  void run.done.then(() => (finished = true));
  const terminate = () => withPgClient(t.pgUrl(), async (c) => (await c.query(
    'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database])).rowCount ?? 0);
  /** Terminates the victim's backends, waiting for one to exist (sf may still be starting). */
  const cut = async () => {
    for (;;) {
      const n = await terminate();
      if (n > 0 || finished) return n;
      await sleep(10);
    }
  };
  const started = performance.now();
  let cuts = 0;
  const moments = relentless ? [] : Array.from({ length: 1 + Math.floor(t.next() * 3) }, () => t.next() * cleanMs).sort((a, b) => a - b);
  if (relentless) {
    // One connection of its own, so each cut takes a millisecond, not a connection's setup.
    await withPgClient(t.pgUrl(), async (c) => {
      while (!finished) {
        cuts += (await c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database])).rowCount ?? 0;
        await sleep(5);
      }
    });
  } else {
    for (const at of moments) {
      await sleep(Math.max(0, at - (performance.now() - started)));
      if (finished) break;
      cuts += await cut();
    }
  }
  const result = await run.done;
  const problems: string[] = [];
  if (!relentless && result.code !== 0) problems.push(`the run failed after ${cuts} cut connection(s) instead of retrying:\n${result.text}`);
  // Relentless, the run may still get through between cuts; then its state must be the clean one (checked by the caller).
  if (/internal error|at .*\.js:\d+/.test(result.text)) problems.push(`a stack trace or internal error:\n${result.text}`);
  return {
    label: relentless ? `every connection cut, ${cuts} cuts` : `${cuts} cut(s) at ${moments.map((m) => `${(m / 1000).toFixed(1)} s`).join(', ')}`,
    faulted: cuts > 0, succeeded: result.code === 0, outcome: cuts === 0 ? 'finished before the cut' : result.code === 0 ? 'retried and succeeded' : 'failed cleanly', problems,
  };
}

/**
 * The embedded engines' database on a tiny filesystem (tmpfs, sized to what a small build
 * needs): a bigger build runs out of space. It must fail with a clear error and leave the
 * previous state; with the space back, the next build gives what a clean build gives.
 */
async function diskFull(t: Trial, work: string, o: FaultOptions): Promise<void> {
  const mount = join(work, `disk-${t.engine}`);
  mkdirSync(mount, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', mount], { stdio: 'pipe' });
  } catch (err) {
    t.tally.skipped = `cannot mount a tmpfs here (${String((err as Error).message).split('\n')[0]}): run as root where mount is allowed`;
    return;
  }
  try {
    const target = join(t.victim.dir, 'target');
    rmSync(target, { recursive: true, force: true });
    symlinkSync(mount, target);
    t.useData(0);
    const shape = await buildBoth(t);
    const before = await stateOf(t.victim, shape);
    // Room for what is there and a little more; then five times the orders (at least 500 a day).
    const used = Number(execFileSync('du', ['-sk', mount]).toString().split(/\s/)[0]);
    execFileSync('mount', ['-o', `remount,size=${used + 512}k`, mount]);
    const big = join(work, 'data-big');
    writeShopflowCsv(big, { days: o.days, ordersPerDay: Math.max(5 * o.ordersPerDay, 500), startDate: t.first });
    useData([t.victim, t.twin], big);
    const clean = await t.twin.spawnSf(['build']).done;
    if (clean.code !== 0) throw new Error(`${t.engine} disk-full: the twin's build failed:\n${clean.text}`);
    const expected = await stateOf(t.twin, shape);
    const full = await t.victim.spawnSf(['build']).done;
    const where = `${t.engine} disk-full (${used + 512} KB filesystem)`;
    t.tally.trials++;
    if (full.code !== 0) t.tally.faults++;
    if (full.code === 0) t.tally.violations.push(`${where}: the build did not run out of space; make the data bigger`);
    else if (!/no space left|disk is full|not enough space|out of (disk )?space/i.test(full.text)) t.tally.violations.push(`${where}: the error does not say the disk is full:\n${full.text}`);
    if (/internal error/.test(full.text)) t.tally.violations.push(`${where}: an internal error:\n${full.text}`);
    const after = await stateOf(t.victim, shape).catch((err: unknown) => {
      t.tally.violations.push(`${where}: a published relation is unreadable: ${(err as Error).message}`);
      return undefined;
    });
    if (after) {
      const found = compareStates(after, before, expected);
      t.tally.violations.push(...found.problems.map((m) => `${where}: ${m}`));
      t.tally.rowsLost += found.rowsLost;
    }
    execFileSync('mount', ['-o', 'remount,size=256m', mount]);
    const again = await t.victim.spawnSf(['build', '--lock-timeout', '10']).done;
    if (again.code !== 0) t.tally.violations.push(`${where}: the build with space again failed:\n${again.text}`);
    const left = compareStates(await stateOf(t.victim, shape), expected, expected);
    t.tally.violations.push(...left.problems.map((m) => `${where}, with space again: ${m}`));
    t.tally.rowsLost += left.rowsLost;
    t.log(`${where}: ${full.code !== 0 ? 'ran out of space' : 'did not run out of space'}; ${t.tally.violations.length} violations so far`);
  } finally {
    try {
      execFileSync('umount', ['-l', mount], { stdio: 'pipe' });
    } catch {
      // Already gone.
    }
  }
}

/** The suite's table: scenario x engine -> trials, faults, violations, rows lost. */
export function formatResults(results: readonly ScenarioResult[]): string[] {
  const header = ['scenario', 'engine', 'trials', 'faults injected', 'invariant violations', 'rows lost', 'seconds'];
  const body = results.map((r) => (r.skipped
    ? [r.scenario, r.engine, '-', '-', '-', '-', 'skipped']
    : [r.scenario, r.engine, String(r.trials), String(r.faults), String(r.violations.length), String(r.rowsLost), r.seconds.toFixed(0)]));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const skipped = results.filter((r) => r.skipped).map((r) => `skipped: ${r.scenario} on ${r.engine}: ${r.skipped}`);
  return [line(header), `|${widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line), ...(skipped.length ? ['', ...skipped] : [])];
}

