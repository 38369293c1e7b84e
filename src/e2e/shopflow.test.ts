// End to end on the embedded DuckDB: `sf build` of the real ShopFlow project equals the
// figures computed independently from the seed CSVs, a second build changes nothing, and
// the artifacts describe the run.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../testing/project.js';
import { classifyItems, expectedShopflow } from './shopflow-expected.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const expected = expectedShopflow(join(repo, 'seeds'));
let p: TempProject;
let firstBuild: { code: number; out: string };

const TABLES = ['raw.customers', 'raw.products', 'raw.orders', 'raw.order_items', 'raw.order_events',
  'main.stg_customers', 'main.stg_products', 'main.stg_orders', 'main.stg_order_items', 'main.stg_order_events',
  'main.dim_customers', 'main.dim_products', 'main.fact_sales', 'main.fct_daily_revenue'];

async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) out[t] = await p.query(`select * from ${t} order by all`, 'target/shopflow.duckdb');
  return out;
}

beforeAll(async () => {
  p = tempProject({}, readFileSync(join(repo, 'shopflow.config.ts'), 'utf8'));
  for (const dir of ['models', 'macros', 'seeds', 'tests']) cpSync(join(repo, dir), join(p.dir, dir), { recursive: true });
  firstBuild = await p.sf('build');
});
afterAll(() => p.cleanup());

