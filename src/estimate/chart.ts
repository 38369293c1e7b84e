// `sf estimate`'s picture, per model or source: rows per day over the window with the
// projection at the observed growth, and the build seconds per partition on a second axis.
// Drawn by Apache ECharts (server-side, to SVG) and rasterized to PNG by resvg, both loaded
// only when a chart is written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Estimate } from './estimate.js';

const DAY_MS = 86_400_000;
/** Days projected past the window. */
const AHEAD = 90;

export async function chartSvg(e: Estimate): Promise<string> {
  const echarts = await import('echarts');
  const days = e.series.days;
  const last = Date.parse(`${days[days.length - 1]!.day}T00:00:00Z`);
  const ahead = Array.from({ length: AHEAD }, (_, i) => new Date(last + (i + 1) * DAY_MS).toISOString().slice(0, 10));
  const projection = [
    [days[days.length - 1]!.day, e.rowsPerDay.mean],
    ...ahead.map((day, i) => [day, e.rowsPerDay.mean * (1 + e.dailyGrowth) ** (i + 1)]),
  ];
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 900, height: 380 });
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'DejaVu Sans, sans-serif' },
    title: { text: `${e.name}: rows per day${e.series.builds.length ? ' and build seconds per partition' : ''}`, subtext: e.verdict.slice(e.name.length + 2, e.name.length + 2 + 140), left: 10, textStyle: { fontSize: 14 }, subtextStyle: { fontSize: 10 } },
    legend: { bottom: 0, itemGap: 30 },
    grid: { left: 70, right: 70, top: 100, bottom: 60 },
    xAxis: { type: 'time', axisLabel: { formatter: '{yyyy}-{MM}-{dd}', hideOverlap: true } },
    yAxis: [
      { type: 'value', name: 'rows/day', min: 0 },
      ...(e.series.builds.length ? [{ type: 'value', name: 's/partition', min: 0, splitLine: { show: false } }] : []),
    ],
    series: [
      { name: 'rows per day', type: 'line', showSymbol: false, data: days.map((d) => [d.day, d.rows]) },
      { name: `projection at ${(e.dailyGrowth * 100).toFixed(2)}%/day`, type: 'line', showSymbol: false, lineStyle: { type: 'dashed' }, data: projection },
      ...(e.series.builds.length ? [{ name: 'build s/partition', type: 'scatter', yAxisIndex: 1, symbolSize: 5, data: e.series.builds.filter((b) => b.day >= days[0]!.day).map((b) => [b.day, b.secondsPerPartition]) }] : []),
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** Writes `<dir>/<name>.svg` and `.png` for each estimate with rows per day; returns the paths. */
export async function writeCharts(estimates: readonly Estimate[], dir: string): Promise<string[]> {
  const { Resvg } = await import('@resvg/resvg-js');
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const e of estimates.filter((x) => x.series.days.length > 0)) {
    const svg = await chartSvg(e);
    const base = join(dir, e.name.replace(/[^\w.-]/g, '_'));
    writeFileSync(`${base}.svg`, svg);
    const png = new Resvg(svg, { background: '#ffffff', fitTo: { mode: 'width', value: 1800 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
    writeFileSync(`${base}.png`, png);
    written.push(`${base}.svg`, `${base}.png`);
  }
  return written;
}
