// Conformance: `sf estimate` on ShopFlow generated at a known volume (1,000 orders a day, 45% of
// them between 18:00 and 21:00, 4.2 items and 5 events an order, 5% cancelled) reads rows per day
// from the ledger (fact_sales) and from the data's event_time (stg_orders, the raw orders and
// order events), on every engine: the figures match the generator's parameters within 5%, and
// the CSVs' own counts and line widths over the same window exactly; --fail-if exits 1 naming
// the model.
import { cpSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeShopflowCsv } from '../../bench/generate-seeds.js';
import { loadConfig } from '../config/load.js';
import type { Estimate } from '../estimate/estimate.js';
import { ENGINES } from './engines.js';
import { ProjectPool, type ConformanceProject } from './harness.js';
import { shopflowConfigSource } from './shopflow-config.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PEAK = { fromHour: 18, toHour: 21, share: 0.45 };
const SIZE = { days: 40, ordersPerDay: 1000, itemsPerOrder: 4.2, eventsPerOrder: 5, startDate: '2026-05-08', seed: 3, peakHours: PEAK };
const WINDOW = 30;
/** The last order day: events run on a few days after it (shipments), fewer each day. */
const END = '2026-06-16';
/** Weekends 12% busier, Mondays 10% quieter, other days 2% (generate-seeds.ts): 1.0086 on average. */
const WEEKDAYS = 1.0086;
/** Events delivered twice (the generator's default duplicateEventRate). */
const DUPLICATES = 1.01;

