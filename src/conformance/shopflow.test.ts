// Conformance: the real ShopFlow project (models, macros, seeds, tests and config copied from
// the repository root, targets rewritten for the engine under test) builds on every engine to
// the figures computed independently from the seed CSVs (src/e2e/shopflow-expected.ts), to
// the cent, the engines agree row for row, and a second build changes nothing.
import { cpSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { EngineName, ResolvedConfig } from '../config/types.js';
import { expectedShopflow } from '../e2e/shopflow-expected.js';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { shopflowConfigSource } from './shopflow-config.js';
import { toBigInt, toInt } from './values.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const expected = expectedShopflow(join(ROOT, 'seeds'));

interface Figures {
  factRows: number;
  /** sum of each row's revenue in cents */
  factCents: bigint;
  /** the engine's own sum(revenue), in cents */
  engineSumCents: bigint;
  /** order_date -> [orders, items, revenue cents] */
  daily: [string, number, number, bigint][];
  /** every fact_sales row: order_item_id, order_date, quantity, revenue cents */
  facts: [number, string, number, bigint][];
}

const figures = new Map<EngineName, Figures>();

describe.each(ENGINES)('ShopFlow on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let first: CliRun;
  let shopflow: ResolvedConfig;
  /** Process warnings during the build (the pg driver's deprecations among them): none. */
  const warnings: string[] = [];

  const readFigures = async (): Promise<Figures> => {
    const fact = p.sql('fact_sales');
    const [totals] = await p.query(`
      select count(*) as n,
             sum(cast(round(revenue * 100) as bigint)) as cents,
             cast(round(sum(revenue) * 100) as bigint) as engine_cents
      from ${fact}`);
    const daily = await p.query(`
      select cast(order_date as varchar(10)) as order_date, orders, items,
             cast(round(revenue * 100) as bigint) as cents
      from ${p.sql('fct_daily_revenue')} order by order_date`);
    const facts = await p.query(`
      select order_item_id, cast(order_date as varchar(10)) as order_date, quantity,
             cast(round(revenue * 100) as bigint) as cents
      from ${fact} order by order_item_id`);
    return {
      factRows: toInt(totals!['n']),
      factCents: toBigInt(totals!['cents']),
      engineSumCents: toBigInt(totals!['engine_cents']),
      daily: daily.map((r) => [String(r['order_date']), toInt(r['orders']), toInt(r['items']), toBigInt(r['cents'])]),
      facts: facts.map((r) => [toInt(r['order_item_id']), String(r['order_date']), toInt(r['quantity']), toBigInt(r['cents'])]),
    };
  };

  beforeAll(async () => {
    shopflow = await loadConfig(ROOT);
    p = await pool.create({
      schema: engine === 'postgres' ? 'analytics' : undefined,
      configSource: (target) => shopflowConfigSource(shopflow, engine, target),
    });
    for (const dir of ['models', 'macros', 'seeds', 'tests']) {
      if (existsSync(join(ROOT, dir))) cpSync(join(ROOT, dir), join(p.dir, dir), { recursive: true });
    }
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    first = await p.sf('build');
    process.off('warning', onWarning);
    if (first.code === 0) figures.set(engine, await readFigures());
  });
  afterAll(() => pool.disposeAll());

  it('builds the real project (exit 0)', () => {
    expect(first.code, first.text).toBe(0);
    expect(first.out.join('\n')).toMatch(/ERROR=0 SKIP=0/);
    expect(warnings).toEqual([]);
  });

  it('loads the raw seeds where the sources read them', async () => {
    const seedsSchema = shopflow.seeds.schema ?? p.dialect.defaultSchema;
    for (const table of ['customers', 'products', 'orders', 'order_items', 'order_events']) {
      expect(await p.kindOf(p.rel(table, seedsSchema)), `${seedsSchema}.${table}`).toBe('table');
    }
  });

  it(`has fact_sales = ${expected.factSalesRows} rows and sum(revenue) = ${expected.revenueCents} cents`, () => {
    const f = figures.get(engine);
    expect(f, 'no figures: the build failed').toBeDefined();
    expect(f!.factRows).toBe(expected.factSalesRows);
    expect(f!.factCents).toBe(expected.revenueCents);
    expect(f!.engineSumCents, "the engine's own sum(revenue)").toBe(expected.revenueCents);
  });

  it('has fct_daily_revenue orders, items and revenue per day as computed from the CSVs', () => {
    const f = figures.get(engine);
    expect(f, 'no figures: the build failed').toBeDefined();
    const want = [...expected.byDate].map(([date, d]) => [date, d.orders, d.items, d.revenueCents]);
    expect(f!.daily).toEqual(want);
  });

  it('builds again to the same fact_sales and fct_daily_revenue', async () => {
    expect(figures.get(engine), 'no figures: the build failed').toBeDefined();
    const again = await p.sf('build');
    expect(again.code, again.text).toBe(0);
    expect(await readFigures()).toEqual(figures.get(engine));
  });

  it('verifies: every table rebuilt from its inputs equals what is published (quarantined rows left out)', async () => {
    const verify = await p.sf('verify');
    expect(verify.code, verify.text).toBe(0);
    expect(verify.text).toMatch(/EQUAL fact_sales .*\(38 quarantined rows left out of the rebuild\)/);
    expect(verify.text).toMatch(/Verified 9 models: 5 equal, 0 drifted, 0 failed to rebuild, 4 skipped\./);
  });
});

describe('ShopFlow across engines', () => {
  it('agrees row for row: every fact_sales row and every day to the cent', () => {
    const [reference, ...others] = ENGINES;
    const ref = figures.get(reference);
    expect(ref, `no figures from ${reference}`).toBeDefined();
    for (const engine of others) {
      const f = figures.get(engine);
      expect(f, `no figures from ${engine}`).toBeDefined();
      expect(f!.daily, `${engine} vs ${reference}: fct_daily_revenue`).toEqual(ref!.daily);
      expect(f!.facts, `${engine} vs ${reference}: fact_sales`).toEqual(ref!.facts);
    }
  });
});