describe('ShopFlow on DuckDB', () => {
  it('builds every node', () => {
    expect(firstBuild.code).toBe(0);
    expect(firstBuild.out).toContain('Done. PASS=17 WARN=1 ERROR=0 SKIP=0 TOTAL=18');
    expect(firstBuild.out).toMatch(new RegExp(`quarantined ${expected.quarantinedRows} of ${expected.factSalesRows + expected.quarantinedRows} rows into main\\.fact_sales__quarantine`));
    expect(firstBuild.out).toMatch(/\d+ of 18 OK incremental main\.fact_sales \(first build\) \.+ \[OK 2388 rows in \d+\.\d\ds\]/);
  });

  it('fact_sales equals the independent figures, to the cent', async () => {
    const [row] = await p.query<{ n: string; cents: string }>(
      'select count(*) as n, cast(sum(revenue) * 100 as bigint) as cents from main.fact_sales', 'target/shopflow.duckdb');
    expect(Number(row!.n)).toBe(expected.factSalesRows);
    expect(BigInt(row!.cents)).toBe(expected.revenueCents);
  });

  it('fct_daily_revenue equals the independent figures per day', async () => {
    const rows = await p.query<{ d: string; orders: string; items: string; cents: string }>(
      `select cast(order_date as varchar) as d, orders, items, cast(revenue * 100 as bigint) as cents
       from main.fct_daily_revenue order by order_date`, 'target/shopflow.duckdb');
    expect(rows.map((r) => [r.d, Number(r.orders), Number(r.items), BigInt(r.cents)])).toEqual(
      [...expected.byDate].sort(([a], [b]) => a.localeCompare(b)).map(([d, v]) => [d, v.orders, v.items, v.revenueCents]));
  });

  it('fact_sales__quarantine holds exactly the items that break a rule, with the rules they break', async () => {
    const rule: Record<string, string> = {
      quantity_positive: 'dbt_utils_expression_is_true_fact_sales_quantity___0',
      product_exists: 'relationships_fact_sales_product_id__product_id__ref_dim_products_',
      customer_not_null: 'not_null_fact_sales_customer_id',
      order_item_id_unique: 'unique_fact_sales_order_item_id',
    };
    const want = classifyItems(join(repo, 'seeds')).filter((v) => v.broken.length)
      .map((v) => `${v.item.order_item_id} ${v.broken.map((b) => rule[b]).sort().join(',')}`).sort();
    const rows = await p.query<{ order_item_id: number; sf_test: string }>('select order_item_id, sf_test from main.fact_sales__quarantine', 'target/shopflow.duckdb');
    const got = rows.map((r) => `${r.order_item_id} ${r.sf_test.split(', ').sort().join(',')}`).sort();
    expect(got).toHaveLength(expected.quarantinedRows);
    expect(got).toEqual(want);
  });

  it('building again gives identical tables', async () => {
    const before = await snapshot();
    expect((await p.sf('build')).code).toBe(0);
    expect(await snapshot()).toEqual(before);
    expect(before['main.fact_sales']).toHaveLength(expected.factSalesRows);
  });

  it('writes manifest.json and run_results.json describing the run', () => {
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.nodes)).toHaveLength(14);
    expect(manifest.nodes['model.shopflow.fact_sales']).toMatchObject({
      relation: 'main.fact_sales',
      config: { materialized: 'incremental', incremental_strategy: 'insert_overwrite', partition_by: 'order_date' },
      depends_on: ['model.shopflow.stg_order_items', 'model.shopflow.stg_orders'],
      compiled_path: 'target/compiled/shopflow/models/marts/fact_sales.sql',
    });
    const results = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8'));
    // 14 nodes, 2 source checks (freshness, tests) and 2 singular tests.
    expect(results.results).toHaveLength(18);
    expect(results.results.every((r: { status: string }) => r.status === 'success')).toBe(true);
    // The last run was the second build: an incremental run re-reading the last day (lookback 1).
    const lastDay = [...expected.byDate.keys()].sort().at(-1)!;
    expect(results.results.find((r: { unique_id: string }) => r.unique_id === 'model.shopflow.fact_sales')).toMatchObject({
      how: `insert_overwrite from ${lastDay}`,
      rows_affected: expected.byDate.get(lastDay)!.items,
    });
  });

  it('a re-run of one day, and a backfill of a range, give the same tables and ledger', async () => {
    const before = await snapshot();
    const ledger = () => p.query(`select partition_key, row_count, checksum from sf.partitions
      where relation_name = 'main.fact_sales' order by partition_key`, 'target/shopflow.duckdb');
    const ledgerBefore = await ledger();
    expect(ledgerBefore).toHaveLength(expected.byDate.size);
    const day = await p.sf('run', '--select', 'fact_sales', '--start', '2026-05-20');
    expect(day.out).toMatch(/fact_sales batch 1\/1 2026-05-20 OK \d+ rows/);
    const range = await p.sf('run', '--select', 'fact_sales', '--start', '2026-05-10', '--end', '2026-05-24');
    expect(range.out).toContain('fact_sales batch 15/15');
    expect(await snapshot()).toEqual(before);
    const ledgerAfter = await ledger();
    expect(ledgerAfter.map((r) => [r['partition_key'], r['row_count'], r['checksum']]))
      .toEqual(ledgerBefore.map((r) => [r['partition_key'], r['row_count'], r['checksum']]));
  });

  it('sf ls --partitions shows the ledger, as text and JSON', async () => {
    const text = await p.sf('ls', '--partitions', 'fact_sales');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^model\s+partition\s+rows\s+status\s+attempts\s+finished_at\s+checksum$/m);
    expect(text.out).toContain(`${expected.byDate.size} partitions, ${expected.factSalesRows} rows`);
    const json = JSON.parse((await p.sf('ls', '--partitions', 'fact_sales', '--output', 'json')).out) as { partition: string; rows: number }[];
    expect(json.map((e) => [e.partition, e.rows])).toEqual(
      [...expected.byDate].sort(([a], [b]) => a.localeCompare(b)).map(([d, v]) => [d, v.items]));
  });

  it('its sources are fresh at the pinned now; a day later the build stops before anything reads them', async () => {
    const fresh = await p.sf('source', 'freshness');
    expect(fresh.code, fresh.out).toBe(0);
    expect(fresh.out).toContain('Done. PASS=2 WARN=0 ERROR=0 TOTAL=2');
    const before = await snapshot();
    const stale = await p.sf('build', '--vars', '{"sf_now": "2026-06-18 12:00:00"}');
    expect(stale.code).toBe(1);
    expect(stale.out).toMatch(/source raw\.orders \(models\/staging\/_sources\.yml:\d+\): newest row 2026-06-17 10:44:20 UTC is 1d 1h old at 2026-06-18 12:00:00 UTC \(error after 1 day, warn after 12 hours\)/);
    expect(stale.out).toContain('Done. PASS=10 ERROR=2 SKIP=6 TOTAL=18');
    expect(await snapshot()).toEqual(before);
  });

  it('selection narrows what is rebuilt', async () => {
    const { code, out } = await p.sf('build', '--select', 'fct_daily_revenue+', '--exclude', 'tag:staging');
    expect(code).toBe(0);
    // With the singular test reading it, as dbt's build selects tests.
    expect(out).toContain('Done. PASS=2 ERROR=0 SKIP=0 TOTAL=2');
    const run = await p.sf('run', '--select', '+fact_sales');
    // `run` builds models only: stg_order_items, stg_orders, fact_sales (its relationships test
    // reads dim_products, built earlier).
    expect(run.out).toContain('Done. PASS=2 WARN=1 ERROR=0 SKIP=0 TOTAL=3');
  });
});
