// Conformance: `sf docs generate` on ShopFlow on every engine: every relation's columns from the
// warehouse, fact_sales.revenue's lineage down to the raw order items, its partitions and
// quarantined rows by rule equal to what the tables hold, and no secret in what it writes.
import { cpSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { DocsData } from '../docs/data.js';
import { ENGINES } from './engines.js';
import { ProjectPool, type ConformanceProject } from './harness.js';
import { shopflowConfigSource } from './shopflow-config.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe.each(ENGINES)('sf docs generate on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let data: DocsData;
  let run: { code: number | null; text: string };
  afterAll(() => pool.disposeAll());

  beforeAll(async () => {
    const shopflow = await loadConfig(ROOT);
    p = await pool.create({ schema: engine === 'postgres' ? 'analytics' : undefined, configSource: (target) => shopflowConfigSource(shopflow, engine, target) });
    for (const dir of ['models', 'macros', 'tests', 'seeds']) cpSync(join(ROOT, dir), join(p.dir, dir), { recursive: true });
    const built = await p.sf('build');
    if (built.code !== 0) throw new Error(built.text);
    run = await p.sf('docs generate');
    if (run.code !== 0) throw new Error(run.text);
    const text = readFileSync(join(p.dir, 'target/docs/sf-docs-data.js'), 'utf8');
    data = JSON.parse(text.replace(/^window\.SF_DOCS = /, '').replace(/;\s*$/, '')) as DocsData;
  }, 240_000);

  const node = (id: string) => data.nodes.find((n) => n.id === id)!;

  it('reads every relation\'s columns from the warehouse', () => {
    expect(run.code, run.text).toBe(0);
    expect(run.text).toMatch(/19 nodes, 19 with columns from the warehouse/);
    expect(node('model.shopflow.fact_sales').columns.map((c) => c.name)).toEqual(
      ['order_item_id', 'order_id', 'order_date', 'customer_id', 'product_id', 'quantity', 'unit_price', 'discount', 'revenue']);
  });

  it('traces fact_sales.revenue to the raw order items, and every model parses', () => {
    const revenue = node('model.shopflow.fact_sales').columns.find((c) => c.name === 'revenue')!;
    expect(revenue.lineage).toEqual({
      direct: ['model.shopflow.stg_order_items.discount', 'model.shopflow.stg_order_items.quantity', 'model.shopflow.stg_order_items.unit_price'],
      origins: ['source.shopflow.raw.order_items.discount', 'source.shopflow.raw.order_items.quantity', 'source.shopflow.raw.order_items.unit_price'],
    });
    expect(data.nodes.filter((n) => n.lineageError).map((n) => `${n.name}: ${n.lineageError}`)).toEqual([]);
  });

  it('shows the partitions and the quarantined rows by rule that the tables hold', async () => {
    const f = node('model.shopflow.fact_sales');
    const days = await p.query(`select count(distinct order_date) as n from ${p.sql('fact_sales')}`);
    expect(f.partitions!.rows.length).toBe(Number(days[0]!['n']));
    expect(f.partitions!.gaps).toEqual([]);
    const rules = await p.query(`select sf_test as rule, count(*) as n from ${p.sql('fact_sales__quarantine')} group by sf_test order by sf_test`);
    expect(f.quarantine).toEqual(rules.map((r) => ({ rule: String(r['rule']), rows: Number(r['n']) })));
    expect(f.tests.find((t) => t.name === 'not_null_fact_sales_customer_id')).toMatchObject({ severity: 'quarantine', status: 'warn' });
  });

  it('marks a partition missing from the ledger as a gap', async () => {
    await p.query(`delete from ${p.sql('partitions', 'sf')} where relation_name like '%fact_sales' and partition_key = '2026-05-10'`);
    const again = await p.sf('docs generate');
    expect(again.code, again.text).toBe(0);
    const text = readFileSync(join(p.dir, 'target/docs/sf-docs-data.js'), 'utf8');
    const after = (JSON.parse(text.replace(/^window\.SF_DOCS = /, '').replace(/;\s*$/, '')) as DocsData).nodes.find((n) => n.id === 'model.shopflow.fact_sales')!;
    expect(after.partitions!.gaps).toEqual(['2026-05-10']);
    expect(after.partitions!.rows.length).toBe(node('model.shopflow.fact_sales').partitions!.rows.length - 1);
  });
});
