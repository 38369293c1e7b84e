// `sf estimate`'s arithmetic, apart from the warehouse: daily counts -> rates, percentiles,
// growth, projections, which limit is met first, and the --fail-if conditions.

const SECONDS_PER_DAY = 86_400;

export interface DailyStats {
  readonly days: number;
  readonly mean: number;
  readonly p95: number;
  readonly max: number;
  /** Average rows per second over a day, and at peak (the busiest hour measured, else mean x peak factor). */
  readonly perSecond: number;
  readonly peakPerSecond: number;
  readonly peakMeasured: boolean;
  /** Relative growth of rows per day, per day, fitted over the window (0.01 = 1% a day); 0 when flat or too short. */
  readonly dailyGrowth: number;
}

/** Nearest-rank percentile of `values` (0 < q <= 1). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Least-squares line y = a + b x. */
export function fitLine(points: readonly (readonly [number, number])[]): { a: number; b: number } {
  const n = points.length;
  if (n === 0) return { a: 0, b: 0 };
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const b = sxx === 0 ? 0 : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  return { a: my - b * mx, b };
}

/**
 * Rows per day in order (one count per day of the window, zeros included); `busiestHour`: the
 * most rows in one clock hour, when the data has timestamps finer than a day.
 */
export function dailyStats(counts: readonly number[], peakFactor: number, busiestHour?: number): DailyStats {
  const mean = counts.length ? counts.reduce((a, b) => a + b, 0) / counts.length : 0;
  const perSecond = mean / SECONDS_PER_DAY;
  const peakPerSecond = busiestHour !== undefined ? busiestHour / 3600 : perSecond * peakFactor;
  // Growth: the fitted line's slope against its mean level; 7 days at least, else flat.
  const { b } = fitLine(counts.map((c, i) => [i, c] as const));
  const dailyGrowth = counts.length >= 7 && mean > 0 ? b / mean : 0;
  return { days: counts.length, mean, p95: percentile(counts, 0.95), max: Math.max(0, ...counts), perSecond, peakPerSecond, peakMeasured: busiestHour !== undefined, dailyGrowth };
}

/** Days until a figure growing `dailyGrowth` a day (compounded) is `factor` times what it is now; undefined when it never is. */
export function daysUntil(factor: number, dailyGrowth: number): number | undefined {
  if (factor <= 1) return 0;
  if (dailyGrowth <= 0) return undefined;
  return Math.log(factor) / Math.log(1 + dailyGrowth);
}

export interface Limit {
  readonly name: string;
  /** The figure's value now, and the limit it must stay under. */
  readonly now: number;
  readonly limit: number;
  readonly describe: (factor: number) => string;
}

/** The limits in the order they are reached: the multiple of today's volume at which each is. */
export function wallsInOrder(limits: readonly Limit[]): { limit: Limit; factor: number }[] {
  return limits.filter((l) => l.now > 0 && l.limit > 0).map((limit) => ({ limit, factor: limit.limit / limit.now })).sort((a, b) => a.factor - b.factor);
}

/** A --fail-if condition: `<metric> <op> <number>[unit] [at <N>x]`. */
export interface FailIf {
  readonly text: string;
  readonly metric: string;
  readonly op: '>' | '>=' | '<' | '<=';
  readonly value: number;
  readonly at: number;
}

const UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, s: 1, min: 60, h: 3600 };

export function parseFailIf(text: string, metrics: readonly string[]): FailIf {
  const m = /^\s*([a-z_]+)\s*(>=|<=|>|<)\s*([\d.]+)\s*([a-z]*)\s*(?:at\s+([\d.]+)\s*x)?\s*$/i.exec(text);
  const unit = m?.[4]?.toLowerCase() ?? '';
  if (!m || !(unit in UNITS) || !Number.isFinite(Number(m[3]))) {
    throw new Error(`cannot read --fail-if '${text}': write <metric> <op> <number> [at <N>x], e.g. "build_seconds > 3600 at 10x"`);
  }
  if (!metrics.includes(m[1]!)) throw new Error(`--fail-if '${text}': no metric '${m[1]}'; metrics: ${metrics.join(', ')}`);
  return { text: text.trim(), metric: m[1]!, op: m[2] as FailIf['op'], value: Number(m[3]) * UNITS[unit]!, at: m[5] ? Number(m[5]) : 1 };
}

export function breaks(c: FailIf, value: number): boolean {
  switch (c.op) {
    case '>': return value > c.value;
    case '>=': return value >= c.value;
    case '<': return value < c.value;
    case '<=': return value <= c.value;
  }
}

/** Eight-level bars for a row of numbers, scaled to its maximum. */
export function sparkline(values: readonly number[]): string {
  const bars = '▁▂▃▄▅▆▇█';
  const max = Math.max(0, ...values);
  return values.map((v) => bars[max === 0 ? 0 : Math.min(7, Math.floor((v / max) * 7.999))]).join('');
}

/** A rate per second: 3 decimals under 1, 1 under 10, else as human(). */
export function rate(n: number): string {
  return n >= 10 ? human(n) : n.toFixed(n >= 1 ? 1 : 3);
}

/** 1234567 -> "1.2M"; with a unit, "41 MB". */
export function human(n: number, unit = ''): string {
  const abs = Math.abs(n);
  const [d, s] = abs >= 1e12 ? [1e12, 'T'] : abs >= 1e9 ? [1e9, 'G'] : abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'K'] : [1, ''];
  const v = n / d;
  const text = d === 1 && Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 1 : 0);
  return unit ? `${text} ${s}${unit}` : `${text}${s}`;
}
