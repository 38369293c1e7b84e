// Deterministic ShopFlow data generator (see /work/shared/SHOPFLOW.md).
//
// Same options -> byte-identical output. No Math.random, no Date.now: every value comes
// from a mulberry32 stream. Customers and products use their own streams, and every order
// day uses a stream derived from (seed, day index). So with the same customer/product
// counts, changing `days` leaves every day but the last three identical (orders of the
// last three days are less advanced: their status and events depend on the window's end).
//
// CLI (Node 22.6+):  node --experimental-strip-types bench/generate-seeds.ts --out seeds
//     (Node 20):     node --import jiti/register bench/generate-seeds.ts --out seeds
//        [--seed 42] [--days 45] [--orders-per-day 13] [--start-date 2026-05-01]
//
// Library: generateShopflow(opts) returns every table's rows in memory (demo sizes);
// generateShopflowDays(opts) yields one day of orders/items/events at a time and
// generateShopflowDimensions(opts) returns customers/products, for writing at scale
// (e.g. 100,000 orders/day) without holding a year in memory.
//
// Only erasable TypeScript syntax is used, so Node's --experimental-strip-types runs it.

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------
// Types

export type Cell = string | number | boolean | null;

export interface CustomerRow {
  customer_id: number;
  email: string;
  first_name: string;
  last_name: string;
  country: string;
  signup_date: string; // YYYY-MM-DD
  updated_at: string; // YYYY-MM-DD HH:MM:SS (UTC)
}

export interface ProductRow {
  product_id: number;
  sku: string;
  name: string;
  category: string;
  unit_price: string; // decimal(10,2), exactly 2 decimals
  active: boolean;
  updated_at: string;
}

export interface OrderRow {
  order_id: number;
  customer_id: number | null;
  order_ts: string;
  status: 'placed' | 'paid' | 'shipped' | 'cancelled';
  updated_at: string;
}

export interface OrderItemRow {
  order_item_id: number;
  order_id: number;
  product_id: number;
  quantity: number;
  unit_price: string; // decimal(10,2)
  discount: string; // decimal(4,3), exactly 3 decimals
}

export interface OrderEventRow {
  event_id: string;
  order_id: number;
  event_type: 'placed' | 'paid' | 'shipped' | 'cancelled';
  event_ts: string;
}

export interface ShopflowTables {
  customers: CustomerRow[];
  products: ProductRow[];
  orders: OrderRow[];
  order_items: OrderItemRow[];
  order_events: OrderEventRow[];
}

export interface ShopflowDay {
  dayIndex: number;
  date: string; // YYYY-MM-DD
  orders: OrderRow[];
  order_items: OrderItemRow[];
  order_events: OrderEventRow[];
}

export interface ShopflowOptions {
  /** PRNG seed (default 42). */
  seed?: number;
  /** Number of consecutive order days (default 45). */
  days?: number;
  /** Mean orders per day (default 13; per-day counts vary by weekday and noise, +-20%). */
  ordersPerDay?: number;
  /** First order day, YYYY-MM-DD (default 2026-05-01). */
  startDate?: string;
  /** Mean order items per order (default 4.2; SHOPFLOW's at-scale figure is ~2.5). */
  itemsPerOrder?: number;
  /**
   * Mean distinct events per order of an order whose lifecycle is over (default unset: about 3.95;
   * duplicates come on top, at duplicateEventRate). Set, it fixes the mean number of shipment
   * events of a shipped order so that the mean is this (at least 2.9: placed, paid, one shipment).
   */
  eventsPerOrder?: number;
  /** Number of customers (default clamp(total orders / 4, 20, 1,000,000)). */
  customers?: number;
  /** Number of products (default max(20, round(2.5 * sqrt(total orders)))). */
  products?: number;
  /**
   * Deliberate bad rows (SHOPFLOW quality gates). Rates are probabilities per row.
   * Violations never overlap: a bad item breaks exactly one rule.
   */
  badQuantityRate?: number; // order items with quantity 0 or negative (default 0.003)
  unknownProductRate?: number; // order items whose product_id has no product (default 0.003)
  nullCustomerRate?: number; // orders with a NULL customer_id (default 0.004)
  duplicateEventRate?: number; // events delivered twice, the copy later (default 0.01)
  cancelRate?: number; // cancelled orders (default 0.05)
  /**
   * Peak hours (UTC): this share of each day's orders falls in [fromHour, toHour), spread evenly,
   * the rest as without it. Unset (the default): orders spread over the day, none drawn for it.
   */
  peakHours?: { fromHour: number; toHour: number; share: number };
}

