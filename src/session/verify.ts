// `sf verify`: rebuild the selected models (or a range of their partitions) from their inputs
// into temporary tables, compare them row by row with what is published, and check the
// partition ledger's counts and checksums against the tables (a change made outside sf shows
// there). Nothing published is written: the rebuilds are temporary tables of the connection,
// dropped at the end and gone with it if sf is interrupted.
import { sql } from 'kysely';
import type { Adapter, ColumnInfo, Relation, SqlDialect } from '../adapters/types.js';
import { incrementalSpec, type PartitionSpec } from '../compiler/incremental-settings.js';
import { STATIC_CONTEXT, type CompiledModel, type RenderContext } from '../compiler/types.js';
import { ledgerKey, SF_SCHEMA, type LedgerEntry } from '../plan/ledger.js';
import { quarantineRelation } from '../plan/quality/audit.js';
import { addPeriods, keyStart, partitionKeySql, partitionsCondition } from '../plan/partitions.js';
import { rangeKeys as rangeKeysOf, type BatchRequest } from '../plan/materializations/batches.js';
import { columnsOfQuery } from '../runner/answers.js';
import { faultPoint } from '../runner/faults.js';
import { isUserError } from '../util/errors.js';
import { readLedger } from './ledger-state.js';
import type { LoadedProject } from './project.js';
import { withWarehouseAnswers } from './warehouse-answers.js';

/** The partition label of an unpartitioned table. */
export const WHOLE_TABLE = '(table)';
/** Rows shown per kind of difference and partition. */
const SAMPLES = 5;

export interface PartitionVerdict {
  readonly partition: string;
  readonly rebuilt: number;
  readonly published: number;
  readonly missing: number;
  readonly extra: number;
  readonly changed: number;
  /** `missing id=7` (rebuilt, not published), `extra id=9`, `changed id=3: amount 12 published, 10 rebuilt` (a few of each). */
  readonly samples: readonly string[];
}

export interface ModelVerdict {
  readonly model: string;
  readonly relation: string;
  /** `table`, `incremental (insert_overwrite by day, unique_key id)`. */
  readonly how: string;
  readonly status: 'equal' | 'drift' | 'error' | 'skipped';
  /** Why it was skipped or failed; the columns that differ. */
  readonly notes: readonly string[];
  readonly partitions: readonly PartitionVerdict[];
  /** Partitions whose ledger entry disagrees with the table. */
  readonly ledger: readonly string[];
  /** Rebuilt rows left out because the quarantine table holds them (moved aside when built). */
  readonly quarantined?: number | undefined;
}

/** --start/--end, as the run commands read them. */
export type VerifyRange = NonNullable<BatchRequest['range']>;

export async function verifyModels(project: LoadedProject, adapter: Adapter, selected: ReadonlySet<string>, range: VerifyRange | undefined, onModel?: (v: ModelVerdict) => void): Promise<ModelVerdict[]> {
  const verdicts: ModelVerdict[] = [];
  const state = await adapter.introspect([SF_SCHEMA]);
  const models = project.compiled.models.filter((m) => selected.has(m.node.name));
  const ledger = await readLedger(adapter, state, models.map((m) => ledgerKey(m.relation)));
  for (const [i, m] of models.entries()) {
    const verdict = await verifyModel(project, adapter, m, range, ledger.get(ledgerKey(m.relation)) ?? [], `sf_verify_${i}`);
    verdicts.push(verdict);
    onModel?.(verdict);
  }
  return verdicts;
}

