import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  classifyItems,
  decimalToInt,
  divRoundHalfAway,
  expectedShopflow,
  itemRevenueCents,
  itemRevenueUnits,
  readSeed,
} from './shopflow-expected.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const seedDir = join(root, 'seeds');
const TABLES = ['customers', 'products', 'orders', 'order_items', 'order_events'] as const;
const HEADERS: Record<(typeof TABLES)[number], string> = {
  customers: 'customer_id,email,first_name,last_name,country,signup_date,updated_at',
  products: 'product_id,sku,name,category,unit_price,active,updated_at',
  orders: 'order_id,customer_id,order_ts,status,updated_at',
  order_items: 'order_item_id,order_id,product_id,quantity,unit_price,discount',
  order_events: 'event_id,order_id,event_type,event_ts',
};

const customers = readSeed(seedDir, 'customers');
const products = readSeed(seedDir, 'products');
const orders = readSeed(seedDir, 'orders');
const items = readSeed(seedDir, 'order_items');
const events = readSeed(seedDir, 'order_events');
const orderById = new Map(orders.map((o) => [o.order_id!, o]));
const productIds = new Set(products.map((p) => p.product_id!));
const expected = expectedShopflow(seedDir);

function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);
}

describe('exact money helpers', () => {
  it('parses decimals exactly and rounds half away from zero', () => {
    expect(decimalToInt('19.99', 2)).toBe(1999n);
    expect(decimalToInt('0.150', 3)).toBe(150n);
    expect(decimalToInt('-3.5', 2)).toBe(-350n);
    expect(divRoundHalfAway(1500n, 1000n)).toBe(2n);
    expect(divRoundHalfAway(1499n, 1000n)).toBe(1n);
    expect(divRoundHalfAway(-1500n, 1000n)).toBe(-2n);
    expect(itemRevenueCents('1', '12.50', '0.150')).toBe(1063n); // 10.625 -> 10.63
    expect(itemRevenueCents('1', '5.00', '0.333')).toBe(334n); // 3.335 -> 3.34
    expect(itemRevenueCents('-1', '12.50', '0.150')).toBe(-1063n);
  });
});