export const DEFAULT_OPTIONS = {
  seed: 42,
  days: 45,
  ordersPerDay: 13,
  startDate: '2026-05-01',
  itemsPerOrder: 4.2,
  badQuantityRate: 0.003,
  unknownProductRate: 0.003,
  nullCustomerRate: 0.004,
  duplicateEventRate: 0.01,
  cancelRate: 0.05,
};

type Resolved = typeof DEFAULT_OPTIONS & { customers: number; products: number; peakHours?: ShopflowOptions['peakHours']; eventsPerOrder?: number };

/** The source tables, in load order, with their exact column names (SHOPFLOW.md). */
export const SHOPFLOW_COLUMNS = {
  customers: ['customer_id', 'email', 'first_name', 'last_name', 'country', 'signup_date', 'updated_at'],
  products: ['product_id', 'sku', 'name', 'category', 'unit_price', 'active', 'updated_at'],
  orders: ['order_id', 'customer_id', 'order_ts', 'status', 'updated_at'],
  order_items: ['order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price', 'discount'],
  order_events: ['event_id', 'order_id', 'event_type', 'event_ts'],
} as const;

/** Declared SQL types of the source columns (generic names; adapters map them). */
export const SHOPFLOW_TYPES: Record<keyof typeof SHOPFLOW_COLUMNS, Record<string, string>> = {
  customers: {
    customer_id: 'int', email: 'text', first_name: 'text', last_name: 'text', country: 'text',
    signup_date: 'date', updated_at: 'timestamp',
  },
  products: {
    product_id: 'int', sku: 'text', name: 'text', category: 'text', unit_price: 'decimal(10,2)',
    active: 'boolean', updated_at: 'timestamp',
  },
  orders: { order_id: 'int', customer_id: 'int', order_ts: 'timestamp', status: 'text', updated_at: 'timestamp' },
  order_items: {
    order_item_id: 'int', order_id: 'int', product_id: 'int', quantity: 'int',
    unit_price: 'decimal(10,2)', discount: 'decimal(4,3)',
  },
  order_events: { event_id: 'text', order_id: 'int', event_type: 'text', event_ts: 'timestamp' },
};

// ---------------------------------------------------------------------------------------
// PRNG

/** mulberry32: a tiny 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function next(): number {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed with a stream number into a new 32-bit seed (splitmix-style finaliser). */
function deriveSeed(seed: number, stream: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream >>> 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const STREAM_CUSTOMERS = 1;
const STREAM_PRODUCTS = 2;
const STREAM_DAY_BASE = 1000;

class Rng {
  next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1]![0];
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
}

// ---------------------------------------------------------------------------------------
// Time helpers (all UTC, integer seconds since the epoch)

const DAY = 86400;

