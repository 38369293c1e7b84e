// sf estimate's arithmetic: percentiles, the fitted line, rates and peaks, growth, walls, --fail-if.
import { describe, expect, it } from 'vitest';
import { breaks, dailyStats, daysUntil, fitLine, human, parseFailIf, percentile, sparkline, wallsInOrder } from './math.js';

describe('estimate math', () => {
  it('percentiles by nearest rank, lines by least squares', () => {
    expect(percentile([5, 1, 4, 2, 3], 0.95)).toBe(5);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 0.95)).toBe(95);
    expect(fitLine([[0, 1], [1, 3], [2, 5]])).toEqual({ a: 1, b: 2 });
  });

  it('rows per second on average and at peak: measured from the busiest hour, else mean x factor', () => {
    const flat = dailyStats(Array(10).fill(86_400), 3);
    expect([flat.mean, flat.perSecond, flat.peakPerSecond, flat.peakMeasured, flat.dailyGrowth]).toEqual([86_400, 1, 3, false, 0]);
    expect(dailyStats(Array(10).fill(86_400), 3, 7200).peakPerSecond).toBe(2);
    // Growing 10 rows a day from 100: the slope over the mean level.
    const growing = dailyStats(Array.from({ length: 11 }, (_, i) => 100 + 10 * i), 3);
    expect(growing.dailyGrowth).toBeCloseTo(10 / 150, 10);
    expect(dailyStats([1, 2, 3], 3).dailyGrowth).toBe(0);
  });

  it('days until a multiple at compounded growth; walls in the order they come', () => {
    expect(daysUntil(2, 0.01)).toBeCloseTo(69.66, 2);
    expect(daysUntil(2, 0)).toBeUndefined();
    expect(daysUntil(0.5, 0.01)).toBe(0);
    const walls = wallsInOrder([
      { name: 'node', now: 10, limit: 1000, describe: () => '' },
      { name: 'storage', now: 5, limit: 100, describe: () => '' },
      { name: 'unknown', now: 0, limit: 1, describe: () => '' },
    ]);
    expect(walls.map((w) => [w.limit.name, w.factor])).toEqual([['storage', 20], ['node', 100]]);
  });

  it('--fail-if: metric, comparison, units and a growth factor; clear errors', () => {
    const c = parseFailIf('build_seconds > 1h at 10x', ['build_seconds', 'rows_per_day']);
    expect(c).toEqual({ text: 'build_seconds > 1h at 10x', metric: 'build_seconds', op: '>', value: 3600, at: 10 });
    expect(parseFailIf('rows_per_day>=2.5m', ['rows_per_day'])).toMatchObject({ op: '>=', value: 2_500_000, at: 1 });
    expect(breaks(c, 3601)).toBe(true);
    expect(breaks(c, 3600)).toBe(false);
    expect(() => parseFailIf('build_seconds ~ 3', ['build_seconds'])).toThrow(/cannot read --fail-if/);
    expect(() => parseFailIf('speed > 3', ['build_seconds'])).toThrow(/no metric 'speed'; metrics: build_seconds/);
  });

  it('sparklines and human numbers', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▁▂▄█');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect([human(999), human(250_000), human(41e6, 'B'), human(1.5e9, 'B'), human(12.34)]).toEqual(['999', '250K', '41 MB', '1.5 GB', '12']);
  });
});
