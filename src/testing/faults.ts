// The fault-injection suite (scripts/faults.ts: `npm run faults`; a reduced run in
// src/conformance/faults.test.ts). ShopFlow, generated at a size, is built on each engine in two
// projects: a victim and a twin. Each trial runs the same sf command in both: the twin unharmed
// (its result is "the state a clean run produces", and it counts the command's fault points),
// the victim killed with SIGKILL at a fault point drawn from a seeded generator
// (runner/faults.ts: before each statement of a unit's transaction, before its commit, before a
// seed's load). Then the invariants:
//   - every published relation is readable;
//   - each relation (per partition for partitioned models and their quarantine tables) equals
//     either its state before the command or the twin's;
//   - no unique_key has two rows;
//   - the partition ledger's rows and checksums match the tables;
//   - no relation is left behind (staging tables, batch tables) that neither state has;
//   - the same command run again (no kill) completes and leaves exactly the twin's state.
// "Rows lost" counts the rows of the twin's state missing from a partition that is neither.
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { writeShopflowCsv } from '../../bench/generate-seeds.js';
import type { Adapter, Relation } from '../adapters/types.js';
import { incrementalSpec, type PartitionSpec } from '../compiler/incremental-settings.js';
import { loadConfig } from '../config/load.js';
import type { EngineName } from '../config/types.js';
import { ProjectPool, type ConformanceProject } from '../conformance/harness.js';
import { shopflowConfigSource } from '../conformance/shopflow-config.js';
import { LEDGER, ledgerKey } from '../plan/ledger.js';
import { partitionKeySql } from '../plan/partitions.js';
import { quarantineRelation } from '../plan/quality/audit.js';
import { loadProject } from '../session/project.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const SCENARIOS = ['full-refresh', 'incremental-run', 'backfill', 'quarantining-build', 'seed-load'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

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
}

/** What each scenario runs: commands that prepare (never killed), then the one killed. */
function scenario(name: ScenarioName, first: string, last: string): { prepare: string[][]; command: string[] } {
  switch (name) {
    case 'full-refresh': return { prepare: [['seed']], command: ['run', '--full-refresh'] };
    case 'incremental-run': return { prepare: [['seed']], command: ['run'] };
    case 'backfill': return { prepare: [['seed']], command: ['run', '--select', 'fact_sales', '--start', first, '--end', last, '--threads', '3'] };
    case 'quarantining-build': return { prepare: [], command: ['build'] };
    case 'seed-load': return { prepare: [], command: ['seed'] };
  }
}

