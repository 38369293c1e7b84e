// What `sf estimate` reads from the warehouse: rows per day of each selected model and source,
// over a window ending at the newest data (not at the clock, so a demo's old data still
// counts), or on a given day (--end: leave out days still filling up). Partitioned models from the partition ledger (its rows per partition, and the build
// timings of the units that wrote them); sources and models with an `event_time` from the data
// itself, with the busiest clock hour when the column holds times.
import { sql } from 'kysely';
import type { Adapter, Relation } from '../adapters/types.js';
import { incrementalSpec } from '../compiler/incremental-settings.js';
import { readLedger } from '../session/ledger-state.js';
import type { LoadedProject } from '../session/project.js';
import { ledgerKey, type LedgerEntry } from '../plan/ledger.js';

export interface Facts {
  readonly name: string;
  readonly kind: 'model' | 'source';
  readonly relation: string;
  /** Where the daily counts come from. */
  readonly from: 'ledger' | 'event_time' | 'none';
  /** Rows per day, oldest first, one per day of the window (zeros for days without rows). */
  readonly days: readonly { readonly day: string; readonly rows: number }[];
  /** Rows per day in the busiest clock hour of the day, averaged over the window (event_time holding times). */
  readonly busiestHour?: number | undefined;
  /** Units that wrote partitions (ledger): rows written and seconds taken, per unit. */
  readonly builds: readonly { readonly day: string; readonly rows: number; readonly partitions: number; readonly seconds: number }[];
  readonly note?: string | undefined;
  /** A table's size now: its rows, the bytes the engine stores it in, and a row's bytes as text (a CSV line). */
  readonly size?: { readonly rows: number; readonly storedBytes: number; readonly rawBytesPerRow: number } | undefined;
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One count per day from `first` to `last`, zeros filled in. */
function fillDays(counts: ReadonlyMap<string, number>, last: string, windowDays: number): { day: string; rows: number }[] {
  const end = Date.parse(`${last}T00:00:00Z`);
  return Array.from({ length: windowDays }, (_, i) => dayOf(end - (windowDays - 1 - i) * DAY_MS)).map((day) => ({ day, rows: counts.get(day) ?? 0 }));
}

/** The days read: `days` of them, ending on `end` (included) or on the newest day with data. */
export interface Window {
  readonly days: number;
  readonly end?: string | undefined;
}

const nextDay = (day: string) => dayOf(Date.parse(`${day}T00:00:00Z`) + DAY_MS);

export async function gatherFacts(project: LoadedProject, adapter: Adapter, selected: ReadonlySet<string>, window: Window): Promise<Facts[]> {
  const facts: Facts[] = [];
  const state = await adapter.introspect([...new Set(project.compiled.models.map((m) => m.relation.schema)), 'sf']);
  const models = project.compiled.models.filter((m) => selected.has(m.node.name) && m.settings.materialized !== 'ephemeral');
  const ledger = await readLedger(adapter, state, models.map((m) => ledgerKey(m.relation)));
  for (const m of models) {
    const spec = m.settings.materialized === 'incremental' ? incrementalSpec(m.settings) : undefined;
    const relation = project.dialect.displayRelation(m.relation);
    const size = m.settings.materialized === 'view' ? undefined : await sizeOf(adapter, m.relation);
    const entries = (ledger.get(ledgerKey(m.relation)) ?? []).filter((e) => e.status === 'success' && e.rows !== null);
    if (spec?.partition?.kind === 'time' && entries.length) {
      facts.push({ name: m.node.name, kind: 'model', relation, from: 'ledger', size, ...fromLedger(entries, spec.partition.granularity, window) });
    } else if (m.settings.event_time) {
      facts.push({ name: m.node.name, kind: 'model', relation, from: 'event_time', builds: [], size, ...await fromData(adapter, m.relation, m.settings.event_time, window) });
    } else {
      facts.push({ name: m.node.name, kind: 'model', relation, from: 'none', days: [], builds: [], size, note: 'neither time-partitioned (with a ledger) nor with an event_time: no rows per day' });
    }
  }
  // Sources read by the selected models, with a declared event_time.
  const sources = new Map<string, { rel: Relation; eventTime: string }>();
  for (const m of project.compiled.models.filter((x) => selected.has(x.node.name))) {
    for (const s of m.sources) {
      const declared = project.config.sources[s.source];
      const eventTime = declared?.eventTime[s.table];
      if (declared && eventTime) sources.set(`${s.source}.${s.table}`, { rel: { schema: declared.schema ?? s.source, name: s.table }, eventTime });
    }
  }
  for (const [name, s] of [...sources].sort(([a], [b]) => a.localeCompare(b))) {
    facts.push({ name, kind: 'source', relation: project.dialect.displayRelation(s.rel), from: 'event_time', builds: [], size: await sizeOf(adapter, s.rel), ...await fromData(adapter, s.rel, s.eventTime, window) });
  }
  return facts;
}

function fromLedger(all: readonly LedgerEntry[], granularity: 'hour' | 'day' | 'month' | 'year', window: Window): Pick<Facts, 'days' | 'builds'> {
  const perDay = new Map<string, number>();
  const entries = window.end ? all.filter((e) => e.partition.slice(0, 10) <= window.end!) : all;
  for (const e of entries) {
    if (!/^\d{4}/.test(e.partition)) continue;
    if (granularity === 'month' || granularity === 'year') {
      // Spread evenly over the days it covers.
      const [y = 0, mo = 1] = e.partition.split('-').map(Number);
      const start = Date.UTC(y, granularity === 'year' ? 0 : mo - 1, 1);
      const end = granularity === 'year' ? Date.UTC(y + 1, 0, 1) : Date.UTC(y, mo, 1);
      const n = Math.round((end - start) / DAY_MS);
      for (let i = 0; i < n; i++) {
        const day = dayOf(start + i * DAY_MS);
        perDay.set(day, (perDay.get(day) ?? 0) + e.rows! / n);
      }
    } else {
      const day = e.partition.slice(0, 10);
      perDay.set(day, (perDay.get(day) ?? 0) + e.rows!);
    }
  }
  const last = window.end ?? [...perDay.keys()].sort().pop();
  // Each unit (a run's write of some partitions) from the entries it wrote.
  const units = new Map<string, { day: string; rows: number; partitions: number; seconds: number }>();
  for (const e of [...entries].sort((a, b) => a.partition.localeCompare(b.partition))) {
    const key = `${e.runId}|${e.startedAt}|${e.finishedAt}`;
    const u = units.get(key) ?? { day: e.partition.slice(0, 10), rows: 0, partitions: 0, seconds: Math.max(0, (Date.parse(e.finishedAt) - Date.parse(e.startedAt)) / 1000) };
    u.rows += e.rows!;
    u.partitions += 1;
    units.set(key, u);
  }
  return { days: last ? fillDays(perDay, last, window.days) : [], builds: [...units.values()] };
}

async function fromData(adapter: Adapter, rel: Relation, eventTime: string, window: Window): Promise<Pick<Facts, 'days' | 'busiestHour' | 'note'>> {
  const d = adapter.dialect;
  const table = d.renderRelation(rel);
  const column = d.quoteIdentifier(eventTime);
  const one = async <T>(text: string) => (await sql.raw<Record<string, T>>(text).execute(adapter.db)).rows;
  const [newest] = await one<string | null>(`select max(${d.timePartitionKey(column, 'day')}) as last from ${table}`).catch(() => [] as Record<string, string | null>[]);
  if (!newest?.['last']) return { days: [], note: `no rows with ${eventTime} in ${d.displayRelation(rel)} (or it does not exist yet)` };
  const last = window.end ?? newest['last'];
  const windowDays = window.days;
  const since = dayOf(Date.parse(`${last}T00:00:00Z`) - (windowDays - 1) * DAY_MS);
  const inWindow = d.timeRange(column, `${since} 00:00:00`, `${nextDay(last)} 00:00:00`);
  const daily = await one<unknown>(`select ${d.timePartitionKey(column, 'day')} as k, count(*) as n from ${table} where ${inWindow} group by ${d.timePartitionKey(column, 'day')}`);
  const hours = await one<unknown>(`select count(distinct ${d.timePartitionKey(column, 'hour')}) as h from ${table} where ${inWindow}`);
  // The busiest hour of the day: the clock hour with the most rows over the window, per day.
  const hourOfDay = `substr(${d.timePartitionKey(column, 'hour')}, 12, 2)`;
  const [busiest] = await one<unknown>(`select max(n) as n from (select count(*) as n from ${table} where ${inWindow} group by ${hourOfDay}) as per_hour`);
  // Times finer than a day: the rows are spread over more than one hour of some day.
  const finer = Number(hours[0]?.['h'] ?? 0) > daily.length;
  return {
    days: fillDays(new Map(daily.map((r) => [String(r['k']), Number(r['n'])])), last, windowDays),
    busiestHour: finer ? Number(busiest?.['n'] ?? 0) / windowDays : undefined,
  };
}

/** Rows, stored bytes (the engine's own measure) and the average text width of up to 100,000 rows. */
async function sizeOf(adapter: Adapter, rel: Relation): Promise<Facts['size']> {
  const d = adapter.dialect;
  const columns = await adapter.describeColumns(adapter.db, rel);
  if (columns.length === 0) return undefined;
  const first = async (text: string) => Number(Object.values((await sql.raw<Record<string, unknown>>(text).execute(adapter.db)).rows[0] ?? {})[0] ?? 0);
  const width = columns.map((c) => `coalesce(length(cast(${d.quoteIdentifier(c.name)} as varchar)), 0)`).join(' + ');
  return {
    rows: await first(`select count(*) as n from ${d.renderRelation(rel)}`),
    storedBytes: await first(d.storedBytesSql(rel)),
    // Each value as text, a comma between them and a newline after: the row as a CSV line.
    rawBytesPerRow: (await first(`select avg(${width}) as w from (select * from ${d.renderRelation(rel)} limit 100000) as sample`)) + columns.length,
  };
}