async function verifyModel(project: LoadedProject, adapter: Adapter, m: CompiledModel, range: VerifyRange | undefined, entries: readonly LedgerEntry[], scratch: string): Promise<ModelVerdict> {
  const { dialect } = project;
  const kind = m.settings.materialized;
  const base = { model: m.node.name, relation: dialect.displayRelation(m.relation), partitions: [], ledger: [] };
  if (kind === 'view' || kind === 'ephemeral') {
    return { ...base, how: kind, status: 'skipped', notes: [`a ${kind} is its query: there is nothing stored to drift`] };
  }
  const spec = kind === 'incremental' ? incrementalSpec(m.settings, (s) => dialect.adaptModelSql(s)) : undefined;
  const partition = spec?.partition;
  const how = spec ? `incremental (${spec.strategy}${partition ? ` by ${partition.kind === 'time' ? partition.granularity : 'range'}` : ''}${spec.uniqueKey.length ? `, unique_key ${spec.uniqueKey.join(', ')}` : ''})` : kind;
  const published = await adapter.describeColumns(adapter.db, m.relation);
  if (published.length === 0) return { ...base, how, status: 'drift', notes: ['it is not built: nothing is published to compare'] };
  const column = partition && dialect.quoteIdentifier(partition.field);
  const keyOf = (alias: string) => (partition ? partitionKeySql(dialect, `${alias}.${column}`, partition) : dialect.stringLiteral(WHOLE_TABLE));
  // A range narrows a time-partitioned model to its partitions (its inputs with an event_time
  // to the window, as a backfill reads them); other models are compared whole.
  const rangeKeys = range && partition?.kind === 'time' ? rangeKeysOf(partition, range) : undefined;
  if (rangeKeys?.length === 0) return { ...base, how, status: 'skipped', notes: ['the range holds none of its partitions'] };
  const inRange = (expr: string) => (rangeKeys ? ` where ${partitionsCondition(dialect, expr, partition!, rangeKeys)}` : '');
  const ctx: RenderContext = rangeKeys && partition?.kind === 'time'
    ? { isIncremental: false, batch: { start: keyStart(rangeKeys[0]!), end: addPeriods(keyStart(rangeKeys[rangeKeys.length - 1]!), partition.granularity, 1) } }
    : STATIC_CONTEXT;
  const temp = dialect.tempRelation(scratch);
  try {
    const rebuild = m.asksWarehouse
      ? await withWarehouseAnswers(adapter, { name: m.node.name, path: m.node.path }, (answers) => project.compiled.render(m.node.name, ctx, answers))
      : project.compiled.render(m.node.name, ctx);
    await run(adapter, `drop table if exists ${temp}`);
    await run(adapter, `create temp table ${dialect.quoteIdentifier(scratch)} as\nselect * from (\n${rebuild}\n) as sf_rebuilt${inRange(`sf_rebuilt.${column}`)}`);
  } catch (err) {
    const message = isUserError(err) ? err.message : adapter.describeError(err).message;
    return { ...base, how, status: 'error', notes: [`the rebuild failed: ${message.split('\n')[0]}`] };
  }
  try {
    const rebuiltColumns = await columnsOfQuery(adapter.db, `select * from ${temp}`);
    const common = published.map((c) => c.name).filter((c) => rebuiltColumns.some((r) => dialect.sameIdentifier(r, c)));
    const notes = columnNotes(dialect, published, rebuiltColumns);
    const pub = `(select * from ${dialect.renderRelation(m.relation)}${inRange(column!)})`;
    // Rows its quarantine tests moved aside never reach the table: the rebuild drops them too.
    const quarantined = await withoutQuarantined(adapter, temp, quarantineRelation(m.relation), common, inRange(column!));
    const keys = spec?.uniqueKey.length && spec.uniqueKey.every((k) => common.some((c) => dialect.sameIdentifier(c, k))) ? spec.uniqueKey : [];
    const partitions = await comparePartitions(adapter, { temp, pub, columns: common, keys, keyOf });
    const ledgerNotes = partition ? await checkLedger(adapter, m.relation, published, partition, entries, inRange(column!), rangeKeys) : [];
    const drift = notes.length > 0 || ledgerNotes.length > 0 || partitions.some((p) => p.missing + p.extra + p.changed > 0);
    return { ...base, how, status: drift ? 'drift' : 'equal', notes, partitions, ledger: ledgerNotes, quarantined };
  } finally {
    await run(adapter, `drop table if exists ${temp}`).catch(() => undefined);
  }
}

function columnNotes(dialect: SqlDialect, published: readonly ColumnInfo[], rebuilt: readonly string[]): string[] {
  const onlyPublished = published.map((c) => c.name).filter((c) => !rebuilt.some((r) => dialect.sameIdentifier(r, c)));
  const onlyRebuilt = rebuilt.filter((r) => !published.some((c) => dialect.sameIdentifier(r, c.name)));
  return [
    ...(onlyPublished.length ? [`columns only in the published table: ${onlyPublished.join(', ')}`] : []),
    ...(onlyRebuilt.length ? [`columns only in the rebuild: ${onlyRebuilt.join(', ')}`] : []),
  ];
}

