// End to end: `sf docs generate` and `sf docs serve` on ShopFlow (DuckDB), driven in a real
// headless Chromium (Debian's `chromium`, through playwright-core; .ci/run installs it). The
// graph shows every model; clicking fact_sales shows its SQL, partitions and quarantine counts,
// which equal what the warehouse holds; the search finds a model by a column name; upstream
// highlighting marks exactly the ancestors. A screenshot goes to target/test-artifacts/.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SF_BIN, tempProject, type TempProject } from '../testing/project.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env['SF_CHROMIUM'] ?? '/usr/bin/chromium';
const SECRET = 'docs-secret-7f3a91c2';
const DB = 'target/shopflow.duckdb';
const SCREENSHOT = join(repo, 'target', 'test-artifacts', 'docs-site.png');

let p: TempProject;
let server: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
let generated: { code: number; out: string; err: string };

/** The page's globals, as the callbacks below run them in the browser (tsc here has no DOM lib). */
interface CyNode { id(): string; visible(): boolean; renderedPosition(): { x: number; y: number } }
interface Page$ {
  sfDocs?: { cy: { getElementById(id: string): CyNode; nodes(selector?: string): { map<T>(f: (n: CyNode) => T): T[] } }; highlighted(): string[] };
  document: { querySelector(s: string): { getBoundingClientRect(): { left: number; top: number } } | null };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (.ci/run does), or set SF_CHROMIUM`);
  p = tempProject({}, readFileSync(join(repo, 'shopflow.config.ts'), 'utf8'));
  for (const dir of ['models', 'macros', 'seeds', 'tests']) cpSync(join(repo, dir), join(p.dir, dir), { recursive: true });
  // A secret in the environment, and the same text in a description: the site must not carry it.
  process.env['SF_PG_PASSWORD'] = SECRET;
  const yml = join(p.dir, 'models/marts/fact_sales.yml');
  p.write('models/marts/fact_sales.yml', readFileSync(yml, 'utf8').replace('exact to the cent.', `exact to the cent (${SECRET}).`));
  const built = await p.sf('build');
  if (built.code !== 0) throw new Error(built.out + built.err);
  generated = await p.sf('docs', 'generate');
  server = spawn(process.execPath, [SF_BIN, 'docs', 'serve', '--port', '0', '--project-dir', p.dir], { env: { ...process.env, NO_COLOR: '1' } });
  url = await new Promise<string>((ok, fail) => {
    let out = '';
    server.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) ok(m[1]!);
    });
    server.on('exit', (code) => fail(new Error(`sf docs serve exited ${code}: ${out}`)));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as unknown as Page$).sfDocs !== undefined);
  expect(problems).toEqual([]);
}, 180_000);

afterAll(async () => {
  delete process.env['SF_PG_PASSWORD'];
  await browser?.close();
  server?.kill('SIGINT');
  p?.cleanup();
});

/** Clicks a node of the graph where the canvas draws it, as a user would. */
async function clickNode(id: string): Promise<void> {
  const at = await page.evaluate((nodeId) => {
    const g = globalThis as unknown as Page$;
    const pos = g.sfDocs!.cy.getElementById(nodeId).renderedPosition();
    const box = g.document.querySelector('#graph')!.getBoundingClientRect();
    return { x: box.left + pos.x, y: box.top + pos.y };
  }, id);
  await page.mouse.click(at.x, at.y);
}

const models = () => readdirSync(join(repo, 'models'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/^.*\//, '').replace(/\.sql$/, '')).sort();

describe('sf docs on ShopFlow, in Chromium', () => {
  it('generate says what it wrote; the files hold no secret', () => {
    expect(generated.code, generated.out + generated.err).toBe(0);
    expect(generated.out).toMatch(/Wrote the docs site to .*target\/docs\/ \(index\.html\) and catalog\.json: 19 nodes, 19 with columns from the warehouse\./);
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const written = [...files(join(p.dir, 'target/docs')), join(p.dir, 'target/catalog.json')];
    expect(written.map((f) => f.slice(p.dir.length + 1)).sort()).toEqual([
      'target/catalog.json', 'target/docs/app.js', 'target/docs/catalog.json', 'target/docs/index.html', 'target/docs/sf-docs-data.js', 'target/docs/style.css', 'target/docs/vendor/cytoscape.min.js',
    ]);
    for (const f of written) expect(readFileSync(f, 'utf8'), f).not.toContain(SECRET);
    const catalog = JSON.parse(readFileSync(join(p.dir, 'target/catalog.json'), 'utf8'));
    expect(catalog.nodes['model.shopflow.fact_sales'].columns.revenue).toMatchObject({ type: 'DECIMAL(18,2)', index: 9, name: 'revenue' });
    expect(catalog.sources['source.shopflow.raw.orders'].metadata).toMatchObject({ schema: 'raw', name: 'orders', type: 'BASE TABLE' });
  });

  it('serves on 127.0.0.1 only what is inside target/docs/', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(`${url}catalog.json`)).status).toBe(200);
    expect((await fetch(`${url}..%2F..%2Fshopflow.config.ts`)).status).toBe(404);
    expect((await fetch(`${url}index.html`, { method: 'POST' })).status).toBe(405);
  });

  it('works opened from disk too (file://, no server)', async () => {
    const local = await browser.newPage();
    try {
      await local.goto(pathToFileURL(join(p.dir, 'target/docs/index.html')).href + '#model.shopflow.fct_daily_revenue');
      await local.waitForFunction(() => (globalThis as unknown as Page$).sfDocs !== undefined);
      expect(await local.textContent('#node-title')).toBe('modelfct_daily_revenue');
      expect(await local.evaluate(() => (globalThis as unknown as Page$).sfDocs!.cy.nodes().map((n) => n.id()).length)).toBe(19);
    } finally {
      await local.close();
    }
  });

  it('the graph shows every model, seed and source', async () => {
    const shown = await page.evaluate(() => (globalThis as unknown as Page$).sfDocs!.cy.nodes().map((n) => ({ id: n.id(), visible: n.visible() })));
    expect(shown.filter((n) => n.id.startsWith('model.')).map((n) => n.id.replace('model.shopflow.', '')).sort()).toEqual(models());
    expect(shown.filter((n) => !n.visible)).toEqual([]);
    expect(shown.filter((n) => n.id.startsWith('source.')).length).toBe(5);
    expect(shown.filter((n) => n.id.startsWith('seed.')).length).toBe(5);
  });

  it('clicking fact_sales shows its SQL, its partitions and its quarantine counts, as the warehouse holds them', async () => {
    await clickNode('model.shopflow.fact_sales');
    await expect.poll(() => page.textContent('#node-title')).toBe('modelfact_sales');
    expect(await page.textContent('#sql-compiled')).toContain('from "main"."stg_order_items" as i');
    const days = await p.query<{ n: number }>('select count(distinct order_date) as n from main.fact_sales', DB);
    const chart = page.locator('#partition-chart');
    expect(Number(await chart.getAttribute('data-partitions'))).toBe(Number(days[0]!.n));
    expect(await chart.getAttribute('data-gaps')).toBe('0');
    const quarantined = await p.query<{ rule: string; n: number }>('select sf_test as rule, count(*) as n from main.fact_sales__quarantine group by 1 order by 1', DB);
    expect(quarantined.length).toBeGreaterThan(0);
    const shown = await page.$$eval('#quarantine tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(shown).toEqual(quarantined.map((q) => [q.rule, String(q.n)]));
    const tests = await page.$$eval('#tests tbody tr', (rows) => rows.map((r) => r.querySelector('td')!.textContent));
    expect(tests).toContain('not_null_fact_sales_customer_id');
  });

  it('the lineage of fact_sales.revenue lists the source columns it comes from', async () => {
    const cell = await page.textContent('#columns .lineage[data-column="revenue"]');
    expect(cell).toContain('stg_order_items.discount, stg_order_items.quantity, stg_order_items.unit_price');
    expect(cell).toContain('from sources: raw.order_items.discount, raw.order_items.quantity, raw.order_items.unit_price');
    const data = readFileSync(join(p.dir, 'target/docs/sf-docs-data.js'), 'utf8').replace(/^window\.SF_DOCS = /, '').replace(/;\s*$/, '');
    const revenue = JSON.parse(data).nodes.find((n: { id: string }) => n.id === 'model.shopflow.fact_sales').columns.find((c: { name: string }) => c.name === 'revenue');
    expect(revenue.lineage.origins).toEqual(['source.shopflow.raw.order_items.discount', 'source.shopflow.raw.order_items.quantity', 'source.shopflow.raw.order_items.unit_price']);
  });

  it('the search finds a model by a column name', async () => {
    await page.fill('#search', 'order_ts');
    const hits = await page.$$eval('#search-results li[data-id]', (li) => li.map((l) => l.getAttribute('data-id')));
    // The three with a column of that name, then fact_sales, whose order_date's description names it.
    expect(hits).toEqual(['seed.shopflow.orders', 'source.shopflow.raw.orders', 'model.shopflow.stg_orders', 'model.shopflow.fact_sales']);
    expect(await page.textContent('#search-results li[data-id="model.shopflow.fact_sales"] .why')).toBe('column order_date (description)');
    expect(await page.textContent('#search-results li[data-id="model.shopflow.stg_orders"] .why')).toContain('column order_ts');
    await page.click('#search-results li[data-id="model.shopflow.stg_orders"]');
    await expect.poll(() => page.textContent('#node-title')).toBe('modelstg_orders');
  });

  it('upstream highlighting marks exactly the ancestors of fact_sales', async () => {
    await clickNode('model.shopflow.fact_sales');
    await page.click('#show-upstream');
    const lit = await page.evaluate(() => (globalThis as unknown as Page$).sfDocs!.cy.nodes('.lit').map((n) => n.id()).sort());
    expect(lit).toEqual([
      'model.shopflow.stg_order_items', 'model.shopflow.stg_orders', 'seed.shopflow.order_items', 'seed.shopflow.orders',
      'source.shopflow.raw.order_items', 'source.shopflow.raw.orders',
    ]);
    await page.click('#show-downstream');
    const down = await page.evaluate(() => (globalThis as unknown as Page$).sfDocs!.highlighted());
    expect(down).toEqual(['model.shopflow.fct_daily_revenue']);
    // The picture: fact_sales selected, its ancestors lit.
    await page.fill('#search', '');
    await page.click('#show-upstream');
    await page.screenshot({ path: (mkdirSync(join(repo, 'target', 'test-artifacts'), { recursive: true }), SCREENSHOT) });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });
});
