// The benchmark suite (`npm run bench`): sf against the least work the same job takes without
// it, each pair run in the same session, interleaved (A B, then B A, ...), every run a fresh
// process. Prints median, min and max of each side, the ratio of medians, and peak memory,
// and writes them with the machine and its load into BENCHMARKS.md (between the
// `bench:suite` markers).
//
//   npm run bench [-- --runs 3 --models 10000 --scale 1000,10000,30000 --rows 2000000
//                     --items 1000000 --only compile,seed,build --engines duckdb,sqlite,postgres
//                     --builds-only --sqlite-backfill --no-write]
//
// --builds-only: of the build section, the two full builds only (no incremental day, no backfill),
// e.g. `--only build --items 10000000 --builds-only` for the build target's own size.
//
// Sizes default so the whole suite takes well under 30 minutes on 2 cores; `--rows 10000000`
// is the seed figure of issue 9's targets.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres, type PostgresServer } from '../src/testing/postgres-server.js';
import { SHOPFLOW_TYPES, writeShopflowCsv } from './generate-seeds.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SF = join(REPO, 'bin/sf.cjs');
const FLOOR = join(REPO, '../shared/bench/compile-floor.cjs');
const GEN_PROJECT = join(REPO, '../shared/bench/gen-project.mjs');
const RSS_HOOK = join(REPO, 'bench/maxrss.cjs');
const WORK = join(tmpdir(), 'sf-bench');

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const RUNS = Number(flag('runs', '3'));
const MODELS = Number(flag('models', '10000'));
const SCALE = flag('scale', '1000,10000,30000').split(',').map(Number);
const ROWS = Number(flag('rows', '2000000'));
const ONLY = flag('only', 'compile,seed,build').split(',');
const ENGINES = flag('engines', 'duckdb,sqlite,postgres').split(',');
const BUILDS_ONLY = args.includes('--builds-only');
const WRITE = !args.includes('--no-write');

interface Run { readonly ms: number; readonly rssKB: number }
interface Side { readonly label: string; readonly runs: Run[] }
interface Row { readonly section: string; readonly figure: string; readonly a: Side; readonly b?: Side; readonly target?: string }

const rows: Row[] = [];
const notes: string[] = [];

