// Conformance: building twice equals building once. Every relation (seeds, tables, views)
// holds exactly the same rows, all columns, after the second build as after the first, and
// no relation is added or lost.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES, type CatalogEntry } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';

const FILES: Record<string, string> = {
  'seeds/customers.csv': 'customer_id,name,country,signup_date\n1,Ana,PT,2024-01-03\n2,"Øster, Bo",DK,2024-01-04\n3,,JP,\n4,"",FR,2024-02-29\n',
  'seeds/orders.csv': [
    'order_id,customer_id,amount,paid,ordered_at',
    '10,1,19.99,true,2024-03-01 10:00:00',
    '11,1,0.10,false,2024-03-01 23:59:59',
    '12,2,1234.50,true,2024-03-02 00:00:00',
    '13,3,,true,2024-03-02 12:30:00',
    '14,,5.05,false,2024-03-03 08:15:00',
  ].join('\n') + '\n',
  'models/stg_orders.sql': "{{ config(materialized='view') }}\nselect order_id, customer_id, amount, paid, ordered_at from {{ ref('orders') }}",
  'models/paid_orders.sql': "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('stg_orders') }} where paid",
  'models/customer_totals.sql': [
    "{{ config(materialized='table') }}",
    'select c.customer_id, c.name, count(o.order_id) as orders, sum(o.amount) as total',
    "from {{ ref('customers') }} as c",
    "left join {{ ref('paid_orders') }} as o on o.customer_id = c.customer_id",
    'group by c.customer_id, c.name',
  ].join('\n'),
  'models/ranked.sql': [
    "{{ config(materialized='table') }}",
    'select order_id, row_number() over (partition by customer_id order by ordered_at, order_id) as rank_in_customer',
    "from {{ ref('stg_orders') }}",
  ].join('\n'),
  'models/report.sql': "{{ config(materialized='view') }}\nselect count(*) as customers, sum(orders) as orders from {{ ref('customer_totals') }}",
};

type Snapshot = Map<string, { columns: string[]; rows: unknown[][] }>;

describe.each(ENGINES)('building twice on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  const runs: CliRun[] = [];
  const snapshots: Snapshot[] = [];
  const catalogs: CatalogEntry[][] = [];

  const takeSnapshot = async (): Promise<Snapshot> => {
    const snapshot: Snapshot = new Map();
    const catalog = await p.catalog();
    catalogs.push(catalog);
    for (const entry of catalog) {
      const rel = { schema: entry.schema ?? p.dialect.defaultSchema, name: entry.name };
      snapshot.set(`${entry.kind} ${entry.name}`, await p.snapshot(rel));
    }
    return snapshot;
  };

  beforeAll(async () => {
    p = await pool.create({ files: FILES });
    for (let i = 0; i < 2; i++) {
      const run = await p.sf('build');
      runs.push(run);
      if (run.code !== 0) return;
      snapshots.push(await takeSnapshot());
    }
  });
  afterAll(() => pool.disposeAll());

  it('builds twice (exit 0 both times)', () => {
    expect(runs[0]?.code, runs[0]?.text).toBe(0);
    expect(runs[1]?.code, runs[1]?.text).toBe(0);
  });

  it('has the same relations after both builds', () => {
    expect(catalogs).toHaveLength(2);
    expect(catalogs[1]).toEqual(catalogs[0]);
    const names = catalogs[0]!.map((e) => `${e.kind} ${e.name}`).sort();
    expect(names).toEqual([
      'table customer_totals', 'table customers', 'table orders', 'table ranked', 'view report', 'view stg_orders',
    ]);
  });

  it('has every row and column of every relation (seeds included) unchanged', () => {
    expect(snapshots).toHaveLength(2);
    const [once, twice] = snapshots as [Snapshot, Snapshot];
    expect(once.get('table orders')?.rows).toHaveLength(5);
    expect(once.get('table customers')?.rows).toHaveLength(4);
    expect(once.get('table customer_totals')?.rows).toHaveLength(4);
    for (const [name, snap] of once) expect(twice.get(name), name).toEqual(snap);
  });
});
