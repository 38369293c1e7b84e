// One estimate from facts: the figures, the walls in order with the date each is reached at
// the observed growth, the verdict line and --fail-if.
import { describe, expect, it } from 'vitest';
import { estimate, failures, type EstimateOptions } from './estimate.js';
import type { Facts } from './facts.js';
import { parseFailIf } from './math.js';

const OPTIONS: EstimateOptions = { growth: 10, peakFactor: 3, windowDays: 30, nodeRowsPerSecond: 100, buildBudgetSeconds: 3600, storageBudgetBytes: 1e12, engine: 'duckdb' };

/** 30 days growing 1% a day (compounded) from 86,400 rows; builds at 1 s + 1 s per 100,000 rows. */
const FACTS: Facts = {
  name: 'fact', kind: 'model', relation: 'main.fact', from: 'ledger',
  days: Array.from({ length: 30 }, (_, i) => ({ day: new Date(Date.UTC(2026, 5, 1 + i)).toISOString().slice(0, 10), rows: Math.round(86_400 * 1.01 ** i) })),
  builds: [{ day: '2026-06-01', rows: 100_000, partitions: 1, seconds: 2 }, { day: '2026-06-02', rows: 300_000, partitions: 1, seconds: 4 }],
  size: { rows: 1_000_000, storedBytes: 50_000_000, rawBytesPerRow: 80 },
};

describe('estimate', () => {
  const e = estimate(FACTS, OPTIONS);

  it('rates, bytes, the build line and the projection', () => {
    const mean = FACTS.days.reduce((n, d) => n + d.rows, 0) / 30;
    expect(e.rowsPerDay.mean).toBeCloseTo(mean, 9);
    expect(e.rowsPerSecond).toBeCloseTo(mean / 86_400, 12);
    expect(e.peakRowsPerSecond).toBeCloseTo(3 * mean / 86_400, 12);
    expect(e.bytes!.perRow).toEqual({ raw: 80, stored: 50 });
    expect(e.bytes!.perYear.stored).toBeCloseTo(50 * mean * 365, 3);
    expect(e.build!.a).toBeCloseTo(1, 9);
    expect(e.build!.b).toBeCloseTo(1e-5, 12);
    expect(e.projected.buildSeconds).toBeCloseTo(1 + 1e-5 * mean * 10, 9);
    expect(e.dailyGrowth).toBeGreaterThan(0.009);
    expect(e.dailyGrowth).toBeLessThan(0.0115);
  });

  it('walls in the order they come, with days and the date at the observed growth', () => {
    expect(e.walls.map((w) => w.name)).toEqual(['node', 'storage', 'build']);
    const node = e.walls[0]!;
    expect(node.factor).toBeCloseTo(100 / e.peakRowsPerSecond, 9);
    expect(node.inDays).toBeCloseTo(Math.log(node.factor) / Math.log(1 + e.dailyGrowth), 9);
    expect(node.date).toBe(new Date(Date.UTC(2026, 5, 30) + Math.round(node.inDays!) * 86_400_000).toISOString().slice(0, 10));
    expect(e.verdict).toMatch(/^fact: [\d.]+K rows\/day, [\d.]+\/s avg, [\d.]+\/s peak, [\d.]+ MB\/day, [\d.]+ GB\/year stored \([\d.]+ GB as text\), daily build [\d.]+ s; single-node DuckDB fine to about [\d.]+x \(in about \d+ (days|months), 20\d\d-\d\d-\d\d, at 1\.\d%\/day\)/);
  });

  it('--fail-if against the figures at a multiple', () => {
    expect(failures(e, [parseFailIf('build_seconds > 30 at 10x', ['build_seconds'])])).toEqual([]);
    expect(failures(e, [parseFailIf('build_seconds > 10 at 10x', ['build_seconds'])])).toEqual([`fact: build_seconds is ${e.projected.buildSeconds!.toFixed(0)} at 10x (build_seconds > 10 at 10x)`]);
  });
});
