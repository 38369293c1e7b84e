// `sf estimate`: the capacity math (../shared/origin-platform-design.txt: rows per second at
// peak, growth, which wall comes first) from what the warehouse holds. Facts come from
// facts.ts, arithmetic from math.ts; this turns them into one estimate per model and source.
import type { EngineName } from '../config/types.js';
import type { Facts } from './facts.js';
import { breaks, daysUntil, dailyStats, fitLine, human, rate, sparkline, wallsInOrder, type DailyStats, type FailIf, type Limit } from './math.js';

export interface EstimateOptions {
  readonly growth: number;
  readonly peakFactor: number;
  readonly windowDays: number;
  /** The window's last day (YYYY-MM-DD, included); unset, each relation's newest day with data. */
  readonly windowEnd?: string | undefined;
  /** Rows per second one node of the engine sustains (the single-node wall). */
  readonly nodeRowsPerSecond: number;
  /** Seconds the daily build of one model may take. */
  readonly buildBudgetSeconds: number;
  /** Bytes a model may take, as stored, after a year of growth at today's rate. */
  readonly storageBudgetBytes: number;
  readonly engine: EngineName;
}

/** Rows per second a single node sustains when nothing is configured: deliberately modest. */
export const DEFAULT_NODE_ROWS_PER_SECOND: Record<EngineName, number> = { duckdb: 200_000, sqlite: 20_000, postgres: 50_000 };

export interface Estimate {
  readonly name: string;
  readonly kind: Facts['kind'];
  readonly relation: string;
  readonly from: Facts['from'];
  readonly note?: string | undefined;
  readonly window: { readonly first: string; readonly last: string } | undefined;
  readonly rowsPerDay: Pick<DailyStats, 'mean' | 'p95' | 'max' | 'days'>;
  readonly rowsPerSecond: number;
  readonly peakRowsPerSecond: number;
  readonly peakMeasured: boolean;
  readonly dailyGrowth: number;
  /** seconds = a + b x rows, fitted over the units that wrote partitions; the daily build's seconds now. */
  /** Per row, per day and for a year of today's rows per day: as text (raw) and as the engine stores it. */
  readonly bytes?: {
    readonly perRow: { readonly raw: number; readonly stored: number };
    readonly perDay: { readonly raw: number; readonly stored: number };
    readonly perYear: { readonly raw: number; readonly stored: number };
  } | undefined;
  readonly build?: { readonly a: number; readonly b: number; readonly units: number; readonly dailySeconds: number } | undefined;
  readonly projected: { readonly growth: number; readonly rowsPerDay: number; readonly peakRowsPerSecond: number; readonly buildSeconds?: number | undefined; readonly storedPerYear?: number | undefined };
  /** The limits in the order they are reached: at what multiple of today, and in how many days at the observed growth. */
  readonly walls: readonly { readonly name: string; readonly factor: number; readonly inDays?: number | undefined; readonly date?: string | undefined; readonly text: string }[];
  readonly sparkline: string;
  readonly verdict: string;
  /** The window's rows per day, and the seconds per partition of each unit that wrote partitions (by its first day). */
  readonly series: { readonly days: Facts['days']; readonly builds: readonly { readonly day: string; readonly secondsPerPartition: number }[] };
}

const ENGINE_NAMES: Record<EngineName, string> = { duckdb: 'DuckDB', sqlite: 'SQLite', postgres: 'PostgreSQL' };

