// Loads ShopFlow's five raw tables, generated at a given size (generate-seeds.ts: the same rows
// its CSVs hold for the same options), straight into a target of an sf project, through the
// engine's bulk path: the loaders `sf seed` uses (DuckDB's read_csv, PostgreSQL's COPY,
// SQLite's prepared insert in one transaction), fed chunks of at most --chunk-mb of CSV, one at
// a time, so memory stays flat at any size. Each table is loaded beside the published one
// (`<table>__sf_load`) and all five are swapped in at the end in one transaction: a failed or
// interrupted load leaves the previous tables, and a re-run replaces them whole.
//
//   node --import jiti/register bench/load-shopflow.ts [--project-dir .] [--target NAME]
//       [--schema raw] [--days 45] [--orders-per-day 13] [--seed 42] [--start-date 2026-05-01]
//       [--items-per-order 4.2] [--events-per-order 4] [--peak-hours 18-21:0.45] [--chunk-mb 32]
//
// Then `sf run` (not `sf build`, which would load seeds/ over them) builds the models on it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openAdapter } from '../src/adapters/registry.js';
import { relationKey, type Adapter, type Relation, type Statement } from '../src/adapters/types.js';
import { loadProject } from '../src/session/project.js';
import { errorMessage, userErrorsOf } from '../src/util/errors.js';
import { CsvFile, DEFAULT_OPTIONS, generateShopflowDaysPriced, parsePeakHours, generateShopflowDimensions, SHOPFLOW_COLUMNS, SHOPFLOW_TYPES, type ShopflowOptions } from './generate-seeds.js';

type Table = keyof typeof SHOPFLOW_COLUMNS;
const TABLES = Object.keys(SHOPFLOW_COLUMNS) as Table[];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    'project-dir': { type: 'string', default: '.' },
    target: { type: 'string' },
    schema: { type: 'string' },
    days: { type: 'string' },
    'orders-per-day': { type: 'string' },
    seed: { type: 'string' },
    'start-date': { type: 'string' },
    'items-per-order': { type: 'string' },
    'chunk-mb': { type: 'string', default: '32' },
    'peak-hours': { type: 'string' },
    'events-per-order': { type: 'string' },
  } });
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number, got '${v}'`);
    return n;
  };
  const opts: ShopflowOptions = {
    days: num('days', values.days), ordersPerDay: num('orders-per-day', values['orders-per-day']),
    seed: num('seed', values.seed), startDate: values['start-date'], itemsPerOrder: num('items-per-order', values['items-per-order']),
    eventsPerOrder: num('events-per-order', values['events-per-order']),
    peakHours: values['peak-hours'] === undefined ? undefined : parsePeakHours(values['peak-hours']),
  };
  const chunkBytes = num('chunk-mb', values['chunk-mb'])! * 2 ** 20;

  const projectDir = resolve(values['project-dir']);
  const project = await loadProject({ projectDir, target: values.target, listOnly: true });
  const { dialect } = project;
  const schema = values.schema ?? project.config.seeds.schema ?? 'raw';
  const published = (t: Table): Relation => ({ schema, name: t });
  const staged = (t: Table): Relation => ({ schema, name: `${t}__sf_load` });
  // The project's declared seed types where it has them (ShopFlow's config), else the generator's.
  const typesOf = (t: Table) => ({ ...SHOPFLOW_TYPES[t], ...project.config.seeds.columnTypes[t] });

  const adapter = await openAdapter(project.target, projectDir);
  const work = mkdtempSync(join(tmpdir(), 'sf-load-'));
  try {
    const started = performance.now();
    await run(adapter, [
      ...dialect.createSchema(schema),
      ...TABLES.flatMap((t) => [
        { sql: `drop table if exists ${dialect.renderRelation(staged(t))}` },
        ...dialect.createTable(staged(t), SHOPFLOW_COLUMNS[t].map((name) => ({ name, type: typesOf(t)[name]! }))),
      ]),
    ]);
    const loaded = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<Table, number>;
    let chunk = 0;
    let generated = 0;
    const open: Partial<Record<Table, CsvFile & { path: string }>> = {};
    /** Loads a table's chunk file through the engine's CSV loader, then starts a new one. */
    const flush = async (t: Table) => {
      const file = open[t];
      if (!file) return;
      file.close();
      delete open[t];
      if (file.rows === 0) return;
      const columns = SHOPFLOW_COLUMNS[t].map((name) => ({ name, type: typesOf(t)[name]! }));
      loaded[t] += await adapter.loadCsv(adapter.db, { kind: 'csv-load', relation: staged(t), path: file.path, file: `${t} (generated)`, columns, delimiter: ',' });
      rmSync(file.path);
    };
    const write = async (t: Table, rows: readonly object[]) => {
      if (!open[t]) {
        const path = join(work, `${t}-${chunk++}.csv`);
        open[t] = Object.assign(new CsvFile(path, SHOPFLOW_COLUMNS[t]), { path });
      }
      open[t]!.write(rows);
      generated += rows.length;
      if (open[t]!.size >= chunkBytes) await flush(t);
    };

    const { customers, products } = generateShopflowDimensions(opts);
    await write('customers', customers);
    await write('products', products);
    let reported = performance.now();
    for (const day of generateShopflowDaysPriced(opts, products)) {
      await write('orders', day.orders);
      await write('order_items', day.order_items);
      await write('order_events', day.order_events);
      if (performance.now() - reported > 5000) {
        reported = performance.now();
        const rows = Object.values(loaded).reduce((a, b) => a + b, 0);
        process.stderr.write(`day ${day.dayIndex + 1}/${opts.days ?? DEFAULT_OPTIONS.days}: ${generated.toLocaleString('en-US')} rows generated, ${rows.toLocaleString('en-US')} loaded (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
      }
    }
    for (const t of TABLES) await flush(t);

    // All five published at once; views reading them (PostgreSQL) are kept.
    const existing = await adapter.introspect([schema]);
    await run(adapter, TABLES.flatMap((t) => dialect.swapTable(staged(t), published(t), existing.get(relationKey(published(t))))), true);
    const seconds = (performance.now() - started) / 1000;
    const total = Object.values(loaded).reduce((a, b) => a + b, 0);
    for (const t of TABLES) process.stdout.write(`${dialect.displayRelation(published(t))}: ${loaded[t].toLocaleString('en-US')} rows\n`);
    process.stdout.write(`${total.toLocaleString('en-US')} rows into ${project.targetName} (${project.target.type}) in ${seconds.toFixed(1)} s (${Math.round(total / seconds).toLocaleString('en-US')} rows/s)\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await adapter.close();
  }
}

// Bad arguments and user errors in one line each, with their hints; exit 1.
main().catch((err: unknown) => {
  const users = userErrorsOf(err);
  for (const line of users.length ? users.map((e) => e.format()) : [errorMessage(err)]) process.stderr.write(`error: ${line}\n`);
  process.exitCode = 1;
});

async function run(a: Adapter, statements: readonly Statement[], inOne = false): Promise<void> {
  const each = async (db: typeof a.db) => {
    for (const s of statements) await sql.raw(s.sql).execute(db);
  };
  if (inOne) await a.db.transaction().execute(each);
  else await each(a.db);
}
