// Independent computation of the ShopFlow figures (SHOPFLOW.md) straight from the seed
// CSVs: no SQL, exact integer arithmetic. The end-to-end tests compare the warehouse's
// fact_sales / fct_daily_revenue / quarantine with these numbers, to the cent.
//
// Money: unit_price -> integer cents, discount -> integer thousandths; an item's exact
// revenue is quantity * cents * (1000 - milli) in units of 1e-5 dollars, rounded half away
// from zero to whole cents.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

export interface ShopflowDay {
  orders: number;
  items: number;
  revenueCents: bigint;
}

export interface ShopflowExpected {
  /** Rows of fact_sales: order items of non-cancelled orders passing every quality rule. */
  factSalesRows: number;
  /** sum(fact_sales.revenue) in cents. */
  revenueCents: bigint;
  /** Order items of non-cancelled orders breaking at least one rule (each counted once). */
  quarantinedRows: number;
  /** fct_daily_revenue, keyed by order_date (YYYY-MM-DD, the UTC date of order_ts). */
  byDate: Map<string, ShopflowDay>;
}

export type Row = Record<string, string>;

/** Reads <seedDir>/<table>.csv; every value is a string, NULL is ''. */
export function readSeed(seedDir: string, table: string): Row[] {
  const text = readFileSync(join(seedDir, `${table}.csv`), 'utf8');
  return parse(text, { columns: true, skip_empty_lines: true }) as Row[];
}

/** Parses a plain decimal string with at most `scale` decimals into an integer count of 10^-scale. */
export function decimalToInt(s: string, scale: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(s.trim());
  if (!m) throw new Error(`not a decimal: ${JSON.stringify(s)}`);
  const frac = m[3] ?? '';
  if (frac.length > scale) throw new Error(`${s} has more than ${scale} decimals`);
  const v = BigInt(m[2]! + frac.padEnd(scale, '0'));
  return m[1] === '-' ? -v : v;
}

/** Divides by a positive divisor, rounding half away from zero. */
export function divRoundHalfAway(n: bigint, d: bigint): bigint {
  return n >= 0n ? (n + d / 2n) / d : -((-n + d / 2n) / d);
}

/** round(quantity * unit_price * (1 - discount), 2) in cents, exactly. */
export function itemRevenueCents(quantity: string, unitPrice: string, discount: string): bigint {
  const units = BigInt(quantity) * decimalToInt(unitPrice, 2) * (1000n - decimalToInt(discount, 3));
  return divRoundHalfAway(units, 1000n);
}

/** Exact revenue in 1e-5 dollars (to tell whether an item sits on a half-cent boundary). */
export function itemRevenueUnits(quantity: string, unitPrice: string, discount: string): bigint {
  return BigInt(quantity) * decimalToInt(unitPrice, 2) * (1000n - decimalToInt(discount, 3));
}

export interface ItemVerdict {
  item: Row;
  order: Row;
  orderDate: string;
  /** Rules broken, in SHOPFLOW order; empty means the row belongs in fact_sales. */
  broken: ('quantity_positive' | 'product_exists' | 'customer_not_null' | 'order_item_id_unique')[];
}

/**
 * Every order item of a non-cancelled order (joined to its order), with the rules it breaks.
 * Items whose order_id has no order are not part of fact_sales' input at all (inner join).
 */
export function classifyItems(seedDir: string): ItemVerdict[] {
  const products = new Set(readSeed(seedDir, 'products').map((p) => p.product_id));
  const orders = new Map(readSeed(seedDir, 'orders').map((o) => [o.order_id, o] as const));
  const items = readSeed(seedDir, 'order_items');

  const candidates: { item: Row; order: Row }[] = [];
  for (const item of items) {
    const order = orders.get(item.order_id!);
    if (!order || order.status === 'cancelled') continue;
    candidates.push({ item, order });
  }
  const idCount = new Map<string, number>();
  for (const c of candidates) idCount.set(c.item.order_item_id!, (idCount.get(c.item.order_item_id!) ?? 0) + 1);

  return candidates.map(({ item, order }) => {
    const broken: ItemVerdict['broken'] = [];
    if (!(Number(item.quantity) > 0)) broken.push('quantity_positive');
    if (item.product_id === '' || !products.has(item.product_id!)) broken.push('product_exists');
    if (order.customer_id === '') broken.push('customer_not_null');
    if (idCount.get(item.order_item_id!)! > 1) broken.push('order_item_id_unique');
    return { item, order, orderDate: order.order_ts!.slice(0, 10), broken };
  });
}

export function expectedShopflow(seedDir: string): ShopflowExpected {
  let factSalesRows = 0;
  let revenueCents = 0n;
  let quarantinedRows = 0;
  const byDate = new Map<string, ShopflowDay>();
  const ordersByDate = new Map<string, Set<string>>();

  for (const v of classifyItems(seedDir)) {
    if (v.broken.length > 0) {
      quarantinedRows++;
      continue;
    }
    const cents = itemRevenueCents(v.item.quantity!, v.item.unit_price!, v.item.discount!);
    factSalesRows++;
    revenueCents += cents;
    let day = byDate.get(v.orderDate);
    if (!day) {
      day = { orders: 0, items: 0, revenueCents: 0n };
      byDate.set(v.orderDate, day);
      ordersByDate.set(v.orderDate, new Set());
    }
    day.items++;
    day.revenueCents += cents;
    ordersByDate.get(v.orderDate)!.add(v.order.order_id!);
  }
  for (const [date, ids] of ordersByDate) byDate.get(date)!.orders = ids.size;

  const sorted = new Map([...byDate.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { factSalesRows, revenueCents, quarantinedRows, byDate: sorted };
}

/** Formats cents as a plain decimal string with 2 decimals ("12345.67"). */
export function formatCents(c: bigint): string {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}