/** mulberry32: the same seed, the same fault points. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
    const next = random(o.seed);
    for (const engine of o.engines) {
      for (const name of o.scenarios) {
        const pool = new ProjectPool(engine, o.pgUrl);
        const started = performance.now();
        const violations: string[] = [];
        let faults = 0;
        let rowsLost = 0;
        try {
          const make = async () => {
            const p = await pool.create({ schema: engine === 'postgres' ? 'analytics' : undefined, configSource: (target) => shopflowConfigSource(shopflow, engine, target) });
            for (const dir of ['models', 'macros', 'tests']) cpSync(join(ROOT, dir), join(p.dir, dir), { recursive: true });
            symlinkSync(join(ROOT, 'node_modules'), join(p.dir, 'node_modules'));
            return p;
          };
          const [victim, twin] = [await make(), await make()];
          const useData = (i: number) => {
            for (const p of [victim, twin]) {
              rmSync(join(p.dir, 'seeds'), { recursive: true, force: true });
              symlinkSync(data[i % 2]!, join(p.dir, 'seeds'));
            }
          };
          useData(0);
          for (const p of [victim, twin]) {
            const built = await p.sf('build');
            if (built.code !== 0) throw new Error(`${engine}: the first build failed:\n${built.text}`);
          }
          const shape = await relationsOf(victim);
          const { prepare, command } = scenario(name, first, dayAfter(first, o.days));
          for (let trial = 1; trial <= o.trials; trial++) {
            useData(trial);
            for (const args of prepare) {
              for (const p of [victim, twin]) {
                const r = await p.sf(args[0]!, ...args.slice(1));
                if (r.code !== 0) throw new Error(`${engine} ${name} trial ${trial}: ${args.join(' ')} failed:\n${r.text}`);
              }
            }
            const before = await stateOf(victim, shape);
            const clean = await twin.spawnSf(command, { SF_FAULT_COUNT: '1' }).done;
            if (clean.code !== 0) throw new Error(`${engine} ${name} trial ${trial}: the twin's ${command.join(' ')} failed:\n${clean.text}`);
            const points = Number(/SF_FAULT_POINTS=(\d+)/.exec(clean.text)?.[1] ?? 0);
            const expected = await stateOf(twin, shape);
            const point = 1 + Math.floor(next() * Math.max(1, points));
            const killed = await victim.spawnSf(command, { SF_FAULT_KILL_AT: String(point) }).done;
            const where = `${engine} ${name} trial ${trial} (fault point ${point} of ${points})`;
            if (killed.signal === 'SIGKILL') faults++;
            else if (killed.code !== 0) violations.push(`${where}: the command neither completed nor was killed:\n${killed.text}`);
            const after = await stateOf(victim, shape).catch((err: unknown) => {
              violations.push(`${where}: a published relation is unreadable: ${(err as Error).message}`);
              return undefined;
            });
            if (after) {
              const found = compareStates(after, before, expected);
              violations.push(...found.problems.map((m) => `${where}: ${m}`));
              rowsLost += found.rowsLost;
            }
            // The next ordinary run completes and gives the clean state.
            const again = await victim.spawnSf([...command, '--lock-timeout', '10']).done;
            if (again.code !== 0) violations.push(`${where}: the run after the kill failed:\n${again.text}`);
            const recovered = await stateOf(victim, shape);
            const left = compareStates(recovered, expected, expected);
            violations.push(...left.problems.map((m) => `${where}, after the next run: ${m}`));
            rowsLost += left.rowsLost;
            log(`${where}: ${killed.signal === 'SIGKILL' ? 'killed' : 'got through'}; ${violations.length} violations so far`);
          }
        } finally {
          await pool.disposeAll();
        }
        results.push({ scenario: name, engine, trials: o.trials, faults, violations, rowsLost, seconds: (performance.now() - started) / 1000 });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}

/** ShopFlow's sf_now var, to the day. */
const SHOPFLOW_NOW = '2026-06-17';

