// Conformance: bench/load-shopflow.ts loads generated ShopFlow data straight into a target
// through the engine's bulk path, holding what `sf seed` of generate-seeds.ts' CSVs holds for
// the same options (row counts and content checksums, table by table); a re-run replaces the
// tables whole, leaving no `__sf_load` table; bad arguments fail in one line, leaving the tables
// as they were.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SHOPFLOW_COLUMNS, writeShopflowCsv } from '../../bench/generate-seeds.js';
import { loadConfig } from '../config/load.js';
import { ENGINES } from './engines.js';
import { ProjectPool, type ConformanceProject } from './harness.js';
import { shopflowConfigSource } from './shopflow-config.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SIZE = { days: 6, ordersPerDay: 25, seed: 7 };

function loader(p: ConformanceProject, ...args: string[]): Promise<{ code: number | null; text: string }> {
  const child = spawn(process.execPath, ['--import', 'jiti/register', join(ROOT, 'bench/load-shopflow.ts'), '--project-dir', p.dir,
    '--target', p.engine, '--days', String(SIZE.days), '--orders-per-day', String(SIZE.ordersPerDay), '--seed', String(SIZE.seed), '--chunk-mb', '0.05', ...args],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  return new Promise((r) => child.on('close', (code) => r({ code, text })));
}

/** Per raw table: rows and a content checksum. */
async function contents(p: ConformanceProject): Promise<Record<string, [number, string]>> {
  const out: Record<string, [number, string]> = {};
  for (const [table, columns] of Object.entries(SHOPFLOW_COLUMNS)) {
    const [row] = await p.query(`select count(*) as n, ${p.dialect.checksum(columns)} as c from ${p.sql(table, 'raw')}`);
    out[table] = [Number(row!['n']), String(row!['c'])];
  }
  return out;
}

describe.each(ENGINES)('bench/load-shopflow.ts on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('loads what sf seed of the same CSVs loads; a re-run replaces it; bad arguments change nothing', async () => {
    const shopflow = await loadConfig(ROOT);
    const make = () => pool.create({ schema: engine === 'postgres' ? 'analytics' : undefined, configSource: (target) => shopflowConfigSource(shopflow, engine, target) });
    const [seeded, loaded] = [await make(), await make()];
    // Both have the CSVs (ShopFlow's config declares their types); only one loads them by `sf seed`.
    const counts = writeShopflowCsv(join(seeded.dir, 'seeds'), SIZE);
    writeShopflowCsv(join(loaded.dir, 'seeds'), SIZE);
    const seed = await seeded.sf('seed');
    expect(seed.code, seed.text).toBe(0);

    const first = await loader(loaded);
    expect(first.code, first.text).toBe(0);
    const want = await contents(seeded);
    expect(Object.fromEntries(Object.entries(want).map(([t, [n]]) => [t, n]))).toEqual(counts);
    expect(await contents(loaded)).toEqual(want);
    expect(first.text).toContain(`raw${engine === 'sqlite' ? '__' : '.'}order_items: ${counts['order_items']!.toLocaleString('en-US')} rows`);

    const again = await loader(loaded);
    expect(again.code, again.text).toBe(0);
    expect(await contents(loaded)).toEqual(want);
    expect((await loaded.catalog()).filter((e) => /sf_load/.test(e.name))).toEqual([]);

    const bad = await loader(loaded, '--days', 'x');
    expect(bad.code).not.toBe(0);
    expect(bad.text).toContain("--days takes a positive number, got 'x'");
    expect(await contents(loaded)).toEqual(want);
  }, 120_000);
});