interface Compared {
  readonly temp: string;
  /** The published rows, as a parenthesized query. */
  readonly pub: string;
  readonly columns: readonly string[];
  readonly keys: readonly string[];
  /** The partition key of a row of the given alias, as SQL. */
  readonly keyOf: (alias: string) => string;
}

/**
 * Row by row, per partition: by unique_key when the model has one (missing, extra, changed),
 * else as multisets (a row twice in one and once in the other is one missing or extra).
 */
async function comparePartitions(adapter: Adapter, c: Compared): Promise<PartitionVerdict[]> {
  const { dialect } = adapter;
  const q = (n: string) => dialect.quoteIdentifier(n);
  // (PostgreSQL refuses a constant in group by: an unpartitioned table is counted whole.)
  const counts = async (from: string) => new Map((await rows(adapter, `select sf_partition, count(*) as n from (select ${c.keyOf('t')} as sf_partition from ${from} as t) as k group by sf_partition`))
    .map((r) => [String(r['sf_partition']), Number(r['n'])]));
  const [rebuilt, published] = [await counts(c.temp), await counts(c.pub)];
  const byPartition = new Map<string, { missing: number; extra: number; changed: number; samples: string[] }>();
  const at = (p: string) => byPartition.get(p) ?? byPartition.set(p, { missing: 0, extra: 0, changed: 0, samples: [] }).get(p)!;
  const describe = (r: Record<string, unknown>, names: readonly string[]) => names.map((n) => `${n}=${show(r[n])}`).join(', ');

  /** Counts a difference query by partition and keeps a few of its rows. */
  const tally = async (what: 'missing' | 'extra' | 'changed', diff: string, label: (r: Record<string, unknown>) => string) => {
    for (const r of await rows(adapter, `select sf_partition, count(*) as n from (${diff}) as d group by sf_partition`)) at(String(r['sf_partition']))[what] += Number(r['n']);
    for (const r of await rows(adapter, `select * from (${diff}) as d order by sf_partition limit ${SAMPLES * 4}`)) {
      const slot = at(String(r['sf_partition']));
      if (slot.samples.filter((s) => s.startsWith(what)).length < SAMPLES) slot.samples.push(`${what} ${label(r)}`);
    }
  };
  const cols = c.columns.map(q).join(', ');
  if (c.keys.length) {
    const keys = c.keys.map(q);
    const on = keys.map((k) => `a.${k} = b.${k}`).join(' and ');
    const absent = (a: string, b: string) => `select ${keys.map((k) => `a.${k}`).join(', ')}, ${c.keyOf('a')} as sf_partition from ${a} as a where not exists (select 1 from ${b} as b where ${on})`;
    await tally('missing', absent(c.temp, c.pub), (r) => describe(r, c.keys));
    await tally('extra', absent(c.pub, c.temp), (r) => describe(r, c.keys));
    const others = c.columns.filter((n) => !c.keys.some((k) => dialect.sameIdentifier(k, n)));
    if (others.length) {
      const changed = `select ${keys.map((k) => `a.${k}`).join(', ')}, ${c.keyOf('a')} as sf_partition, ${others.map((n, i) => `a.${q(n)} as sf_new_${i}, b.${q(n)} as sf_old_${i}`).join(', ')}
from ${c.temp} as a join ${c.pub} as b on ${on}
where ${others.map((n) => `a.${q(n)} is distinct from b.${q(n)}`).join(' or ')}`;
      await tally('changed', changed, (r) => `${describe(r, c.keys)}: ${others.flatMap((n, i) => (show(r[`sf_old_${i}`]) === show(r[`sf_new_${i}`]) ? [] : [`${n} ${show(r[`sf_old_${i}`])} published, ${show(r[`sf_new_${i}`])} rebuilt`])).join(', ')}`);
    }
  } else {
    // Identical rows numbered, so a multiset difference is a set difference.
    const numbered = (from: string) => `select ${cols}, row_number() over (partition by ${cols}) as sf_n from ${from} as t`;
    const diff = (a: string, b: string) => `select d.*, ${c.keyOf('d')} as sf_partition from (${numbered(a)} except ${numbered(b)}) as d`;
    await tally('missing', diff(c.temp, c.pub), (r) => describe(r, c.columns.slice(0, 6)));
    await tally('extra', diff(c.pub, c.temp), (r) => describe(r, c.columns.slice(0, 6)));
  }
  const partitions = [...new Set([...rebuilt.keys(), ...published.keys(), ...byPartition.keys()])].sort();
  return partitions.map((p) => ({ partition: p, rebuilt: rebuilt.get(p) ?? 0, published: published.get(p) ?? 0, ...(byPartition.get(p) ?? { missing: 0, extra: 0, changed: 0, samples: [] }) }));
}

