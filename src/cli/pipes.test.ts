// The CLI as a user pipes it: a reader that goes away early (`sf ls | head -1`,
// `sf build | head`) must not crash sf or abort the build. Runs the built CLI as a subprocess
// with its stdout a pipe that the test closes after the first chunk.
import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../testing/project.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repo, 'bin/sf.cjs');
let p: TempProject;

beforeAll(() => {
  p = tempProject({}, readFileSync(join(repo, 'shopflow.config.ts'), 'utf8'));
  for (const dir of ['models', 'macros', 'seeds', 'tests']) cpSync(join(repo, dir), join(p.dir, dir), { recursive: true });
});
afterAll(() => p.cleanup());

/** Runs `sf <args>`, closing its stdout after the first chunk, like `| head -1`. */
function firstChunkOnly(args: string[]): Promise<{ code: number | null; signal: string | null; first: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args, '--project-dir', p.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let first = '';
    let stderr = '';
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString();
      child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, first, stderr }));
  });
}

describe('a closed pipe', () => {
  it('sf build | head: the build goes on to the end, quietly, exit 0', async () => {
    const run = await firstChunkOnly(['build']);
    expect(run.first).toMatch(/^sf \d+\.\d+\.\d+: project shopflow/);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8')).results as { status: string }[];
    expect(results).toHaveLength(18);
    expect(results.every((r) => r.status === 'success')).toBe(true);
  });

  it('sf ls | head -1: exits quietly', async () => {
    const run = await firstChunkOnly(['ls']);
    expect(run.first).toMatch(/^seed +customers/);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('selectors', () => {
  it("--select '' is an error, as a selector matching nothing is", async () => {
    const run = await p.sf('ls', '--select', '');
    expect(run.code).toBe(2);
    expect(run.err).toContain('error: an empty selector selects nothing');
  });
});

describe('disabled models', () => {
  it('a model disabled by folder defaults is not rendered (a broken draft stays quiet); selecting it says it is disabled', async () => {
    const q = tempProject({
      'models/ok.sql': 'select 1 as id',
      'models/drafts/broken.sql': "select {{ ref('nope') }} {% if %}",
      'models/off.sql': "{{ config(enabled=false) }}select 2 as id",
    }, `import { defineConfig } from 'sf-transform';
export default defineConfig({ name: 'demo', targets: { dev: { type: 'duckdb', path: 'target/t.duckdb' } }, models: { drafts: { enabled: false } } });
`);
    try {
      const built = await q.sf('build');
      expect(built.code, built.err).toBe(0);
      expect(built.out).toContain('Done. PASS=1 ERROR=0 SKIP=0 TOTAL=1');
      for (const name of ['broken', 'off']) {
        const sel = await q.sf('build', '--select', name);
        expect(sel.code).toBe(2);
        expect(sel.err).toContain(`error: model '${name}' is disabled (enabled: false), so there is nothing to select`);
      }
    } finally {
      q.cleanup();
    }
  });
});

describe('sf clean', () => {
  it('removes compiled SQL and artifacts, keeps the database files unless --all', async () => {
    const q = tempProject({ 'models/a.sql': "{{ config(materialized='table') }}select 1 as id" }, `import { defineConfig } from 'sf-transform';
export default defineConfig({ name: 'demo', targets: { dev: { type: 'duckdb', path: 'target/db/t.duckdb' } } });
`);
    try {
      expect((await q.sf('build')).code).toBe(0);
      const cleaned = await q.sf('clean');
      expect(cleaned.out).toBe('Removed target/compiled, target/manifest.json, target/partial_parse, target/run_results.json, target/sf.log.\nKept the database files target/db (--all removes them too).');
      expect(readdirSync(join(q.dir, 'target'))).toEqual(['db']);
      expect((await q.query('select id from main.a', 'target/db/t.duckdb')).map((r) => Number(r['id']))).toEqual([1]);
      await q.sf('clean', '--all');
      expect(readdirSync(join(q.dir, 'target'))).toEqual([]);
    } finally {
      q.cleanup();
    }
  });
});

describe('sf compile --select', () => {
  it('prints one model as its SQL, several each headed by its name, and JSON with --output json', async () => {
    const one = await p.sf('compile', '--select', 'stg_orders');
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/^-- stg_orders: one row per raw orders row\./);
    expect(one.out).toContain('from "raw"."orders"');
    const two = await p.sf('compile', '--select', 'stg_orders', 'stg_products');
    const heads = two.out.split('\n').filter((l) => /^-- stg_\w+ \(target\/compiled\//.test(l));
    expect(heads).toEqual([
      '-- stg_orders (target/compiled/shopflow/models/staging/stg_orders.sql)',
      '-- stg_products (target/compiled/shopflow/models/staging/stg_products.sql)',
    ]);
    const json = JSON.parse((await p.sf('compile', '--select', 'stg_orders', 'fact_sales', '--output', 'json')).out) as { name: string; relation: string; sql: string }[];
    expect(json.map((m) => [m.name, m.relation])).toEqual([['stg_orders', 'main.stg_orders'], ['fact_sales', 'main.fact_sales']]);
    expect(json[0]!.sql).toBe(one.out);
  });
});