/** Runs `node <argv>` once: wall time and peak RSS (from the --require hook). */
function timed(argv: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Run {
  const rssFile = join(WORK, `rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  const t0 = performance.now();
  const result = spawnSync(process.execPath, ['--require', RSS_HOOK, ...argv], {
    cwd: opts.cwd, env: { ...process.env, ...opts.env, SF_BENCH_RSS_FILE: rssFile }, encoding: 'utf8', maxBuffer: 1 << 28,
  });
  const ms = performance.now() - t0;
  if (result.status !== 0) throw new Error(`node ${argv.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return { ms, rssKB: existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : 0 };
}

interface Job { readonly label: string; readonly argv: readonly string[]; readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly before?: () => void }

/** `a` and `b` RUNS times each, interleaved, alternating which goes first. */
function pair(section: string, figure: string, a: Job, b: Job | undefined, target?: string): void {
  const sides = [a, b].filter((j): j is Job => j !== undefined).map((j) => ({ job: j, side: { label: j.label, runs: [] as Run[] } }));
  for (let i = 0; i < RUNS; i++) {
    for (const { job, side } of i % 2 ? [...sides].reverse() : sides) {
      job.before?.();
      side.runs.push(timed(job.argv, { cwd: job.cwd, env: job.env }));
    }
  }
  const row: Row = { section, figure, a: sides[0]!.side, b: sides[1]?.side, target };
  rows.push(row);
  console.log(format(row));
}

const median = (xs: readonly number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
function describe(side: Side): string {
  const ms = side.runs.map((r) => r.ms);
  return `${side.label}: median ${secs(median(ms))} (min ${secs(Math.min(...ms))}, max ${secs(Math.max(...ms))}), peak ${mb(Math.max(...side.runs.map((r) => r.rssKB)))}`;
}
function format(row: Row): string {
  const ratio = row.b ? `  ratio ${(median(row.a.runs.map((r) => r.ms)) / median(row.b.runs.map((r) => r.ms))).toFixed(2)}x` : '';
  return `[${row.section}] ${row.figure}${ratio}${row.target ? ` (target ${row.target})` : ''}\n    ${describe(row.a)}${row.b ? `\n    ${describe(row.b)}` : ''}`;
}

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Linux ${release()}`;
}

// ---------------------------------------------------------------------------------------
// Compile: sf against compile-floor.cjs (read, render once, order the DAG, write).

function project(models: number): string {
  const dir = join(WORK, `models-${models}`);
  if (!existsSync(join(dir, 'sf.config.ts'))) {
    execFileSync(process.execPath, [GEN_PROJECT, dir, String(models)], { stdio: 'ignore' });
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  }
  return dir;
}

function compileBench(): void {
  const dir = project(MODELS);
  const clean = () => rmSync(join(dir, 'target'), { recursive: true, force: true });
  const floor = (extra: string[] = []): Job => ({
    label: `compile-floor.cjs${extra.length ? ` ${extra.join(' ')}` : ''}`, argv: [FLOOR, dir, ...extra], cwd: REPO,
    before: () => rmSync(join(dir, 'target_floor'), { recursive: true, force: true }),
  });
  pair('compile', `sf compile, ${MODELS} models, cold (no target/)`, { label: 'sf compile', argv: [SF, 'compile', '-q'], cwd: dir, before: clean }, floor(), '<= 0.9x');
  timed([SF, 'compile', '-q'], { cwd: dir });
  pair('compile', `sf compile, ${MODELS} models, again with nothing changed`, { label: 'sf compile', argv: [SF, 'compile', '-q'], cwd: dir }, floor(), '<= 0.15x');
  pair('compile', `sf ls, ${MODELS} models, cold`, { label: 'sf ls', argv: [SF, 'ls', '-q'], cwd: dir, before: clean }, floor(['--no-write']), '<= 0.3x, <= 0.6 s');
  timed([SF, 'compile', '-q'], { cwd: dir });
  pair('compile', `sf ls, ${MODELS} models, render cache warm`, { label: 'sf ls', argv: [SF, 'ls', '-q'], cwd: dir }, floor(['--no-write']));
  // Scaling: cold compile time per model at each size.
  const perModel: string[] = [];
  for (const n of SCALE) {
    const d = project(n);
    const runs = Array.from({ length: RUNS }, () => {
      rmSync(join(d, 'target'), { recursive: true, force: true });
      return timed([SF, 'compile', '-q'], { cwd: d }).ms;
    });
    perModel.push(`${n}: ${(median(runs) / n).toFixed(3)} ms/model (median ${secs(median(runs))})`);
  }
  notes.push(`Scaling, sf compile cold: ${perModel.join('; ')} (target: linear within 10%).`);
  console.log(notes.at(-1));
}

// ---------------------------------------------------------------------------------------
// Seeds: sf seed of order_items against the engine's own bulk load of the same file.

/** order_items' declared types, in the names every engine takes. */
const ITEM_TYPES = Object.fromEntries(Object.entries(SHOPFLOW_TYPES.order_items).map(([n, t]) => [n, t === 'int' ? 'integer' : t]));

function seedFile(): { csv: string; rows: number } {
  const dir = join(WORK, `items-${ROWS}`);
  const csv = join(dir, 'order_items.csv');
  const count = join(dir, 'rows.txt');
  if (!existsSync(count)) {
    // ~4.2 items an order over 365 days.
    const ordersPerDay = Math.max(1, Math.round(ROWS / 4.2 / 365));
    console.log(`generating order_items.csv (~${ROWS} rows) ...`);
    writeFileSync(count, String(writeShopflowCsv(dir, { days: 365, ordersPerDay }, undefined, ['order_items'])['order_items']));
  }
  return { csv, rows: Number(readFileSync(count, 'utf8')) };
}

function seedProject(engine: string, declared: boolean, csv: string, pg?: PostgresServer): string {
  const dir = join(WORK, `seed-${engine}-${declared ? 'declared' : 'inferred'}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'seeds'), { recursive: true });
  symlinkSync(csv, join(dir, 'seeds/order_items.csv'));
  const target = engine === 'postgres'
    ? `{ type: 'postgres', host: '${pg!.host}', port: ${pg!.port}, user: '${pg!.user}', database: '${pg!.database}', schema: 'sf' }`
    : `{ type: '${engine}', path: 'target/bench.${engine}' }`;
  writeFileSync(join(dir, 'sf.config.ts'), `export default {
  name: 'seed_bench', targets: { dev: ${target} },
  seeds: { schema: 'raw', ${declared ? `columnTypes: { order_items: ${JSON.stringify(ITEM_TYPES)} }` : ''} },
};\n`);
  return dir;
}

async function seedBench(): Promise<void> {
  const { csv, rows: count } = seedFile();
  notes.push(`Seed file: order_items.csv from bench/generate-seeds.ts, ${count} rows.`);
  const pg = ENGINES.includes('postgres') ? await startPostgres({ database: 'sf_bench' }) : undefined;
  try {
    for (const engine of ENGINES) {
      for (const declared of [true, false]) {
        const dir = seedProject(engine, declared, csv, pg);
        const fresh = () => rmSync(join(dir, 'target'), { recursive: true, force: true });
        const bareDb = join(WORK, `bare.${engine}`);
        const bare: Job = engine === 'duckdb'
          ? { label: `read_csv${declared ? '' : ' (auto_detect)'}`, argv: [join(REPO, 'bench/bare/duckdb-load.mjs'), bareDb, csv, declared ? JSON.stringify(ITEM_TYPES) : 'auto'], cwd: REPO, before: () => rmSync(bareDb, { force: true }) }
          : engine === 'postgres'
            ? { label: 'COPY', argv: [join(REPO, 'bench/bare/pg-copy.mjs'), pg!.url, csv, JSON.stringify(ITEM_TYPES)], cwd: REPO }
            : { label: 'prepared insert loop', argv: [join(REPO, 'bench/bare/sqlite-insert.mjs'), bareDb, csv, JSON.stringify(ITEM_TYPES)], cwd: REPO, before: () => rmSync(bareDb, { force: true }) };
        pair('seed', `${engine}: sf seed, ${declared ? 'types declared' : 'types inferred'}`, { label: 'sf seed', argv: [SF, 'seed', '-q'], cwd: dir, before: fresh }, bare, '<= 2x (>= 50% of its speed)');
      }
    }
  } finally {
    await pg?.stop();
  }
}

// ---------------------------------------------------------------------------------------
// Builds: ShopFlow at ITEMS order items over 365 days, sf against its models' compiled SQL
// run directly (bench/bare/run-models.mjs); an incremental day and a 365-day backfill
// against a full refresh of fact_sales.

const ITEMS = Number(flag('items', '1000000'));
const DAYS = 365;
const FIRST_DAY = '2026-05-01';

function shopflowData(days: number): { dir: string; counts: Record<string, number> } {
  const dir = join(WORK, `shopflow-${ITEMS}-${days}d`);
  const done = join(dir, 'counts.json');
  if (!existsSync(done)) {
    console.log(`generating ShopFlow seeds (${days} days, ~${ITEMS} order items) ...`);
    const counts = writeShopflowCsv(dir, { days, ordersPerDay: Math.max(1, Math.round(ITEMS / 4.2 / DAYS)) });
    writeFileSync(done, JSON.stringify(counts));
  }
  return { dir, counts: JSON.parse(readFileSync(done, 'utf8')) as Record<string, number> };
}

/** A copy of this repository's ShopFlow project whose seeds are `data`, on `engine`. */
function shopflowProject(engine: string, data: string): { dir: string; target: string } {
  const dir = join(WORK, `shopflow-${engine}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const part of ['models', 'macros', 'tests', 'shopflow.config.ts']) execFileSync('cp', ['-r', join(REPO, part), dir]);
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(data, join(dir, 'seeds'));
  return { dir, target: { duckdb: 'dev', sqlite: 'sqlite', postgres: 'postgres' }[engine]! };
}

function pointSeeds(dir: string, data: string): void {
  rmSync(join(dir, 'seeds'), { force: true });
  symlinkSync(data, join(dir, 'seeds'));
}

/** Saves and restores the target's whole database between runs. */
interface Snapshots { save(): void; restore(): void }

function fileSnapshots(file: string): Snapshots {
  const saved = `${file}.bench-snapshot`;
  return {
    save: () => execFileSync('cp', [file, saved]),
    restore: () => {
      for (const suffix of ['.wal', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      execFileSync('cp', [saved, file]);
    },
  };
}

function pgSnapshots(pg: PostgresServer, database: string): Snapshots {
  const run = (statement: string) => spawnSync(process.execPath, ['-e', `
    const pg = require('pg'); const c = new pg.Client({ connectionString: ${JSON.stringify(pg.url.replace(/\/[^/]*$/, '/postgres'))} });
    c.connect().then(async () => { for (const s of ${JSON.stringify(statement.split(';'))}) await c.query(s); await c.end(); }).catch((e) => { console.error(e.message); process.exit(1); });`], { cwd: REPO, stdio: 'inherit' });
  return {
    save: () => void run(`drop database if exists snap_${database}; create database snap_${database} template ${database}`),
    restore: () => void run(`drop database if exists ${database} with (force); create database ${database} template snap_${database}`),
  };
}

async function buildBench(): Promise<void> {
  const { dir: history, counts } = shopflowData(DAYS);
  const plusOne = () => shopflowData(DAYS + 1).dir;
  const lastDay = new Date(Date.parse(`${FIRST_DAY}T00:00:00Z`) + (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  notes.push(`Builds: ShopFlow seeds from bench/generate-seeds.ts, ${DAYS} days, ${Object.entries(counts).map(([t, n]) => `${n} ${t}`).join(', ')}; the incremental day is day ${DAYS + 1}.`);
  const pg = ENGINES.includes('postgres') ? await startPostgres({ database: 'sf_bench' }) : undefined;
  try {
    for (const engine of ENGINES) {
      const { dir, target } = shopflowProject(engine, history);
      const env: NodeJS.ProcessEnv = pg ? { PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.user, PGDATABASE: pg.database } : {};
      const sf = (label: string, extra: string[], before?: () => void): Job => ({ label, argv: [SF, ...extra, '--target', target, '-q'], cwd: dir, env, before });
      const once = (extra: string[]) => timed([SF, ...extra, '--target', target, '-q'], { cwd: dir, env });
      once(['seed']);
      once(['compile']);
      const db = { duckdb: join(dir, 'target/shopflow.duckdb'), sqlite: join(dir, 'target/shopflow.sqlite') }[engine];
      const bareArgs = engine === 'postgres' ? [pg!.url, 'shopflow'] : [db!];
      const bare: Job = { label: 'the same SQL run directly', argv: [join(REPO, 'bench/bare/run-models.mjs'), dir, engine, ...bareArgs], cwd: REPO };
      // Without tests: fact_sales' quarantine rules (its property file) set aside for this pair.
      const rules = join(dir, 'models/marts/fact_sales.yml');
      renameSync(rules, `${rules}.off`);
      pair('build', `${engine}: sf run --full-refresh (models, no tests)`, sf('sf run --full-refresh', ['run', '--full-refresh']), bare, '<= 1.10x');
      renameSync(`${rules}.off`, rules);
      pair('build', `${engine}: sf build --full-refresh of the models with their quarantine tests`, sf('sf build --full-refresh -s path:models', ['build', '--full-refresh', '--select', 'path:models']), bare, '<= 1.35x');
      if (BUILDS_ONLY) continue;
      // One new day on a year of history, against rebuilding fact_sales whole.
      once(['build', '--full-refresh']);
      pointSeeds(dir, plusOne());
      once(['seed']);
      const snap = engine === 'postgres' ? pgSnapshots(pg!, pg!.database) : fileSnapshots(db!);
      snap.save();
      const full = sf('sf run -s fact_sales --full-refresh', ['run', '--select', 'fact_sales', '--full-refresh'], snap.restore);
      pair('incremental', `${engine}: one new day of fact_sales on ${DAYS} days`, sf('sf run -s fact_sales', ['run', '--select', 'fact_sales'], snap.restore), full, '<= 0.03x');
      if (engine === 'sqlite' && !args.includes('--sqlite-backfill')) {
        // Each batch's stage query joins the raw tables, which have no index: SQLite builds an
        // automatic index for every one, ~1 s a batch at 1M order items (6 minutes a run).
        notes.push(`SQLite's ${DAYS}-partition backfill was left out (pass --sqlite-backfill): about 1 s a batch at this size, each batch's query joining unindexed raw tables.`);
        continue;
      }
      pair('backfill', `${engine}: fact_sales, ${DAYS} daily partitions`, sf(`sf run -s fact_sales --start ${FIRST_DAY} --end ${lastDay}`, ['run', '--select', 'fact_sales', '--start', FIRST_DAY, '--end', lastDay], snap.restore), full, '<= 1.5x');
    }
  } finally {
    await pg?.stop();
  }
}

// ---------------------------------------------------------------------------------------

mkdirSync(WORK, { recursive: true });
const started = new Date();
const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`sf benchmark suite: ${machine()}; load average ${loadBefore}; ${RUNS} runs a side`);
if (ONLY.includes('compile')) compileBench();
if (ONLY.includes('seed')) await seedBench();
if (ONLY.includes('build')) await buildBench();
const loadAfter = loadavg().map((l) => l.toFixed(2)).join(' ');
const minutes = ((Date.now() - started.getTime()) / 60_000).toFixed(1);
console.log(`done in ${minutes} min; load average after ${loadAfter}`);

if (WRITE) {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  const block = [
    '<!-- bench:suite:start (written by `npm run bench`; edit the text outside the markers) -->',
    `Commit ${commit}, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${minutes} min. Machine: ${machine()}.`,
    `Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}. ${RUNS} runs a side, interleaved; times are whole processes.`,
    `Command: \`npm run bench -- ${args.join(' ')}\``.replace(/ -- `$/, '`'),
    '',
    '```',
    ...rows.map(format),
    '```',
    '',
    ...notes,
    '<!-- bench:suite:end -->',
  ].join('\n');
  const path = join(REPO, 'BENCHMARKS.md');
  const text = readFileSync(path, 'utf8');
  const re = /<!-- bench:suite:start[\s\S]*?<!-- bench:suite:end -->/;
  writeFileSync(path, re.test(text) ? text.replace(re, block) : text.replace(/^# Benchmarks\n/, `# Benchmarks\n\n## The suite (\`npm run bench\`)\n\n${block}\n`));
  console.log('BENCHMARKS.md updated');
}