/**
 * Removes from the rebuild the rows the model's quarantine table holds (as multisets: a row
 * quarantined once removes one copy), returning how many; 0 without a quarantine table.
 */
async function withoutQuarantined(adapter: Adapter, temp: string, quarantine: Relation, columns: readonly string[], where: string): Promise<number> {
  const { dialect } = adapter;
  const held = await adapter.describeColumns(adapter.db, quarantine);
  const shared = columns.filter((c) => held.some((h) => dialect.sameIdentifier(h.name, c)));
  if (shared.length === 0) return 0;
  const cols = shared.map((c) => dialect.quoteIdentifier(c)).join(', ');
  const numbered = (from: string, extra = '') => `select ${extra}${cols}, row_number() over (partition by ${cols}) as sf_n from ${from} as t`;
  const match = shared.map((c) => `q.${dialect.quoteIdentifier(c)} is not distinct from s.${dialect.quoteIdentifier(c)}`).join(' and ');
  const [counted] = await rows(adapter, `select count(*) as n from ${temp}`);
  await run(adapter, `delete from ${temp} where ${dialect.rowId} in (
  select s.sf_rowid from (${numbered(temp, `${dialect.rowId} as sf_rowid, `)}) as s
  where exists (select 1 from (${numbered(`(select * from ${dialect.renderRelation(quarantine)}${where})`)}) as q where ${match} and q.sf_n = s.sf_n)
)`);
  const [left] = await rows(adapter, `select count(*) as n from ${temp}`);
  return Number(counted!['n']) - Number(left!['n']);
}

/** Ledger entries whose recorded rows or checksum the table no longer has: changed outside sf. */
async function checkLedger(adapter: Adapter, rel: Relation, columns: readonly ColumnInfo[], partition: PartitionSpec, entries: readonly LedgerEntry[], where: string, keys?: readonly string[]): Promise<string[]> {
  const { dialect } = adapter;
  const key = partitionKeySql(dialect, dialect.quoteIdentifier(partition.field), partition);
  const table = new Map((await rows(adapter, `select ${key} as k, count(*) as n, ${dialect.checksum(columns.map((c) => c.name))} as c
from ${dialect.renderRelation(rel)}${where} group by ${key}`)).map((r) => [String(r['k']), { rows: Number(r['n']), checksum: String(r['c']) }]));
  const recorded = entries.filter((e) => e.status === 'success' && (!keys || keys.includes(e.partition)));
  const notes: string[] = [];
  for (const e of recorded) {
    const now = table.get(e.partition) ?? { rows: 0, checksum: '0' };
    if (now.rows !== e.rows || (e.rows !== 0 && now.checksum !== e.checksum)) {
      notes.push(`${e.partition}: the ledger records ${e.rows} rows (checksum ${e.checksum}), the table holds ${now.rows} (checksum ${now.checksum}): changed outside sf`);
    }
  }
  for (const k of table.keys()) {
    if (!recorded.some((e) => e.partition === k)) notes.push(`${k}: the table holds ${table.get(k)!.rows} rows the ledger has no record of: written outside sf`);
  }
  return notes;
}

async function run(adapter: Adapter, text: string): Promise<void> {
  faultPoint(text);
  await sql.raw(text).execute(adapter.db);
}

async function rows(adapter: Adapter, text: string): Promise<Record<string, unknown>[]> {
  faultPoint(text);
  return (await sql.raw<Record<string, unknown>>(text).execute(adapter.db)).rows;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace(/\.000Z$/, '');
  if (typeof v === 'string') return `'${v}'`;
  return String(v);
}
