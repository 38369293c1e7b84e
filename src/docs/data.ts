// What `sf docs generate` knows about each node: the project's side (descriptions, SQL, config,
// tests, the DAG) and the warehouse's (columns and types, the partition ledger, quarantined rows
// by rule), with the last run's results from target/. One JSON document for the site, and the
// catalog dbt users know (catalog.json).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Adapter, ColumnInfo, Relation } from '../adapters/types.js';
import { relationKey } from '../adapters/types.js';
import { targetDir } from '../artifacts/paths.js';
import { sourceRelation } from '../config/sources.js';
import { incrementalSpec } from '../compiler/incremental-settings.js';
import { ledgerKey } from '../plan/ledger.js';
import { isTimeKey, keysBetween, keyStart } from '../plan/partitions.js';
import type { Granularity } from '../config/types.js';
import { quarantineRelation } from '../plan/quality/audit.js';
import { readLedger } from '../session/ledger-state.js';
import type { LoadedProject } from '../session/project.js';
import { parseWithDuckdb } from './duckdb-ast.js';
import { modelLineage, type ColumnRef, type Grammar } from './lineage.js';

export interface DocsColumn {
  readonly name: string;
  readonly type?: string | undefined;
  readonly description?: string | undefined;
  /** Columns it is computed from: one step up (`direct`), and the sources and seeds at the end of each path (`origins`), as `node id.column`. */
  readonly lineage?: { readonly direct: readonly string[]; readonly origins: readonly string[] } | undefined;
}

export interface DocsTest {
  readonly name: string;
  readonly test: string;
  readonly column?: string | undefined;
  readonly severity: string;
  readonly status?: string | undefined;
  readonly failures?: number | undefined;
  readonly quarantined?: number | undefined;
  readonly message?: string | undefined;
}

export interface DocsNode {
  readonly id: string;
  readonly kind: 'model' | 'seed' | 'source';
  readonly name: string;
  readonly relation: string;
  readonly path?: string | undefined;
  readonly description?: string | undefined;
  readonly materialized?: string | undefined;
  readonly config: Readonly<Record<string, unknown>>;
  readonly rawSql?: string | undefined;
  readonly compiledSql?: string | undefined;
  readonly columns: readonly DocsColumn[];
  /** Why column lineage is not shown (the SQL did not parse), for a model. */
  readonly lineageError?: string | undefined;
  readonly tests: readonly DocsTest[];
  /** From the ledger: each partition's rows, status and when it was written; `gaps` are the missing ones between. */
  readonly partitions?: { readonly rows: readonly { key: string; rows: number | null; status: string; finishedAt: string }[]; readonly gaps: readonly string[] } | undefined;
  readonly quarantine?: readonly { readonly rule: string; readonly rows: number }[] | undefined;
  readonly lastRun?: { readonly status: string; readonly startedAt?: string; readonly seconds?: number; readonly rows?: number | null; readonly message?: string | null } | undefined;
  readonly freshness?: { readonly status: string; readonly newest?: string | null; readonly ageSeconds?: number | null } | undefined;
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
}

export interface DocsData {
  readonly project: string;
  readonly target: { readonly name: string; readonly type: string };
  readonly generatedAt: string;
  readonly nodes: readonly DocsNode[];
}

interface RunResult {
  readonly unique_id: string;
  readonly status: string;
  readonly started_at?: string;
  readonly execution_time?: number;
  readonly rows_affected?: number | null;
  readonly message?: string | null;
  readonly tests?: readonly { unique_id: string; status: string; failures: number; quarantined?: number; message?: string | null }[];
}