function parseDate(d: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) throw new Error(`bad date ${d}, expected YYYY-MM-DD`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function formatDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function formatTs(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

function cents(c: number): string {
  return `${Math.floor(c / 100)}.${pad(c % 100)}`;
}

function milli(m: number): string {
  return `0.${pad(m, 3)}`;
}

/** 'Bjørn' -> 'bjorn', 'Luther King, Jr.' -> 'lutherkingjr', 'Robert "Bob"' -> 'robert'. */
function asciiWord(s: string): string {
  return s
    .replace(/"[^"]*"/g, '')
    .replace(/ø/g, 'o')
    .replace(/Ø/g, 'O')
    .normalize('NFKD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

// ---------------------------------------------------------------------------------------
// Vocabulary

const FIRST_NAMES = [
  'Alice', 'Bob', 'Carol', 'David', 'Emma', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kara',
  'Liam', 'Maya', 'Noah', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera',
  'Wei', 'Xena', 'Yusuf', 'Zoe', 'Amara', 'Ben', 'Chloe', 'Diego', 'Elif', 'Felix', 'Hana',
  'Ivan', 'Julia', 'Kofi', 'Lena', 'Marco', 'Nina', 'Oscar', 'Priya', 'Ravi', 'Sofia', 'Theo',
];
const LAST_NAMES = [
  'Smith', 'Jones', 'Garcia', 'Muller', 'Rossi', 'Dubois', 'Novak', 'Tanaka', 'Kim', 'Silva',
  'Jansen', 'Larsen', 'Berg', 'Costa', 'Ivanova', 'Okafor', 'Patel', 'Nguyen', 'Haddad',
  'Fischer', 'Moreau', 'Lopez', 'Schmidt', 'Meyer', 'Walsh', 'Murphy', 'Chen', 'Singh',
  'Andersen', 'Kowalski', 'Yilmaz', 'Cohen', 'Ortiz', 'Bauer', 'Vogel', 'Hansen',
];
// Names that exercise CSV quoting and unicode: a comma, a double quote, an apostrophe,
// accented letters. Assigned to fixed customer ids (below) so the demo always has them.
const SPECIAL_NAMES: readonly (readonly [string, string])[] = [
  ['Renée', 'Lefèvre'],
  ['Bjørn', 'Sørensen'],
  ['Martin', 'Luther King, Jr.'],
  ['Robert "Bob"', 'Tables'],
  ['Siobhán', "O'Brien"],
  ['José', 'Núñez, Sr.'],
];
const COUNTRIES: readonly (readonly [string, number])[] = [
  ['US', 30], ['GB', 12], ['DE', 12], ['FR', 10], ['NL', 8], ['DK', 5], ['NO', 5], ['ES', 7],
  ['IT', 6], ['CA', 5],
];
const CATEGORIES: readonly (readonly [string, readonly string[]])[] = [
  ['kitchen', ['Mug', 'Kettle', 'Teapot', 'Chef Knife', 'Cutting Board', 'Whisk', 'Colander']],
  ['apparel', ['T-Shirt', 'Hoodie', 'Cap', 'Socks', 'Scarf', 'Rain Jacket']],
  ['garden', ['Trowel', 'Watering Can', 'Seed Kit', 'Planter', 'Pruner']],
  ['office', ['Notebook', 'Fountain Pen', 'Desk Lamp', 'Stapler', 'Monitor Stand']],
  ['outdoor', ['Water Bottle', 'Headlamp', 'Tent Stakes', 'Camping Stool', 'Dry Bag']],
  ['toys', ['Puzzle', 'Kite', 'Building Blocks', 'Yo-Yo', 'Board Game']],
];
const ADJECTIVES = ['Classic', 'Large', 'Compact', 'Deluxe', 'Eco', 'Mini', 'Pro', 'Everyday'];
// Cent endings chosen so that quantity * price * (1 - discount) often lands exactly on a
// half cent: e.g. price 12.50 with discount 0.150 -> 10.625, 5.00 with 0.333 -> 3.335,
// 4.04 with 0.125 -> 3.535.
const CENT_ENDINGS: readonly (readonly [number, number])[] = [
  [0, 6], [50, 6], [99, 4], [10, 3], [30, 3], [90, 2], [4, 2], [12, 2], [49, 2], [75, 2],
];
// Discount in thousandths; mostly none.
const DISCOUNTS: readonly (readonly [number, number])[] = [
  [0, 55], [50, 10], [100, 6], [125, 6], [150, 10], [200, 4], [250, 4], [333, 5],
];

// ---------------------------------------------------------------------------------------
// Generation

function resolve(opts: ShopflowOptions): Resolved {
  const o = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(opts)) {
    if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  }
  if (!Number.isInteger(o.days) || o.days < 1) throw new Error('days must be a positive integer');
  if (!(o.ordersPerDay > 0)) throw new Error('ordersPerDay must be > 0');
  if (!(o.itemsPerOrder >= 1)) throw new Error('itemsPerOrder must be >= 1');
  parseDate(o.startDate);
  const peak = opts.peakHours;
  if (peak && !(peak.fromHour >= 0 && peak.toHour <= 24 && peak.fromHour < peak.toHour && peak.share >= 0 && peak.share <= 1)) {
    throw new Error('peakHours needs 0 <= fromHour < toHour <= 24 and 0 <= share <= 1');
  }
  const total = o.days * o.ordersPerDay;
  const customers = opts.customers ?? Math.min(1_000_000, Math.max(20, Math.round(total / 4)));
  const products = opts.products ?? Math.max(20, Math.round(2.5 * Math.sqrt(total)));
  return { ...o, seed: o.seed >>> 0, customers, products };
}

/** Customers and products (the slowly changing dimensions), one row per id. */
export function generateShopflowDimensions(opts: ShopflowOptions = {}): {
  customers: CustomerRow[];
  products: ProductRow[];
} {
  const o = resolve(opts);
  const start = parseDate(o.startDate);

  const customers: CustomerRow[] = [];
  const rc = new Rng(deriveSeed(o.seed, STREAM_CUSTOMERS));
  const usedEmails = new Set<string>();
  for (let id = 1; id <= o.customers; id++) {
    const special = id % 25 === 7 ? SPECIAL_NAMES[Math.floor(id / 25) % SPECIAL_NAMES.length] : undefined;
    const first = special ? special[0] : rc.pick(FIRST_NAMES);
    const last = special ? special[1] : rc.pick(LAST_NAMES);
    const local = [first, last].map(asciiWord).join('.');
    let email = `${local}@example.com`;
    if (usedEmails.has(email)) email = `${local}${id}@example.com`;
    usedEmails.add(email);
    // A few emails are upper-cased or padded with spaces; staging must lower(trim()).
    const style = rc.next();
    if (style < 0.04) email = email.toUpperCase();
    else if (style < 0.07) email = `  ${email} `;
    else if (style < 0.09) email = ` ${email[0]!.toUpperCase()}${email.slice(1)}`;
    const signup = start - rc.int(1, 900) * DAY;
    const updated = signup + Math.floor(rc.next() * (start - signup));
    customers.push({
      customer_id: id,
      email,
      first_name: first,
      last_name: last,
      country: rc.weighted(COUNTRIES),
      signup_date: formatDate(signup),
      updated_at: formatTs(updated),
    });
  }

  const products: ProductRow[] = [];
  const rp = new Rng(deriveSeed(o.seed, STREAM_PRODUCTS));
  for (let id = 1; id <= o.products; id++) {
    const [category, nouns] = rp.pick(CATEGORIES);
    let name = `${rp.pick(ADJECTIVES)} ${rp.pick(nouns)}`;
    if (id % 17 === 5) name = `${name}, 2-pack`; // a comma inside a product name
    const dollars = rp.weighted([[rp.int(1, 9), 4], [rp.int(10, 49), 5], [rp.int(50, 199), 1]] as const);
    products.push({
      product_id: id,
      sku: `SKU-${pad(id, 5)}`,
      name,
      category,
      unit_price: cents(dollars * 100 + rp.weighted(CENT_ENDINGS)),
      active: !rp.chance(0.08),
      updated_at: formatTs(start - rp.int(1, 400) * DAY + rp.int(0, DAY - 1)),
    });
  }
  return { customers, products };
}

/** Number of orders on a given day: weekday factor times +-10% noise around ordersPerDay. */
function ordersOnDay(rng: Rng, ordersPerDay: number, dayEpoch: number): number {
  const weekday = new Date(dayEpoch * 1000).getUTCDay(); // 0 = Sunday
  const factor = weekday === 0 || weekday === 6 ? 1.12 : weekday === 1 ? 0.9 : 0.98;
  return Math.max(1, Math.round(ordersPerDay * factor * (0.9 + 0.2 * rng.next())));
}

/**
 * The number of shipments of a shipped order that makes the mean events per order of a settled
 * order (status placed 2%, paid 5%, shipped 93%; cancelled: placed, half of them paid, cancelled)
 * `events`: 0.02 x 1 + 0.05 x 2 + 0.93 x (2 + shipments) for the orders not cancelled.
 */
function shipmentDraw(events: number, cancelRate: number): (rng: Rng) => number {
  const notCancelled = (events - cancelRate * 2.5) / (1 - cancelRate);
  const mean = (notCancelled - 0.02 - 0.05 * 2 - 0.93 * 2) / 0.93;
  if (!(mean >= 1)) {
    const least = cancelRate * 2.5 + (1 - cancelRate) * (0.12 + 0.93 * 3);
    throw new Error(`eventsPerOrder ${events} is too low: a shipped order has at least 3 events (placed, paid, shipped), so the least is ${least.toFixed(2)}`);
  }
  const whole = Math.floor(mean);
  return (rng) => whole + (rng.chance(mean - whole) ? 1 : 0);
}

/**
 * Orders, items and events, one day at a time. IDs are sequential across days; every
 * day draws from its own PRNG stream derived from (seed, day index).
 */
export function* generateShopflowDays(opts: ShopflowOptions = {}): Generator<ShopflowDay> {
  const o = resolve(opts);
  const start = parseDate(o.startDate);
  const lastDay = start + (o.days - 1) * DAY;
  const unknownProductBase = Math.max(9000, Math.ceil((o.products + 1) / 1000) * 1000 + 9000);
  let nextOrderId = 1;
  let nextItemId = 1;
  let nextEventSeq = 1;
  // An extra draw only when asked for: the default data stays as it was.
  const shipmentsOf = o.eventsPerOrder === undefined ? undefined : shipmentDraw(o.eventsPerOrder, o.cancelRate);

  for (let dayIndex = 0; dayIndex < o.days; dayIndex++) {
    const rng = new Rng(deriveSeed(o.seed, STREAM_DAY_BASE + dayIndex));
    const dayEpoch = start + dayIndex * DAY;
    const n = ordersOnDay(rng, o.ordersPerDay, dayEpoch);
    const daysLeft = (lastDay - dayEpoch) / DAY; // 0 on the last day

    // Order timestamps for the day, sorted; ~8% fall within 3 minutes of midnight UTC
    // (either side) so the UTC date boundary matters.
    const secs: number[] = [];
    for (let i = 0; i < n; i++) {
      // Peak hours, when asked for (an extra draw only then: the default data stays as it was).
      if (o.peakHours && rng.next() < o.peakHours.share) {
        secs.push(rng.int(o.peakHours.fromHour * 3600, o.peakHours.toHour * 3600 - 1));
        continue;
      }
      const r = rng.next();
      if (r < 0.04) secs.push(rng.int(0, 179)); // 00:00:00 .. 00:02:59
      else if (r < 0.08) secs.push(DAY - 1 - rng.int(0, 179)); // 23:57:00 .. 23:59:59
      else secs.push(rng.int(0, DAY - 1));
    }
    secs.sort((a, b) => a - b);

    const day: ShopflowDay = {
      dayIndex,
      date: formatDate(dayEpoch),
      orders: [],
      order_items: [],
      order_events: [],
    };

    for (let i = 0; i < n; i++) {
      const orderId = nextOrderId++;
      const orderTs = dayEpoch + secs[i]!;
      const nullCustomer = rng.chance(o.nullCustomerRate);
      const customerId = nullCustomer ? null : rng.int(1, o.customers);

      // Current status: recent orders are less advanced.
      let status: OrderRow['status'];
      if (rng.chance(o.cancelRate)) status = 'cancelled';
      else if (daysLeft < 1) status = rng.weighted([['placed', 3], ['paid', 4], ['shipped', 3]] as const);
      else if (daysLeft < 3) status = rng.weighted([['placed', 1], ['paid', 3], ['shipped', 6]] as const);
      else status = rng.weighted([['placed', 2], ['paid', 5], ['shipped', 93]] as const);

      // Items.
      const nItems = 1 + Math.floor(rng.next() * (2 * o.itemsPerOrder - 1));
      for (let k = 0; k < nItems; k++) {
        const productId = rng.int(1, o.products);
        let quantity: number = rng.weighted([[1, 50], [2, 25], [3, 12], [4, 8], [5, 5]] as const);
        let unitCents = -1; // -1: price of the product (filled by the caller via lookup below)
        const discount = rng.weighted(DISCOUNTS);
        let pid = productId;
        // Deliberate bad rows, never on a NULL-customer order, at most one rule per item.
        if (!nullCustomer) {
          const r = rng.next();
          if (r < o.badQuantityRate) quantity = rng.pick([0, 0, -1, -2, -3]);
          else if (r < o.badQuantityRate + o.unknownProductRate) {
            pid = unknownProductBase + rng.int(1, 99);
            unitCents = rng.int(1, 60) * 100 + rng.weighted(CENT_ENDINGS);
          }
        }
        day.order_items.push({
          order_item_id: nextItemId++,
          order_id: orderId,
          product_id: pid,
          quantity,
          unit_price: unitCents < 0 ? '' : cents(unitCents), // filled in by priceItems()
          discount: milli(discount),
        });
      }

      // Events: placed at order_ts; paid minutes later; shipped in 1-3 shipments a day or
      // more later; cancelled within two days. Each gets a distinct event_id; a few are
      // delivered twice (same event_id, later event_ts).
      const events: [OrderEventRow['event_type'], number][] = [['placed', orderTs]];
      let t = orderTs;
      if (status === 'paid' || status === 'shipped' || (status === 'cancelled' && rng.chance(0.5))) {
        t += rng.int(30, 90 * 60);
        events.push(['paid', t]);
      }
      if (status === 'shipped') {
        const shipments = shipmentsOf ? shipmentsOf(rng) : rng.weighted([[1, 2], [2, 4], [3, 4]] as const);
        let s = t + rng.int(12 * 3600, 2 * DAY);
        for (let j = 0; j < shipments; j++) {
          events.push(['shipped', s]);
          s += rng.int(3600, DAY);
        }
        t = events[events.length - 1]![1]; // the last shipment is the latest event
      }
      if (status === 'cancelled') {
        t += rng.int(10 * 60, 2 * DAY);
        events.push(['cancelled', t]);
      }
      for (const [type, ts] of events) {
        const eventId = `evt-${rng.hex(8)}-${pad(nextEventSeq++, 8)}`;
        day.order_events.push({ event_id: eventId, order_id: orderId, event_type: type, event_ts: formatTs(ts) });
        if (rng.chance(o.duplicateEventRate)) {
          day.order_events.push({
            event_id: eventId,
            order_id: orderId,
            event_type: type,
            event_ts: formatTs(ts + rng.int(1, 900)),
          });
        }
      }

      day.orders.push({
        order_id: orderId,
        customer_id: customerId,
        order_ts: formatTs(orderTs),
        status,
        updated_at: formatTs(t),
      });
    }
    yield day;
  }
}

/** Fills in unit_price of order items that use the product's list price. */
function priceItems(items: OrderItemRow[], priceById: Map<number, string>): void {
  for (const it of items) {
    if (it.unit_price === '') {
      const p = priceById.get(it.product_id);
      if (p === undefined) throw new Error(`no price for product ${it.product_id}`);
      it.unit_price = p;
    }
  }
}

/** Streams days with item prices filled in (needs the product list). */
export function* generateShopflowDaysPriced(
  opts: ShopflowOptions = {},
  products: ProductRow[] = generateShopflowDimensions(opts).products,
): Generator<ShopflowDay> {
  const priceById = new Map(products.map((p) => [p.product_id, p.unit_price]));
  for (const day of generateShopflowDays(opts)) {
    priceItems(day.order_items, priceById);
    yield day;
  }
}

/** All five tables in memory (demo-sized data). */
export function generateShopflow(opts: ShopflowOptions = {}): ShopflowTables {
  const { customers, products } = generateShopflowDimensions(opts);
  const out: ShopflowTables = { customers, products, orders: [], order_items: [], order_events: [] };
  for (const day of generateShopflowDaysPriced(opts, products)) {
    for (const r of day.orders) out.orders.push(r);
    for (const r of day.order_items) out.order_items.push(r);
    for (const r of day.order_events) out.order_events.push(r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// CSV

/** One CSV field: NULL -> empty; quoted when it has a comma, quote, newline or edge spaces. */
export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
  if (/[",\r\n]/.test(s) || /^\s|\s$/.test(s) || s === '') return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/**
 * Writes <out>/<table>.csv for the five sources, streaming: one day of orders in memory at a
 * time, so the files can be far larger than memory. Returns row counts; `onDay` reports progress.
 */
export function writeShopflowCsv(
  outDir: string,
  opts: ShopflowOptions = {},
  onDay?: (dayIndex: number, days: number) => void,
  tables: readonly (keyof ShopflowTables)[] = Object.keys(SHOPFLOW_COLUMNS) as (keyof ShopflowTables)[],
): Record<string, number> {
  mkdirSync(outDir, { recursive: true });
  const files: Partial<Record<keyof ShopflowTables, CsvFile>> = Object.fromEntries(
    tables.map((name) => [name, new CsvFile(join(outDir, `${name}.csv`), SHOPFLOW_COLUMNS[name])]),
  );
  try {
    const { customers, products } = generateShopflowDimensions(opts);
    files.customers?.write(customers);
    files.products?.write(products);
    const days = resolve(opts).days;
    for (const day of generateShopflowDaysPriced(opts, products)) {
      files.orders?.write(day.orders);
      files.order_items?.write(day.order_items);
      files.order_events?.write(day.order_events);
      onDay?.(day.dayIndex, days);
    }
  } finally {
    for (const f of Object.values(files)) f.close();
  }
  return Object.fromEntries(Object.entries(files).map(([name, f]) => [name, f.rows]));
}

/** A CSV file written through a ~1 MiB buffer. */
export class CsvFile {
  rows = 0;
  /** Characters written so far (the header included). */
  size = 0;
  private readonly fd: number;
  private buffer: string;
  constructor(path: string, private readonly columns: readonly string[]) {
    this.fd = openSync(path, 'w');
    this.buffer = `${columns.join(',')}\n`;
  }
  write(rows: readonly object[]): void {
    for (const row of rows) {
      const r = row as Record<string, Cell>;
      this.buffer += `${this.columns.map((c) => csvField(r[c] ?? null)).join(',')}\n`;
      this.rows++;
      if (this.buffer.length >= 1 << 20) this.flush();
    }
  }
  private flush(): void {
    this.size += this.buffer.length;
    writeSync(this.fd, this.buffer);
    this.buffer = '';
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

// ---------------------------------------------------------------------------------------
// CLI

/** `18-21:0.45`: 45% of each day's orders between 18:00 and 21:00 UTC. */
export function parsePeakHours(text: string): NonNullable<ShopflowOptions['peakHours']> {
  const m = /^(\d{1,2})-(\d{1,2}):([\d.]+)$/.exec(text);
  if (!m) throw new Error(`--peak-hours takes FROM-TO:SHARE, e.g. 18-21:0.45, got '${text}'`);
  return { fromHour: Number(m[1]), toHour: Number(m[2]), share: Number(m[3]) };
}

function parseArgs(argv: string[]): { out: string; opts: ShopflowOptions } {
  let out = 'seeds';
  const opts: ShopflowOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = (): number => {
      const v = Number(val());
      if (!Number.isFinite(v)) throw new Error(`${flag} needs a number`);
      return v;
    };
    switch (flag) {
      case '--out': out = val(); break;
      case '--seed': opts.seed = num(); break;
      case '--days': opts.days = num(); break;
      case '--orders-per-day': opts.ordersPerDay = num(); break;
      case '--start-date': opts.startDate = val(); break;
      case '--items-per-order': opts.itemsPerOrder = num(); break;
      case '--events-per-order': opts.eventsPerOrder = num(); break;
      case '--customers': opts.customers = num(); break;
      case '--products': opts.products = num(); break;
      case '--peak-hours': opts.peakHours = parsePeakHours(val()); break;
      case '-h':
      case '--help':
        process.stdout.write(
          'usage: node --experimental-strip-types bench/generate-seeds.ts --out <dir> [--seed N] [--days N]\n' +
            '       [--orders-per-day N] [--start-date YYYY-MM-DD] [--items-per-order N] [--events-per-order N]\n' +
            '       [--customers N] [--products N]\n' +
            '       [--peak-hours FROM-TO:SHARE, e.g. 18-21:0.45]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  return { out, opts };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href;

if (isMain) {
  try {
    const { out, opts } = parseArgs(process.argv.slice(2));
    const started = Date.now();
    let reported = started;
    const counts = writeShopflowCsv(out, opts, (day, days) => {
      // A progress line every ~5 s on a terminal-or-log friendly stderr.
      if (Date.now() - reported < 5000 && day + 1 < days) return;
      reported = Date.now();
      process.stderr.write(`day ${day + 1}/${days} written (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    });
    for (const [name, n] of Object.entries(counts)) process.stdout.write(`${name}: ${n} rows\n`);
  } catch (err) {
    // A bad argument: one line, no stack.
    process.stderr.write(`generate-seeds: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