describe('ShopFlow seed CSVs', () => {
  it('have the exact SHOPFLOW.md headers and formats', () => {
    for (const t of TABLES) {
      const firstLine = readFileSync(join(seedDir, `${t}.csv`), 'utf8').split('\n', 1)[0];
      expect(firstLine).toBe(HEADERS[t]);
    }
    const ts = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
    for (const o of orders) {
      expect(o.order_ts).toMatch(ts);
      expect(o.updated_at).toMatch(ts);
      expect(['placed', 'paid', 'shipped', 'cancelled']).toContain(o.status);
    }
    for (const e of events) {
      expect(e.event_ts).toMatch(ts);
      expect(['placed', 'paid', 'shipped', 'cancelled']).toContain(e.event_type);
      expect(orderById.has(e.order_id!)).toBe(true);
    }
    for (const c of customers) expect(c.signup_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const p of products) {
      expect(p.unit_price).toMatch(/^\d+\.\d{2}$/);
      expect(['true', 'false']).toContain(p.active);
    }
    for (const i of items) {
      expect(i.unit_price).toMatch(/^\d+\.\d{2}$/);
      expect(i.discount).toMatch(/^0\.\d{3}$/);
      expect(orderById.has(i.order_id!)).toBe(true);
    }
  });

  it('have unique primary keys (customers, products, orders, order_items)', () => {
    const unique = (xs: string[]) => new Set(xs).size === xs.length;
    expect(unique(customers.map((c) => c.customer_id!))).toBe(true);
    expect(unique(products.map((p) => p.product_id!))).toBe(true);
    expect(unique(orders.map((o) => o.order_id!))).toBe(true);
    expect(unique(items.map((i) => i.order_item_id!))).toBe(true);
  });

  it('span at least 30 consecutive order days', () => {
    const days = [...new Set(orders.map((o) => o.order_ts!.slice(0, 10)))].sort();
    let best = 1;
    let run = 1;
    for (let i = 1; i < days.length; i++) {
      run = days[i] === addDays(days[i - 1]!, 1) ? run + 1 : 1;
      best = Math.max(best, run);
    }
    expect(best).toBeGreaterThanOrEqual(30);
    expect(orders.length).toBeGreaterThanOrEqual(300);
    expect(items.length).toBeGreaterThanOrEqual(1000);
  });

  it('contain order items with quantity 0 and negative on non-cancelled orders', () => {
    const live = items.filter((i) => orderById.get(i.order_id!)!.status !== 'cancelled');
    expect(live.filter((i) => Number(i.quantity) === 0).length).toBeGreaterThanOrEqual(1);
    expect(live.filter((i) => Number(i.quantity) < 0).length).toBeGreaterThanOrEqual(1);
  });

  it('contain order items whose product does not exist', () => {
    const orphans = items.filter(
      (i) => !productIds.has(i.product_id!) && orderById.get(i.order_id!)!.status !== 'cancelled',
    );
    expect(orphans.length).toBeGreaterThanOrEqual(2);
  });

  it('contain a non-cancelled order with items and a NULL customer_id', () => {
    const nullOrders = orders.filter((o) => o.customer_id === '' && o.status !== 'cancelled');
    const withItems = nullOrders.filter((o) => items.some((i) => i.order_id === o.order_id));
    expect(withItems.length).toBeGreaterThanOrEqual(1);
  });

  it('contain duplicated event_ids whose copy is later', () => {
    const byId = new Map<string, typeof events>();
    for (const e of events) byId.set(e.event_id!, [...(byId.get(e.event_id!) ?? []), e]);
    const dups = [...byId.values()].filter((es) => es.length > 1);
    expect(dups.length).toBeGreaterThanOrEqual(2);
    for (const es of dups) {
      expect(es.length).toBe(2);
      expect(es[1]!.event_ts! > es[0]!.event_ts!).toBe(true);
      expect(es[1]!.order_id).toBe(es[0]!.order_id);
      expect(es[1]!.event_type).toBe(es[0]!.event_type);
    }
  });

  it('contain cancelled orders with items, about 5% of orders', () => {
    const cancelled = orders.filter((o) => o.status === 'cancelled');
    expect(cancelled.length / orders.length).toBeGreaterThan(0.02);
    expect(cancelled.length / orders.length).toBeLessThan(0.1);
    const cancelledIds = new Set(cancelled.map((o) => o.order_id));
    expect(items.filter((i) => cancelledIds.has(i.order_id)).length).toBeGreaterThan(0);
  });

  it('contain orders near midnight UTC', () => {
    const late = orders.filter((o) => o.order_ts!.slice(11) >= '23:55:00');
    const early = orders.filter((o) => o.order_ts!.slice(11) < '00:05:00');
    expect(late.length).toBeGreaterThanOrEqual(3);
    expect(early.length).toBeGreaterThanOrEqual(3);
  });

  it('contain messy emails and names that need CSV quoting or unicode', () => {
    expect(customers.some((c) => c.email !== c.email!.trim())).toBe(true);
    expect(customers.some((c) => c.email !== c.email!.toLowerCase())).toBe(true);
    expect(customers.some((c) => /,/.test(c.first_name! + c.last_name!))).toBe(true);
    expect(customers.some((c) => /"/.test(c.first_name! + c.last_name!))).toBe(true);
    expect(customers.some((c) => /[^\x00-\x7f]/.test(c.first_name! + c.last_name!))).toBe(true);
    const normalized = customers.map((c) => c.email!.trim().toLowerCase());
    expect(new Set(normalized).size).toBe(normalized.length);
  });

  it('exercise money rounding: many fact rows sit exactly on a half cent', () => {
    const halfCent = classifyItems(seedDir).filter(
      (v) =>
        v.broken.length === 0 &&
        itemRevenueUnits(v.item.quantity!, v.item.unit_price!, v.item.discount!) % 1000n === 500n,
    );
    expect(halfCent.length).toBeGreaterThanOrEqual(20);
  });
});

describe('expectedShopflow', () => {
  it('is internally consistent', () => {
    let rows = 0;
    let cents = 0n;
    for (const day of expected.byDate.values()) {
      rows += day.items;
      cents += day.revenueCents;
      expect(day.orders).toBeGreaterThan(0);
      expect(day.orders).toBeLessThanOrEqual(day.items);
    }
    expect(rows).toBe(expected.factSalesRows);
    expect(cents).toBe(expected.revenueCents);
    expect(expected.byDate.size).toBeGreaterThanOrEqual(30);
    expect(expected.revenueCents).toBeGreaterThan(0n);
  });

  it('splits every item of a non-cancelled order between fact_sales and quarantine', () => {
    const live = items.filter((i) => orderById.get(i.order_id!)!.status !== 'cancelled');
    expect(expected.factSalesRows + expected.quarantinedRows).toBe(live.length);
    const badQty = live.filter((i) => Number(i.quantity) <= 0).length;
    const badProduct = live.filter((i) => !productIds.has(i.product_id!)).length;
    const nullCustomer = live.filter((i) => orderById.get(i.order_id!)!.customer_id === '').length;
    // The generator never makes one item break two rules, so the counts add up.
    expect(expected.quarantinedRows).toBe(badQty + badProduct + nullCustomer);
    expect(classifyItems(seedDir).every((v) => v.broken.length <= 1)).toBe(true);
  });

  it('keys byDate by the UTC date of order_ts, in order', () => {
    const dates = [...expected.byDate.keys()];
    expect(dates).toEqual([...dates].sort());
    const orderDates = new Set(orders.map((o) => o.order_ts!.slice(0, 10)));
    for (const d of dates) expect(orderDates.has(d)).toBe(true);
  });
});

describe('bench/generate-seeds.ts', () => {
  it('streams the committed seeds byte for byte, deterministically; another seed changes them', async () => {
    // A computed specifier keeps tsc (rootDir: src) from pulling bench/ into the build.
    const genPath = join(root, 'bench', 'generate-seeds.ts');
    const gen = (await import(/* @vite-ignore */ pathToFileURL(genPath).href)) as {
      writeShopflowCsv: (out: string, o?: object) => Record<string, number>;
    };
    const dir = mkdtempSync(join(tmpdir(), 'sf-gen-'));
    try {
      const digest = (out: string) => Object.fromEntries(TABLES.map((t) => [t, createHash('sha256').update(readFileSync(join(dir, out, `${t}.csv`))).digest('hex')]));
      const counts = gen.writeShopflowCsv(join(dir, 'a'));
      gen.writeShopflowCsv(join(dir, 'b'));
      gen.writeShopflowCsv(join(dir, 'c'), { seed: 7 });
      expect(digest('a')).toEqual(digest('b'));
      for (const t of TABLES) {
        expect(readFileSync(join(dir, 'a', `${t}.csv`), 'utf8')).toBe(readFileSync(join(seedDir, `${t}.csv`), 'utf8'));
        expect(counts[t]).toBe(readSeed(seedDir, t).length);
      }
      expect(digest('c').order_items).not.toBe(digest('a').order_items);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a settled order the events per order asked for; too few to be possible is refused', async () => {
    const gen = (await import(/* @vite-ignore */ pathToFileURL(join(root, 'bench', 'generate-seeds.ts')).href)) as {
      generateShopflow: (o?: object) => { orders: { order_id: number; order_ts: string }[]; order_events: { event_id: string; order_id: number }[] };
    };
    for (const eventsPerOrder of [3.2, 6]) {
      const data = gen.generateShopflow({ days: 60, ordersPerDay: 200, eventsPerOrder });
      // Orders of the last three days are still on their way: the settled ones are before.
      const settled = new Set(data.orders.filter((o) => o.order_ts < '2026-06-27').map((o) => o.order_id));
      const distinct = new Set(data.order_events.filter((e) => settled.has(e.order_id)).map((e) => e.event_id));
      expect(Math.abs(distinct.size / settled.size / eventsPerOrder - 1)).toBeLessThan(0.02);
    }
    expect(() => gen.generateShopflow({ eventsPerOrder: 2 })).toThrow(/eventsPerOrder 2 is too low.*the least is 2\.89/);
  });
});