/** Everything the site shows; `adapter` undefined: the project's side only (no warehouse). */
export async function gatherDocs(project: LoadedProject, adapter: Adapter | undefined, now: Date): Promise<{ data: DocsData; catalog: Map<string, ColumnInfo[]> }> {
  const { config, compiled, dialect, manifest } = project;
  const name = config.name;
  const results = readRunResults(project);
  const described = new Map(manifest.descriptions.map((d) => [`${d.on}:${d.node}`, d]));
  const docText = (text: string | undefined) => text?.replace(/\{\{\s*doc\(\s*['"]([\w]+)['"]\s*\)\s*\}\}/g, (m, n: string) => manifest.docs[n] ?? m);

  // Nodes: seeds, source tables, models; each with its relation.
  const sources = Object.entries(config.sources).flatMap(([source, s]) => s.tables.map((table) => ({ source, table, relation: sourceRelation(config.sources, source, table) })));
  const ids = new Map<string, string>(); // relation key -> node id (a source filled by a seed keeps the source's)
  const entries: { id: string; kind: DocsNode['kind']; name: string; relation: Relation }[] = [
    ...compiled.seeds.map((s) => ({ id: s.node.id, kind: 'seed' as const, name: s.node.name, relation: s.relation })),
    ...sources.map((s) => ({ id: `source.${name}.${s.source}.${s.table}`, kind: 'source' as const, name: `${s.source}.${s.table}`, relation: s.relation })),
    // Ephemeral models too: they are in the DAG (+name selects them), though nothing is built.
    ...compiled.models.map((m) => ({ id: m.node.id, kind: 'model' as const, name: m.node.name, relation: m.relation })),
  ];
  // As the compiled SQL names each relation (SQLite folds the schema into the name), and as sf does.
  const sqlName = (rel: Relation) => dialect.renderRelation(rel).replace(/"/g, '').toLowerCase();
  for (const e of entries) {
    ids.set(relationKey(e.relation), e.id);
    ids.set(sqlName(e.relation), e.id);
  }

  // The warehouse: each relation's columns, the ledger, quarantined rows by rule.
  const catalog = new Map<string, ColumnInfo[]>();
  const ledger = adapter ? await readLedgerOf(project, adapter) : new Map();
  const quarantine = new Map<string, { rule: string; rows: number }[]>();
  if (adapter) {
    const state = await adapter.introspect([...new Set(entries.map((e) => e.relation.schema))]);
    for (const e of entries) {
      if (state.has(relationKey(e.relation))) catalog.set(e.id, await adapter.describeColumns(adapter.db, e.relation));
    }
    for (const m of compiled.models) {
      const q = quarantineRelation(m.relation);
      if (!state.has(relationKey(q))) continue;
      const rows = (await sql.raw<{ rule: string; n: unknown }>(`select sf_test as rule, count(*) as n from ${dialect.renderRelation(q)} group by sf_test order by sf_test`).execute(adapter.db)).rows;
      quarantine.set(m.node.id, rows.map((r) => ({ rule: String(r.rule), rows: Number(r.n) })));
    }
  }

  // Edges: a model reads its refs and its sources; a seed that fills a source feeds the source.
  const up = new Map<string, Set<string>>(entries.map((e) => [e.id, new Set<string>()]));
  // Looked up by name and relation (a project may have 10,000 models: no scans per node).
  const seedByName = new Map(compiled.seeds.map((s) => [s.node.name, s]));
  const seedByRelation = new Map(compiled.seeds.map((s) => [relationKey(s.relation), s]));
  const modelById = new Map(compiled.models.map((m) => [m.node.id, m]));
  const modelIdByName = new Map(compiled.models.map((m) => [m.node.name, m.node.id]));
  for (const s of sources) {
    const seed = seedByRelation.get(relationKey(s.relation));
    if (seed) up.get(`source.${name}.${s.source}.${s.table}`)!.add(seed.node.id);
  }
  for (const m of compiled.models) {
    const viaSource = new Set(m.sources.map((s) => relationKey(sourceRelation(config.sources, s.source, s.table))));
    for (const ref of m.refs) {
      const seed = seedByName.get(ref);
      if (seed && viaSource.has(relationKey(seed.relation))) continue;
      const parent = seed?.node.id ?? modelIdByName.get(ref);
      if (parent && up.has(parent)) up.get(m.node.id)!.add(parent);
    }
    for (const s of m.sources) up.get(m.node.id)!.add(`source.${name}.${s.source}.${s.table}`);
  }
  const down = new Map<string, string[]>(entries.map((e) => [e.id, []]));
  for (const [child, parents] of up) for (const p of parents) down.get(p)!.push(child);

  // Column lineage, model by model, then followed up to the sources and seeds.
  const columnsByRelation = new Map(entries.flatMap((e) => [relationKey(e.relation), sqlName(e.relation)].map((k) => [k, catalog.get(e.id)?.map((c) => c.name)] as const)));
  // Each engine's own grammar first: DuckDB parses its dialect itself.
  const grammars: Grammar[] = { duckdb: ['DuckDB'], sqlite: ['SQLite', 'PostgreSQL'], postgres: ['PostgreSQL'] }[project.target.type] as Grammar[];
  const duckdb = grammars.includes('DuckDB') ? await parseWithDuckdb(compiled.models.map((m) => m.sql)) : [];
  const lineage = new Map(compiled.models.map((m, i) => [m.node.id, modelLineage(m.sql, grammars, dialect.defaultSchema, (rel) => columnsByRelation.get(rel), duckdb[i])]));
  const refId = (r: ColumnRef) => `${ids.get(r.relation) ?? r.relation}.${r.column}`;
  // Followed up to the sources and seeds, each column once (the DAG shares its upstream columns).
  const originsOf = new Map<string, readonly string[]>();
  const origins = (id: string, column: string): readonly string[] => {
    const key = `${id}.${column}`;
    const l = lineage.get(id);
    if (!l || !l.ok) return [key];
    const known = originsOf.get(key);
    if (known) return known;
    originsOf.set(key, [key]); // a cycle (impossible in a built project) ends here
    const found = [...new Set((l.columns[column] ?? []).flatMap((r) => { const parent = ids.get(r.relation); return parent ? origins(parent, r.column) : [`${r.relation}.${r.column}`]; }))].sort();
    originsOf.set(key, found);
    return found;
  };

  const testResults = testResultsOf(results);
  const declared = new Map<string, typeof manifest.genericTests[number][]>();
  for (const t of manifest.genericTests) {
    const key = `${t.on}:${t.node}`;
    const list = declared.get(key);
    if (list) list.push(t);
    else declared.set(key, [t]);
  }
  const sourcesJson = readSourcesJson(project);
  const testsOf = (node: string, on: 'model' | 'seed' | 'source') => (declared.get(`${on}:${node}`) ?? []).map((t): DocsTest => {
    const last = testResults.get(`test.${name}.${t.name}`);
    return { name: t.name, test: t.test, column: t.column, severity: t.config.severity, status: last?.status, failures: last?.failures, quarantined: last?.quarantined, message: last?.message ?? undefined };
  });

  const nodes = entries.map((e): DocsNode => {
    const model = modelById.get(e.id);
    const docs = described.get(`${e.kind === 'source' ? 'source_table' : e.kind}:${e.name}`);
    const types = catalog.get(e.id) ?? [];
    const l = lineage.get(e.id);
    const names = [...types.map((c) => c.name), ...(docs?.columns ?? []).map((c) => c.name).filter((n) => !types.some((c) => c.name.toLowerCase() === n.toLowerCase()))];
    const columns = names.map((col): DocsColumn => {
      const doc = docs?.columns.find((c) => c.name.toLowerCase() === col.toLowerCase());
      const direct = l?.ok ? l.columns[col.toLowerCase()] : undefined;
      return {
        name: col, type: types.find((c) => c.name === col)?.type ?? doc?.dataType, description: docText(doc?.description),
        lineage: direct ? { direct: direct.map(refId), origins: origins(e.id, col.toLowerCase()) } : undefined,
      };
    });
    const run = results.get(e.id);
    const spec = model?.settings.materialized === 'incremental' ? incrementalSpec(model.settings) : undefined;
    return {
      id: e.id, kind: e.kind, name: e.name, relation: dialect.displayRelation(e.relation),
      path: model?.node.path ?? (e.kind === 'seed' ? seedByName.get(e.name)?.node.path : docs?.file),
      description: docText(docs?.description),
      materialized: model?.settings.materialized,
      config: model ? model.settings as Record<string, unknown> : {},
      rawSql: model?.node.rawSql, compiledSql: model?.sql,
      columns, lineageError: l && !l.ok ? l.reason : undefined,
      tests: testsOf(e.name, e.kind),
      partitions: adapter && spec?.partition ? partitionsOf(ledger.get(ledgerKey(model!.relation)) ?? [], spec.partition.kind === 'time' ? spec.partition.granularity : undefined) : undefined,
      quarantine: quarantine.get(e.id),
      lastRun: run ? { status: run.status, startedAt: run.started_at, seconds: run.execution_time, rows: run.rows_affected, message: run.message } : undefined,
      freshness: e.kind === 'source' ? freshnessOf(sourcesJson, `source.${name}.${e.name}`) : undefined,
      upstream: [...up.get(e.id)!].sort(), downstream: [...down.get(e.id)!].sort(),
    };
  });
  return { data: { project: name, target: { name: project.targetName, type: project.target.type }, generatedAt: now.toISOString(), nodes }, catalog };
}

async function readLedgerOf(project: LoadedProject, adapter: Adapter) {
  const state = await adapter.introspect(['sf']);
  return readLedger(adapter, state, project.compiled.models.map((m) => ledgerKey(m.relation)));
}

/** The ledger's partitions, and those of its granularity missing between the first and the last. */
function partitionsOf(entries: readonly { partition: string; rows: number | null; status: string; finishedAt: string }[], granularity: Granularity | undefined): NonNullable<DocsNode['partitions']> {
  const rows = [...entries].sort((a, b) => a.partition.localeCompare(b.partition)).map((e) => ({ key: e.partition, rows: e.rows, status: e.status, finishedAt: e.finishedAt }));
  const keys = rows.map((r) => r.key).filter(isTimeKey);
  if (!granularity || keys.length < 2) return { rows, gaps: [] };
  const have = new Set(keys);
  return { rows, gaps: keysBetween(keyStart(keys[0]!), keyStart(keys[keys.length - 1]!), granularity).filter((k) => !have.has(k)) };
}

function readRunResults(project: LoadedProject): Map<string, RunResult> {
  const file = join(targetDir(project.config.projectDir), 'run_results.json');
  if (!existsSync(file)) return new Map();
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { results?: RunResult[]; args?: { target?: string } };
    // The last run of another target says nothing about this one's tables.
    if ((parsed.args?.target ?? project.config.defaultTarget) !== project.targetName) return new Map();
    return new Map((parsed.results ?? []).map((r) => [r.unique_id, r]));
  } catch {
    return new Map(); // a file cut short by a crash: no last run to show
  }
}

/** Each data test's last result: its own (after `sf test`), or within its node's (a build). */
function testResultsOf(results: ReadonlyMap<string, RunResult>): Map<string, { status: string; failures?: number; quarantined?: number; message?: string | null }> {
  const found = new Map<string, { status: string; failures?: number; quarantined?: number; message?: string | null }>();
  for (const r of results.values()) for (const t of r.tests ?? []) found.set(t.unique_id, t);
  for (const [id, r] of results) if (id.startsWith('test.')) found.set(id, { status: r.status, failures: (r as { failures?: number }).failures, message: r.message });
  return found;
}

type SourcesJson = { results?: { unique_id: string; status: string; max_loaded_at?: string | null; max_loaded_at_time_ago_in_s?: number | null }[] } | undefined;

/** The last `sf source freshness` (target/sources.json), if there was one. */
function readSourcesJson(project: LoadedProject): SourcesJson {
  const file = join(targetDir(project.config.projectDir), 'sources.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SourcesJson;
  } catch {
    return undefined; // cut short by a crash: no check to show
  }
}

function freshnessOf(checked: SourcesJson, id: string): DocsNode['freshness'] {
  const r = checked?.results?.find((x) => x.unique_id === id);
  return r ? { status: r.status, newest: r.max_loaded_at ?? null, ageSeconds: r.max_loaded_at_time_ago_in_s ?? null } : undefined;
}