export function estimate(f: Facts, o: EstimateOptions): Estimate {
  const counts = f.days.map((d) => d.rows);
  const s = dailyStats(counts, o.peakFactor, f.busiestHour);
  // Units that wrote one day's worth or less are the daily build's shape; all units fit the line.
  const fit = f.builds.length ? fitLine(f.builds.map((b) => [b.rows, b.seconds] as const)) : undefined;
  const buildAt = (factor: number) => (fit ? Math.max(0, fit.a + fit.b * s.mean * factor) : undefined);
  const perRow = f.size && f.size.rows > 0 ? { raw: f.size.rawBytesPerRow, stored: f.size.storedBytes / f.size.rows } : undefined;
  const bytes = perRow && {
    perRow,
    perDay: { raw: perRow.raw * s.mean, stored: perRow.stored * s.mean },
    perYear: { raw: perRow.raw * s.mean * 365, stored: perRow.stored * s.mean * 365 },
  };
  const limits: Limit[] = [
    { name: 'node', now: s.peakPerSecond, limit: o.nodeRowsPerSecond, describe: (x) => `single-node ${ENGINE_NAMES[o.engine]} fine to about ${round(x)}x` },
    ...(bytes ? [{ name: 'storage', now: bytes.perYear.stored, limit: o.storageBudgetBytes, describe: (x: number) => `a year's rows pass ${human(o.storageBudgetBytes, 'B')} stored at about ${round(x)}x` }] : []),
  ];
  // The build-time wall: the factor at which a + b x rows reaches the budget.
  const buildWall = fit && fit.b > 0 && s.mean > 0 ? (o.buildBudgetSeconds - fit.a) / (fit.b * s.mean) : undefined;
  const walls = [
    ...wallsInOrder(limits).map(({ limit, factor }) => ({ name: limit.name, factor, text: limit.describe(factor) })),
    ...(buildWall !== undefined && buildWall > 0 ? [{ name: 'build', factor: buildWall, text: `the daily build passes ${duration(o.buildBudgetSeconds)} at about ${round(buildWall)}x` }] : []),
  ].sort((a, b) => a.factor - b.factor);
  const window = f.days.length ? { first: f.days[0]!.day, last: f.days[f.days.length - 1]!.day } : undefined;
  // When, at the observed growth: days after the window's last day, and that date.
  const dated = walls.map((w) => {
    const inDays = daysUntil(w.factor, s.dailyGrowth);
    const date = inDays !== undefined && window && inDays < 365 * 200 ? new Date(Date.parse(`${window.last}T00:00:00Z`) + Math.round(inDays) * 86_400_000).toISOString().slice(0, 10) : undefined;
    return { ...w, inDays, date };
  });
  const base = {
    name: f.name, kind: f.kind, relation: f.relation, from: f.from, note: f.note, window,
    rowsPerDay: { mean: s.mean, p95: s.p95, max: s.max, days: s.days },
    rowsPerSecond: s.perSecond, peakRowsPerSecond: s.peakPerSecond, peakMeasured: s.peakMeasured, dailyGrowth: s.dailyGrowth,
    bytes,
    build: fit ? { ...fit, units: f.builds.length, dailySeconds: buildAt(1)! } : undefined,
    projected: { growth: o.growth, rowsPerDay: s.mean * o.growth, peakRowsPerSecond: s.peakPerSecond * o.growth, buildSeconds: buildAt(o.growth), storedPerYear: bytes && bytes.perYear.stored * o.growth },
    walls: dated, sparkline: sparkline(counts),
    series: { days: f.days, builds: f.builds.map((b) => ({ day: b.day, secondsPerPartition: b.seconds / b.partitions })) },
  };
  return { ...base, verdict: verdictOf(base) };
}

function verdictOf(e: Omit<Estimate, 'verdict'>): string {
  if (e.rowsPerDay.days === 0) return `${e.name}: ${e.note ?? 'no data in the window'}`;
  const parts = [
    `${human(Math.round(e.rowsPerDay.mean))} rows/day`,
    `${rate(e.rowsPerSecond)}/s avg`,
    `${rate(e.peakRowsPerSecond)}/s peak${e.peakMeasured ? ' (busiest hour)' : ''}`,
    ...(e.bytes ? [`${human(e.bytes.perDay.stored, 'B')}/day`, `${human(e.bytes.perYear.stored, 'B')}/year stored (${human(e.bytes.perYear.raw, 'B')} as text)`] : []),
    ...(e.build ? [`daily build ${duration(e.build.dailySeconds)}`] : []),
  ];
  const walls = e.walls.map((w) => (w.inDays === undefined ? w.text : `${w.text} (${when(w.inDays)}${w.date ? `, ${w.date}` : ''}, at ${(e.dailyGrowth * 100).toFixed(1)}%/day)`));
  return `${e.name}: ${parts.join(', ')}${walls.length ? `; ${walls.join('; ')}` : ''}`;
}

/** The metrics --fail-if knows, at a multiple of today's volume. */
export const METRICS: Record<string, (e: Estimate, at: number) => number | undefined> = {
  rows_per_day: (e, at) => e.rowsPerDay.mean * at,
  rows_per_second: (e, at) => e.rowsPerSecond * at,
  peak_rows_per_second: (e, at) => e.peakRowsPerSecond * at,
  bytes_per_day: (e, at) => (e.bytes ? e.bytes.perDay.stored * at : undefined),
  storage_per_year: (e, at) => (e.bytes ? e.bytes.perYear.stored * at : undefined),
  build_seconds: (e, at) => (e.build ? Math.max(0, e.build.a + e.build.b * e.rowsPerDay.mean * at) : undefined),
};

/** The conditions an estimate breaks, each as a line saying the value found. */
export function failures(e: Estimate, conditions: readonly FailIf[]): string[] {
  return conditions.flatMap((c) => {
    const value = METRICS[c.metric]!(e, c.at);
    return value !== undefined && breaks(c, value) ? [`${e.name}: ${c.metric} is ${value.toFixed(value < 10 ? 2 : 0)} at ${c.at}x (${c.text})`] : [];
  });
}

const round = (x: number): string => (x >= 1000 ? human(x) : String(x >= 100 ? Math.round(x / 10) * 10 : x >= 10 ? Math.round(x) : Math.round(x * 10) / 10));

function duration(seconds: number): string {
  if (seconds >= 3600) return `${round(seconds / 3600)} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds >= 60) return `${round(seconds / 60)} min`;
  return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
}

function when(days: number): string {
  if (days < 60) return `in about ${Math.round(days)} days`;
  if (days < 730) return `in about ${Math.round(days / 30)} months`;
  return `in about ${Math.round(days / 365)} years`;
}