function dayAfter(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** What a project's state is made of: its tables (partitioned or not), their keys, the ledger. */
interface Shape {
  readonly tables: readonly { readonly rel: Relation; readonly partition?: PartitionSpec | undefined; readonly keys: readonly string[] }[];
  readonly ledger: readonly string[];
}

async function relationsOf(p: ConformanceProject): Promise<Shape> {
  const project = await loadProject({ projectDir: p.dir, target: p.engine, listOnly: true });
  const tables: Shape['tables'][number][] = project.compiled.seeds.map((s) => ({ rel: s.relation, keys: [] }));
  const ledger: string[] = [];
  for (const m of project.compiled.models) {
    const kind = m.settings.materialized;
    if (kind !== 'table' && kind !== 'incremental') continue;
    const spec = kind === 'incremental' ? incrementalSpec(m.settings) : undefined;
    tables.push({ rel: m.relation, partition: spec?.partition, keys: spec?.uniqueKey ?? [] });
    tables.push({ rel: quarantineRelation(m.relation), partition: spec?.partition, keys: [] });
    if (spec?.partition) ledger.push(ledgerKey(m.relation));
  }
  return { tables, ledger };
}

/** Per relation and partition: `rows|checksum`; absent relations are absent. */
export interface State {
  readonly parts: ReadonlyMap<string, ReadonlyMap<string, { rows: number; checksum: string }>>;
  readonly duplicates: readonly string[];
  readonly ledgerProblems: readonly string[];
  readonly catalog: ReadonlySet<string>;
}

async function stateOf(p: ConformanceProject, shape: Shape): Promise<State> {
  return p.withDb(async (a) => {
    const { dialect } = a;
    const parts = new Map<string, Map<string, { rows: number; checksum: string }>>();
    const duplicates: string[] = [];
    for (const t of shape.tables) {
      // A quarantined row's run id and time differ between runs: its own columns are compared.
      const columns = (await a.describeColumns(a.db, t.rel)).filter((c) => !['sf_run_id', 'sf_quarantined_at'].includes(c.name));
      if (columns.length === 0) continue;
      const key = t.partition ? partitionKeySql(dialect, dialect.quoteIdentifier(t.partition.field), t.partition) : `'all'`;
      const rel = dialect.renderRelation(t.rel);
      const found = await rows(a, `select k, count(*) as n, ${dialect.checksum(columns.map((c) => c.name))} as c from (select ${key} as k, t.* from ${rel} as t) as x group by k`);
      parts.set(`${t.rel.schema}.${t.rel.name}`, new Map(found.map((r) => [String(r['k']), { rows: Number(r['n']), checksum: String(r['c']) }])));
      if (t.keys.length) {
        const k = t.keys.map((c) => dialect.quoteIdentifier(c)).join(', ');
        const [dup] = await rows(a, `select count(*) as n from (select ${k} from ${rel} group by ${k} having count(*) > 1) as d`);
        if (Number(dup!['n']) > 0) duplicates.push(`${t.rel.name}: ${dup!['n']} unique_key values appear twice or more`);
      }
    }
    const ledgerProblems: string[] = [];
    if (shape.ledger.length && (await a.describeColumns(a.db, LEDGER)).length) {
      for (const r of await rows(a, `select relation_name, partition_key, row_count, checksum from ${dialect.renderRelation(LEDGER)} where status = 'success'`)) {
        const [schema, name] = String(r['relation_name']).split('.');
        const held = [...parts].find(([k]) => k.toLowerCase() === `${schema}.${name}`)?.[1]?.get(String(r['partition_key']));
        const rowsNow = held?.rows ?? 0;
        if (rowsNow !== Number(r['row_count']) || (rowsNow > 0 && held!.checksum !== String(r['checksum']))) {
          ledgerProblems.push(`the ledger says ${r['relation_name']} ${r['partition_key']} holds ${r['row_count']} rows (${r['checksum']}); it holds ${rowsNow} (${held?.checksum ?? '-'})`);
        }
      }
    }
    const catalog = new Set((await p.catalog()).map((e) => `${e.schema ?? ''}.${e.name}`));
    return { parts, duplicates, ledgerProblems, catalog };
  });
}

/** `after` must equal `before` or `clean`, partition by partition. */
export function compareStates(after: State, before: State, clean: State): { problems: string[]; rowsLost: number } {
  const problems = [...after.duplicates, ...after.ledgerProblems];
  let rowsLost = 0;
  const same = (a?: { rows: number; checksum: string }, b?: { rows: number; checksum: string }) => (a?.rows ?? 0) === (b?.rows ?? 0) && (a === undefined || b === undefined ? (a?.rows ?? 0) === 0 && (b?.rows ?? 0) === 0 : a.checksum === b.checksum);
  for (const rel of new Set([...after.parts.keys(), ...before.parts.keys(), ...clean.parts.keys()])) {
    const [a, b, c] = [after.parts.get(rel), before.parts.get(rel), clean.parts.get(rel)];
    for (const k of new Set([...(a?.keys() ?? []), ...(b?.keys() ?? []), ...(c?.keys() ?? [])])) {
      const [x, y, z] = [a?.get(k), b?.get(k), c?.get(k)];
      if (same(x, y) || same(x, z)) continue;
      problems.push(`${rel} ${k}: ${x?.rows ?? 0} rows, neither its ${y?.rows ?? 0} before nor the clean run's ${z?.rows ?? 0}`);
      rowsLost += Math.max(0, (z?.rows ?? 0) - (x?.rows ?? 0));
    }
  }
  const stray = [...after.catalog].filter((e) => !before.catalog.has(e) && !clean.catalog.has(e));
  if (stray.length) problems.push(`relations left behind: ${stray.join(', ')}`);
  return { problems, rowsLost };
}

async function rows(a: Adapter, text: string): Promise<Record<string, unknown>[]> {
  return (await sql.raw<Record<string, unknown>>(text).execute(a.db)).rows;
}

/** The suite's table: scenario x engine -> trials, faults, violations, rows lost. */
export function formatResults(results: readonly ScenarioResult[]): string[] {
  const header = ['scenario', 'engine', 'trials', 'faults injected', 'invariant violations', 'rows lost', 'seconds'];
  const body = results.map((r) => [r.scenario, r.engine, String(r.trials), String(r.faults), String(r.violations.length), String(r.rowsLost), r.seconds.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)];
}

