// ShopFlow: the example project (see README). `npx sf build` builds it into target/shopflow.duckdb.
import { defineConfig } from 'sf-transform';

export default defineConfig({
  name: 'shopflow',
  defaultTarget: 'dev',
  targets: {
    dev: { type: 'duckdb', path: 'target/shopflow.duckdb' },
    sqlite: { type: 'sqlite', path: 'target/shopflow.sqlite' },
    // Host, port, user and database come from PGHOST, PGPORT, PGUSER, PGDATABASE (defaults:
    // localhost, 5432, the OS user); the password only from SF_PG_PASSWORD or PGPASSWORD.
    postgres: { type: 'postgres', schema: 'shopflow' },
  },
  models: {
    staging: { materialized: 'view', tags: ['staging'] },
    marts: { materialized: 'table', tags: ['marts'] },
  },
  // Sources (raw.*) and their freshness are declared in models/staging/_sources.yml.
  vars: {
    // "Now" for source freshness, pinned so the demo (data up to 2026-06-17) stays fresh;
    // without it, freshness is measured against the clock.
    sf_now: '2026-06-17 12:00:00',
  },
  seeds: {
    schema: 'raw',
    columnTypes: {
      customers: {
        customer_id: 'integer', email: 'text', first_name: 'text', last_name: 'text',
        country: 'char(2)', signup_date: 'date', updated_at: 'timestamp',
      },
      products: {
        product_id: 'integer', sku: 'text', name: 'text', category: 'text',
        unit_price: 'decimal(10,2)', active: 'boolean', updated_at: 'timestamp',
      },
      orders: { order_id: 'integer', customer_id: 'integer', order_ts: 'timestamp', status: 'text', updated_at: 'timestamp' },
      order_items: {
        order_item_id: 'integer', order_id: 'integer', product_id: 'integer', quantity: 'integer',
        unit_price: 'decimal(10,2)', discount: 'decimal(4,3)',
      },
      order_events: { event_id: 'text', order_id: 'integer', event_type: 'text', event_ts: 'timestamp' },
    },
  },
});