describe.each(ENGINES)('sf estimate on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let estimates: Estimate[];
  afterAll(() => pool.disposeAll());

  beforeAll(async () => {
    const shopflow = await loadConfig(ROOT);
    p = await pool.create({ schema: engine === 'postgres' ? 'analytics' : undefined, configSource: (target) => shopflowConfigSource(shopflow, engine, { ...target, limits: { nodeRowsPerSecond: 1 } }) });
    for (const dir of ['models', 'macros', 'tests']) cpSync(join(ROOT, dir), join(p.dir, dir), { recursive: true });
    writeShopflowCsv(join(p.dir, 'seeds'), SIZE);
    const built = await p.sf('build');
    if (built.code !== 0) throw new Error(built.text);
    const run = await p.sf('estimate', '--select', 'fact_sales', 'stg_orders', 'stg_order_events', '--window', `${WINDOW}d`, '--end', END, '--output', 'json');
    if (run.code !== 0) throw new Error(run.text);
    estimates = JSON.parse(run.out.join('\n')).estimates;
  }, 240_000);

  /** A seed CSV's rows whose `column` (its index) falls in the estimate's window. */
  const csvRows = (seed: string, column: number, first: string, last: string) => readFileSync(join(p.dir, `seeds/${seed}.csv`), 'utf8')
    .trim().split('\n').slice(1).filter((l) => {
      const day = l.split(',')[column]!.slice(0, 10);
      return day >= first && day <= last;
    });
  const csvOrdersPerDay = (first: string, last: string) => csvRows('orders', 2, first, last).length / WINDOW;

  it('stg_orders: orders per day from its event_time, as generated, with the busiest hour measured', () => {
    const e = estimates.find((x) => x.name === 'stg_orders')!;
    expect(e.from).toBe('event_time');
    expect(e.rowsPerDay.days).toBe(WINDOW);
    expect(e.window!.last).toBe('2026-06-16');
    expect(e.rowsPerDay.mean).toBeCloseTo(csvOrdersPerDay(e.window!.first, e.window!.last), 9);
    expect(Math.abs(e.rowsPerDay.mean / SIZE.ordersPerDay - 1)).toBeLessThan(0.05);
    expect(e.rowsPerSecond).toBeCloseTo(e.rowsPerDay.mean / 86_400, 12);
    expect(e.peakMeasured).toBe(true);
    // The busiest hour of the day: a third of the peak share, plus its share of the rest (the
    // generator spreads 92% of the rest evenly, 8% around midnight).
    const peakPerHour = SIZE.ordersPerDay * WEEKDAYS * (PEAK.share / (PEAK.toHour - PEAK.fromHour) + (1 - PEAK.share) * 0.92 / 24);
    expect(Math.abs(e.peakRowsPerSecond / (peakPerHour / 3600) - 1)).toBeLessThan(0.05);
    // The target's limits.nodeRowsPerSecond (1): the single-node wall at 1 / peak.
    const node = e.walls.find((w) => w.name === 'node')!;
    expect(node.factor).toBeCloseTo(1 / e.peakRowsPerSecond, 9);
    expect(e.verdict).toMatch(/single-node \w+ fine to about [\d.]+K?x/);
  });

  it('raw.order_events: events per day from the source\'s event_time, orders x events per order as generated; a row\'s bytes as its CSV line', () => {
    const e = estimates.find((x) => x.name === 'raw.order_events')!;
    expect(e.kind).toBe('source');
    expect(e.window).toEqual({ first: '2026-05-18', last: END });
    const lines = csvRows('order_events', 3, e.window!.first, e.window!.last);
    expect(e.rowsPerDay.mean).toBeCloseTo(lines.length / WINDOW, 9);
    const expected = SIZE.ordersPerDay * WEEKDAYS * SIZE.eventsPerOrder * DUPLICATES;
    expect(Math.abs(e.rowsPerDay.mean / expected - 1)).toBeLessThan(0.05);
    // A row as text: its values, a comma between them, a newline after; as the CSV writes it.
    const csvBytesPerRow = lines.reduce((n, l) => n + l.length + 1, 0) / lines.length;
    expect(Math.abs(e.bytes!.perRow.raw / csvBytesPerRow - 1)).toBeLessThan(0.05);
    expect(e.bytes!.perDay.raw).toBeCloseTo(e.bytes!.perRow.raw * e.rowsPerDay.mean, 6);
    // Events follow their orders (paid within 90 minutes, shipped days later): the busiest hour
    // is measured, and lies between an even spread and the orders' own peak share.
    expect(e.peakMeasured).toBe(true);
    expect(e.peakRowsPerSecond).toBeGreaterThan(e.rowsPerSecond);
    // Its events per order, from the two sources' figures.
    const orders = estimates.find((x) => x.name === 'raw.orders')!;
    expect(Math.abs(e.rowsPerDay.mean / orders.rowsPerDay.mean / (SIZE.eventsPerOrder * DUPLICATES) - 1)).toBeLessThan(0.05);
  });

  it('fact_sales: rows per day from the ledger, items of orders not cancelled, as generated', async () => {
    const e = estimates.find((x) => x.name === 'fact_sales')!;
    expect(e.from).toBe('ledger');
    const [published] = await p.query(`select count(*) as n from ${p.sql('fact_sales')} where order_date >= '${e.window!.first}'`);
    expect(e.rowsPerDay.mean).toBeCloseTo(Number(published!['n']) / WINDOW, 9);
    // 60 orders x 4.2 items x 95% not cancelled x ~99% passing the quality rules.
    const expected = SIZE.ordersPerDay * SIZE.itemsPerOrder * 0.95 * 0.99;
    expect(Math.abs(e.rowsPerDay.mean / expected - 1)).toBeLessThan(0.05);
    expect(e.peakRowsPerSecond).toBeCloseTo(e.rowsPerSecond * 3, 12);
    expect(e.build!.units).toBeGreaterThan(0);
    expect(e.projected.rowsPerDay).toBeCloseTo(e.rowsPerDay.mean * 10, 9);
    // Nine columns of ids, a date, decimals: about 45 bytes as a CSV line; stored, whatever the engine takes.
    const [rows] = await p.query(`select count(*) as n from ${p.sql('fact_sales')}`);
    expect(e.bytes!.perRow.raw).toBeGreaterThan(30);
    expect(e.bytes!.perRow.raw).toBeLessThan(70);
    expect(e.bytes!.perRow.stored).toBeGreaterThan(0);
    expect(e.bytes!.perDay.stored).toBeCloseTo(e.bytes!.perRow.stored * e.rowsPerDay.mean, 6);
    expect(e.bytes!.perYear.raw).toBeCloseTo(e.bytes!.perDay.raw * 365, 6);
    expect(Number(rows!['n'])).toBeGreaterThan(0);
  });

  it('draws each chart as SVG (ECharts) and PNG (resvg) under target/estimate/', () => {
    const svg = readFileSync(join(p.dir, 'target/estimate/fact_sales.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]+width="900"/);
    expect(svg).toContain('fact_sales: rows per day and build seconds per partition');
    expect(svg).toContain('rows per day');
    const png = readFileSync(join(p.dir, 'target/estimate/stg_orders.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // 1,800 pixels wide (the SVG fitted to twice its width).
    expect(png.readUInt32BE(16)).toBe(1800);
  });

  it('--calibrate measures rows per second on a synthetic load, uses it, and leaves nothing behind', async () => {
    const run = await p.sf('estimate', '--select', 'stg_orders', '--calibrate', '--no-chart', '--output', 'json');
    expect(run.code, run.text).toBe(0);
    const { calibration, options } = JSON.parse(run.out.join('\n'));
    expect(calibration.rows).toBeGreaterThanOrEqual(1_000_000);
    expect(calibration.rowsPerSecond).toBeCloseTo(calibration.rows / calibration.seconds, 6);
    expect(options.nodeRowsPerSecond).toBe(Math.round(calibration.rowsPerSecond));
    expect((await p.catalog()).filter((e) => /sf_calibrate/.test(e.name))).toEqual([]);
  });

  it('--fail-if exits 1 naming the model and the value; unmet, exit 0', async () => {
    const met = await p.sf('estimate', '--select', 'fact_sales', '--no-chart', '--fail-if', 'rows_per_day > 1000 at 10x', 'storage_per_year > 1k');
    expect(met.code, met.text).toBe(1);
    expect(met.text).toMatch(/FAIL fact_sales: rows_per_day is \d+ at 10x \(rows_per_day > 1000 at 10x\)/);
    expect(met.text).toMatch(/FAIL fact_sales: storage_per_year is \d+ at 1x \(storage_per_year > 1k\)/);
    const unmet = await p.sf('estimate', '--select', 'fact_sales', '--no-chart', '--fail-if', 'rows_per_day > 1000000');
    expect(unmet.code, unmet.text).toBe(0);
    expect(unmet.text).toMatch(/fact_sales: [\d.]+K? rows\/day, [\d.]+\/s avg/);
  });
});
