import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../testing/project.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let p: TempProject | undefined;
afterEach(() => p?.cleanup());

describe('secrets', () => {
  const SECRET = 'sEcReT-4815162342';
  afterEach(() => { delete process.env['SF_SECRET_DB_NAME']; });

  it('a secret used in target settings never reaches output, compiled SQL or artifacts', async () => {
    process.env['SF_SECRET_DB_NAME'] = SECRET;
    p = tempProject({ 'models/a.sql': 'select 1 as x', 'models/b.sql': "select nope from {{ ref('a') }}" }, `import { defineConfig } from 'sf-transform';
export default defineConfig({ name: 'demo', targets: { dev: { type: 'duckdb', path: 'target/' + process.env.SF_SECRET_DB_NAME + '.duckdb' } } });
`);
    const { code, out, err } = await p.sf('build');
    expect(code).toBe(1); // b fails: its error output is printed too
    expect(existsSync(join(p.dir, `target/${SECRET}.duckdb`))).toBe(true);
    const written = ['target/manifest.json', 'target/run_results.json', 'target/compiled/demo/models/a.sql']
      .map((f) => readFileSync(join(p!.dir, f), 'utf8'));
    for (const text of [out, err, ...written]) expect(text).not.toContain(SECRET);
  });

  it('a secret that reaches a model through a var is refused', async () => {
    process.env['SF_SECRET_DB_NAME'] = SECRET;
    p = tempProject({ 'models/a.sql': "select '{{ var('db') }}' as x" }, `import { defineConfig } from 'sf-transform';
export default defineConfig({ name: 'demo', targets: { dev: { type: 'duckdb', path: 'target/t.duckdb' } }, vars: { db: process.env.SF_SECRET_DB_NAME } });
`);
    const { code, err } = await p.sf('compile');
    expect(code).toBe(2);
    expect(err).toContain("error: models/a.sql:1: var('db') in model 'a' holds the value of a secret environment variable; a template may not read it");
    // Nothing compiled: target/ holds only the command's log, which masks the secret.
    expect(readdirSync(join(p.dir, 'target'))).toEqual(['sf.log']);
    const log = readFileSync(join(p.dir, 'target/sf.log'), 'utf8');
    expect(log).toContain('holds the value of a secret environment variable');
    expect(log).not.toContain(SECRET);
  });
});

describe('only what a command needs is loaded', () => {
  const bin = join(repo, 'bin/sf.cjs');
  const trace = (args: string[]) => {
    const file = join(p!.dir, 'modules.txt');
    rmSync(file, { force: true });
    execFileSync(process.execPath, ['--import', join(repo, 'src/testing/module-trace.mjs'), bin, ...args, '--project-dir', p!.dir], {
      env: { ...process.env, SF_MODULE_TRACE: file }, stdio: 'pipe',
    });
    return readFileSync(file, 'utf8');
  };

  it('ls and compile load no driver; a DuckDB build loads only DuckDB', () => {
    expect(existsSync(join(repo, 'dist/cli/main.js')), 'run `npm run build:ts` first').toBe(true);
    p = tempProject({ 'seeds/s.csv': 'a\n1\n', 'models/m.sql': "select * from {{ ref('s') }}" });
    for (const cmd of ['ls', 'compile']) {
      const loaded = trace([cmd]);
      expect(loaded).toContain('dist/compiler/compile.js');
      expect(loaded).not.toMatch(/node_modules\/(@duckdb|better-sqlite3|pg\/|kysely)/);
    }
    const built = trace(['build']);
    expect(built).toMatch(/node_modules\/@duckdb\/node-api/);
    expect(built).not.toMatch(/node_modules\/(better-sqlite3|pg\/)/);
  });
});

describe('sf init', () => {
  it('scaffolds a project that builds, and never overwrites', async () => {
    p = tempProject({});
    const dir = join(p.dir, 'fresh');
    const init = await p.sf('init', dir);
    expect(init.code).toBe(0);
    expect(init.out).toContain('created');
    const build = await p.sf('build', '--project-dir', dir);
    expect(build.out).toContain('Done. PASS=3 ERROR=0 SKIP=0 TOTAL=3');
    expect((await p.sf('init', dir)).code).toBe(2);
  });
});

describe('progress of batched models', () => {
  const files = {
    'seeds/events.csv': ['id,d', ...Array.from({ length: 20 }, (_, i) => `${i},2026-06-${String(1 + (i % 10)).padStart(2, '0')}`)].join('\n') + '\n',
    'models/daily.sql': "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='d') }}select id, cast(d as date) as d from {{ ref('events') }}",
  };

  it('on a terminal: one status line, rewritten, with done/total, rows, rate and ETA; plain lines when piped', async () => {
    p = tempProject(files);
    expect((await p.sf('seed')).code).toBe(0);
    const { runCli } = await import('./main.js');
    const out: string[] = [];
    const status: string[] = [];
    const args = ['node', 'sf', 'run', '--project-dir', p.dir, '--start', '2026-06-01', '--end', '2026-06-10', '--threads', '1'];
    expect(await runCli(args, { out: (l = '') => out.push(l), err: () => {}, status: (t) => status.push(t) })).toBe(0);
    const shown = status.filter(Boolean);
    expect(shown[0]).toMatch(/^daily 1\/11 batches, 0 rows, \d+ rows\/s, ETA \d+s$/);
    expect(shown.at(-1)).toMatch(/^daily 11\/11 batches, 20 rows, [\d,]+ rows\/s, ETA 0s$/);
    expect(out.some((l) => /batch \d+\/11/.test(l))).toBe(false);
    expect(out.join('\n')).toContain('OK incremental main.daily (insert_overwrite by day)');
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    expect(manifest.nodes['model.demo.daily'].batches).toHaveLength(10);
    expect(manifest.nodes['model.demo.daily'].batches[0]).toEqual({ partition: '2026-06-01', start: '2026-06-01 00:00:00', end: '2026-06-02 00:00:00' });
    const results = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8'));
    expect(results.results[0].batch_results.successful).toHaveLength(10);
    expect(results.results[0].batches[1]).toMatchObject({ partition: '2026-06-01', status: 'success', rows_affected: 2, attempts: 1 });

    const piped: string[] = [];
    expect(await runCli(args, { out: (l = '') => piped.push(l), err: () => {} })).toBe(0);
    expect(piped.filter((l) => /^ {2}daily batch \d+\/10 2026-06-\d\d OK 2 rows in \d+\.\d\ds$/.test(l))).toHaveLength(10);
  });
});

describe('time zones', () => {
  it('DuckDB partitions a timestamptz in UTC whatever the machine\'s time zone', async () => {
    p = tempProject({
      'models/events.sql': "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by={'field': 'ts', 'data_type': 'timestamp', 'granularity': 'hour'}) }}select 1 as id, cast('2026-06-02 00:30:00+00' as timestamptz) as ts",
    });
    execFileSync(process.execPath, [join(repo, 'bin/sf.cjs'), 'run', '--project-dir', p.dir], { env: { ...process.env, TZ: 'America/New_York' }, stdio: 'pipe' });
    expect(await p.query('select partition_key from sf.partitions')).toEqual([{ partition_key: '2026-06-02 00:00:00' }]);
  });
});
