// The fault suite's common ground (faults.ts runs it): what a trial shares, a project's state
// (tables per partition, duplicate keys, the ledger, the catalog) and the judge comparing states.
import { symlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Adapter, Relation } from '../adapters/types.js';
import { incrementalSpec, type PartitionSpec } from '../compiler/incremental-settings.js';
import type { EngineName } from '../config/types.js';
import type { ConformanceProject } from '../conformance/harness.js';
import { LEDGER, ledgerKey } from '../plan/ledger.js';
import { partitionKeySql } from '../plan/partitions.js';
import { quarantineRelation } from '../plan/quality/audit.js';
import { loadProject } from '../session/project.js';

/** What one scenario's trials share. */
export interface Trial {
  readonly engine: EngineName;
  readonly name: string;
  readonly victim: ConformanceProject;
  readonly twin: ConformanceProject;
  /** Another project like the victim (not built yet). */
  readonly another: () => Promise<ConformanceProject>;
  /** The generated datasets (seeds folders): 0 and 1 alternate, one day apart. */
  readonly data: readonly string[];
  /** A scratch folder for the trial's own data. */
  readonly work: string;
  /** The first day of the data. */
  readonly first: string;
  readonly days: number;
  readonly next: () => number;
  readonly pgUrl: () => string;
  readonly useData: (i: number) => void;
  readonly log: (line: string) => void;
  readonly tally: { faults: number; rowsLost: number; trials: number; violations: string[]; skipped: string | undefined };
}

export function useData(projects: readonly ConformanceProject[], dir: string): void {
  for (const p of projects) {
    rmSync(join(p.dir, 'seeds'), { recursive: true, force: true });
    symlinkSync(dir, join(p.dir, 'seeds'));
  }
}

export async function buildBoth(t: Trial): Promise<Shape> {
  for (const p of [t.victim, t.twin]) {
    const built = await p.sf('build');
    if (built.code !== 0) throw new Error(`${t.engine}: the first build failed:\n${built.text}`);
  }
  return relationsOf(t.victim);
}

/** The commands run again, one after the other, unharmed, give the clean state. */
export async function rerun(t: Trial, where: string, shape: Shape, commands: readonly (readonly string[])[], clean: State): Promise<void> {
  for (const c of commands) {
    const again = await t.victim.spawnSf([...c, '--lock-timeout', '10']).done;
    if (again.code !== 0) t.tally.violations.push(`${where}: the run after the fault failed:\n${again.text}`);
  }
  const left = compareStates(await stateOf(t.victim, shape), clean, clean);
  t.tally.violations.push(...left.problems.map((m) => `${where}, after the next run: ${m}`));
  t.tally.rowsLost += left.rowsLost;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** ShopFlow's sf_now var, to the day. */
export const SHOPFLOW_NOW = '2026-06-17';

export function dayAfter(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** What a project's state is made of: its tables (partitioned or not), their keys, the ledger. */
export interface Shape {
  readonly tables: readonly { readonly rel: Relation; readonly partition?: PartitionSpec | undefined; readonly keys: readonly string[] }[];
  readonly ledger: readonly string[];
}

export async function relationsOf(p: ConformanceProject): Promise<Shape> {
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

export async function stateOf(p: ConformanceProject, shape: Shape): Promise<State> {
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

/** `after` must equal `before` or `clean` (or one of `also`), partition by partition. */
export function compareStates(after: State, before: State, clean: State, also: readonly State[] = []): { problems: string[]; rowsLost: number } {
  const problems = [...after.duplicates, ...after.ledgerProblems];
  let rowsLost = 0;
  const same = (a?: { rows: number; checksum: string }, b?: { rows: number; checksum: string }) => (a?.rows ?? 0) === (b?.rows ?? 0) && (a === undefined || b === undefined ? (a?.rows ?? 0) === 0 && (b?.rows ?? 0) === 0 : a.checksum === b.checksum);
  for (const rel of new Set([...after.parts.keys(), ...before.parts.keys(), ...clean.parts.keys()])) {
    const [a, b, c] = [after.parts.get(rel), before.parts.get(rel), clean.parts.get(rel)];
    for (const k of new Set([...(a?.keys() ?? []), ...(b?.keys() ?? []), ...(c?.keys() ?? [])])) {
      const [x, y, z] = [a?.get(k), b?.get(k), c?.get(k)];
      if (same(x, y) || same(x, z) || also.some((s) => same(x, s.parts.get(rel)?.get(k)))) continue;
      problems.push(`${rel} ${k}: ${x?.rows ?? 0} rows, neither its ${y?.rows ?? 0} before nor the clean run's ${z?.rows ?? 0}`);
      rowsLost += Math.max(0, (z?.rows ?? 0) - (x?.rows ?? 0));
    }
  }
  const stray = [...after.catalog].filter((e) => ![before, clean, ...also].some((s) => s.catalog.has(e)));
  if (stray.length) problems.push(`relations left behind: ${stray.join(', ')}`);
  return { problems, rowsLost };
}

export async function rows(a: Adapter, text: string): Promise<Record<string, unknown>[]> {
  return (await sql.raw<Record<string, unknown>>(text).execute(a.db)).rows;
}


/** Per relation and partition, `b`'s where `fromB` says so, else `a`'s. */
export function mixStates(a: State, b: State, fromB: (rel: string, key: string) => boolean): State {
  const parts = new Map<string, Map<string, { rows: number; checksum: string }>>();
  for (const rel of new Set([...a.parts.keys(), ...b.parts.keys()])) {
    const mixed = new Map<string, { rows: number; checksum: string }>();
    for (const k of new Set([...(a.parts.get(rel)?.keys() ?? []), ...(b.parts.get(rel)?.keys() ?? [])])) {
      const v = (fromB(rel, k) ? b : a).parts.get(rel)?.get(k);
      if (v) mixed.set(k, v);
    }
    parts.set(rel, mixed);
  }
  return { parts, duplicates: [], ledgerProblems: [], catalog: new Set([...a.catalog, ...b.catalog]) };
}
