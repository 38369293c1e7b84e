/**
 * A real, throwaway PostgreSQL cluster for tests.
 *
 * `startPostgres()` runs `initdb` into a fresh temp dir, starts the server with
 * `pg_ctl -w start` on a free TCP port (127.0.0.1 only, trust auth, fsync off),
 * creates a fresh database and returns its connection URL. `stop()` shuts it
 * down (`pg_ctl -m immediate stop`) and removes the dir. The same cleanup runs
 * on process exit, SIGINT, SIGTERM and SIGHUP, so an interrupted test run leaves
 * no server or dir behind; a run killed with SIGKILL is reaped by the next
 * `startPostgres()` (see `reapStaleClusters`).
 *
 * initdb and pg_ctl refuse to run as root: when uid is 0 the temp dir is
 * chowned to the `postgres` OS user and both run through
 * `runuser -u postgres --`.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface StartPostgresOptions {
  /** Name of the database created after start. Default `sf_test`. */
  database?: string;
  /** Directory holding initdb/pg_ctl. Default: highest version under /usr/lib/postgresql/{n}/bin, or env SF_PG_BIN. */
  binDir?: string;
  /** Parent of the temp dir. Default: os.tmpdir() (falls back to /tmp when root and tmpdir is not traversable by `postgres`). */
  baseDir?: string;
  /** Extra server settings, passed as `-c key=value`. */
  settings?: Record<string, string | number>;
  /** How long to wait for the server to accept connections, in seconds. Default 60. */
  startTimeoutSeconds?: number;
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url: string;
  host: string;
  port: number;
  user: string;
  database: string;
  /** The temp dir (data dir, socket and server.log live under it). */
  dir: string;
  /** PostgreSQL major version of the binaries used, e.g. 15. */
  version: number;
  /** Milliseconds spent in each phase of startPostgres(), and in total. */
  timings: { initdb: number; start: number; createdb: number; total: number };
  stop(): Promise<void>;
}

const DIR_PREFIX = 'sf-pg-';
const OWNER_FILE = 'owner.pid';
const PG_ROOT = '/usr/lib/postgresql';
const USER = 'postgres';
const HOST = '127.0.0.1';

/** Finds the highest-versioned PostgreSQL bin dir, or throws with install instructions. */
export function findPostgresBinDir(): { binDir: string; version: number } {
  const override = process.env['SF_PG_BIN'];
  if (override) {
    if (!existsSync(join(override, 'initdb'))) {
      throw new Error(`SF_PG_BIN=${override} has no initdb binary`);
    }
    return { binDir: override, version: versionOf(override) };
  }
  let versions: number[] = [];
  try {
    versions = readdirSync(PG_ROOT)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .filter((name) => existsSync(join(PG_ROOT, name, 'bin', 'initdb')))
      .map(Number)
      .sort((a, b) => b - a);
  } catch {
    // no /usr/lib/postgresql at all
  }
  const best = versions[0];
  if (best === undefined) {
    throw new Error(
      `No PostgreSQL server binaries found (looked for ${PG_ROOT}/*/bin/initdb). ` +
        'Install them with: apt-get update && apt-get install -y --no-install-recommends postgresql ' +
        '(or set SF_TEST_PG_URL to an existing server, or SF_PG_BIN to a bin dir).',
    );
  }
  return { binDir: join(PG_ROOT, String(best), 'bin'), version: best };
}

function versionOf(binDir: string): number {
  const r = spawnSync(join(binDir, 'initdb'), ['--version'], { encoding: 'utf8' });
  const m = /(\d+)(?:\.\d+)?/.exec(r.stdout ?? '');
  return m ? Number(m[1]) : 0;
}

/** Asks the OS for a free TCP port on 127.0.0.1 (listen on port 0, then close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

// ---------------------------------------------------------------------------
// Running commands (as `postgres` when we are root)

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Environment without PG* variables that could redirect initdb/pg_ctl (PGDATA, PGPORT, ...). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PG')) env[k] = v;
  }
  env['LC_ALL'] = 'C';
  return env;
}

function command(binDir: string, tool: string, args: string[]): { file: string; args: string[] } {
  const exe = join(binDir, tool);
  return isRoot() ? { file: 'runuser', args: ['-u', USER, '--', exe, ...args] } : { file: exe, args };
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a tool in its own process group (detached), so a Ctrl-C meant for the test run does
 * not hit it halfway: the exit cleanup decides what to stop (see cleanupAllSync).
 */
function run(
  binDir: string,
  tool: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  opts: { killOnExit?: boolean } = {},
): Promise<RunResult> {
  const { file, args: argv } = command(binDir, tool, args);
  return new Promise((resolve) => {
    const child = spawn(file, argv, { cwd, env: cleanEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n${tool} timed out after ${timeoutMs} ms`;
      killGroup(child, 'SIGKILL');
    }, timeoutMs);
    const done = (code: number | null, extra = ''): void => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr: stderr + extra });
    };
    child.on('error', (err) => done(null, err.message));
    child.on('close', (code) => done(code));
    if (opts.killOnExit !== false) children.add(child);
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function runSync(binDir: string, tool: string, args: string[], cwd: string, timeoutMs: number): RunResult {
  const { file, args: argv } = command(binDir, tool, args);
  const r = spawnSync(file, argv, { cwd, env: cleanEnv(), timeout: timeoutMs, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '' };
}

function ensurePostgresUser(): { uid: number; gid: number } {
  const ids = (): { uid: number; gid: number } | undefined => {
    const u = spawnSync('id', ['-u', USER], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', USER], { encoding: 'utf8' });
    if (u.status !== 0 || g.status !== 0) return undefined;
    return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
  };
  let found = ids();
  if (!found) {
    const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', USER], {
      encoding: 'utf8',
    });
    found = ids();
    if (!found) {
      throw new Error(
        `Running as root, but there is no '${USER}' OS user to run initdb as, and useradd failed: ${r.stderr || r.error?.message}`,
      );
    }
  }
  return found;
}

function chownRecursive(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) chownRecursive(join(path, name), uid, gid);
  }
}

/** True when every ancestor of `dir` can be traversed by other users (so `postgres` can reach it). */
function traversableByOthers(dir: string): boolean {
  let cur = dir;
  for (;;) {
    try {
      if ((statSync(cur).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = join(cur, '..');
    if (parent === cur) return true;
    cur = parent;
  }
}

// ---------------------------------------------------------------------------
// Cleanup registry: stop servers and remove dirs on exit and on signals.

const pending = new Map<string, () => void>();
/** initdb/pg_ctl processes in flight (stopped first when we exit mid-start). */
const children = new Set<ChildProcess>();
/** Dirs whose `pg_ctl start` is in flight: the postmaster may come up after pg_ctl dies. */
const starting = new Set<string>();
let handlersInstalled = false;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function cleanupAllSync(): void {
  // initdb & co. (whole process groups): nothing may write into the dirs we remove.
  for (const child of children) killGroup(child, 'SIGKILL');
  children.clear();
  for (const [dir, fn] of [...pending]) {
    pending.delete(dir);
    try {
      fn();
    } catch {
      // best effort while exiting
    }
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      cleanupAllSync();
      // Our listener replaces Node's default (exit) for this signal. If nobody else handles it,
      // exit as the default would; otherwise leave it to them (vitest exits on its own; a
      // short delay lets it flush its output first).
      if (process.listenerCount(signal) === 1) {
        setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 200);
      }
    };
    process.on(signal, onSignal);
  }
}

/** Stops a cluster synchronously (usable from an 'exit' handler) and removes its dir. */
function stopSync(binDir: string, dir: string): void {
  const data = join(dir, 'data');
  const pidFile = join(data, 'postmaster.pid');
  if (starting.has(dir)) {
    // Interrupted during `pg_ctl start`: the (detached) postmaster may still be coming up.
    for (let waited = 0; waited < 3000 && !existsSync(pidFile); waited += 50) sleepSync(50);
  }
  if (existsSync(pidFile)) {
    const r = runSync(binDir, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop'], dir, 30_000);
    if (r.code !== 0) killPostmaster(pidFile);
  }
  // retries: an interrupted initdb may still be removing its own files
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

async function stopAsync(binDir: string, dir: string): Promise<void> {
  const data = join(dir, 'data');
  const pidFile = join(data, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const r = await run(binDir, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop'], dir, 30_000);
    if (r.code !== 0) killPostmaster(pidFile);
  }
  // retries: an interrupted initdb may still be removing its own files
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

/** Fallback when pg_ctl cannot stop it: SIGKILL the postmaster named in postmaster.pid (children exit with it). */
function killPostmaster(pidFile: string): void {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes clusters left behind by processes that died without cleaning up
 * (e.g. SIGKILL): any `<base>/sf-pg-*` dir whose owner.pid names a dead process.
 */
export function reapStaleClusters(binDir: string, base: string): void {
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(base, name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8').trim());
    } catch {
      continue; // not ours or still being created
    }
    if (!(owner > 0) || alive(owner)) continue;
    try {
      stopSync(binDir, dir);
    } catch {
      // someone else may be reaping it at the same time
    }
  }
}

// ---------------------------------------------------------------------------

function tail(file: string, lines = 40): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

/** Starts a throwaway PostgreSQL cluster and creates a fresh database in it. */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const t0 = performance.now();
  const database = opts.database ?? 'sf_test';
  const { binDir, version } = opts.binDir ? { binDir: opts.binDir, version: versionOf(opts.binDir) } : findPostgresBinDir();
  const root = isRoot();
  const owner = root ? ensurePostgresUser() : undefined;

  let base = opts.baseDir ?? tmpdir();
  if (root && !opts.baseDir && !traversableByOthers(base)) base = '/tmp';
  reapStaleClusters(binDir, base);

  const dir = mkdtempSync(join(base, DIR_PREFIX));
  writeFileSync(join(dir, OWNER_FILE), `${process.pid}\n`);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  installHandlers();
  pending.set(dir, () => stopSync(binDir, dir));

  const fail = async (what: string, r: RunResult | undefined, extra = ''): Promise<never> => {
    const detail = [r ? `exit code ${r.code}` : '', r?.stderr.trim(), r?.stdout.trim(), extra].filter(Boolean).join('\n');
    const logTail = tail(log);
    pending.delete(dir);
    await stopAsync(binDir, dir).catch(() => undefined);
    throw new Error(`${what} (PostgreSQL ${version}, ${binDir})\n${detail}\n--- server log (tail) ---\n${logTail}`);
  };

  // The exit/signal cleanup may run while we await below (vitest exits a moment after SIGINT):
  // then it has removed the dir, and we must not go on starting things.
  const interrupted = (): boolean => !pending.has(dir);
  const bail = (): never => {
    throw new Error('startPostgres interrupted: the process is exiting');
  };

  try {
    if (root && owner) {
      // The temp dir must be reachable and owned by `postgres`.
      chownRecursive(dir, owner.uid, owner.gid);
    }

    // 1. initdb
    const tInit = performance.now();
    const init = await run(
      binDir,
      'initdb',
      ['-D', data, '--auth=trust', '-U', USER, '--no-sync', '-E', 'UTF8', '--locale=C'],
      dir,
      120_000,
    );
    if (interrupted()) bail();
    if (init.code !== 0) await fail('initdb failed', init);
    const initdbMs = performance.now() - tInit;

    // 2. pg_ctl start on a free port (retry if another process grabbed the port meanwhile)
    const tStart = performance.now();
    const settings: Record<string, string | number> = {
      listen_addresses: HOST,
      fsync: 'off',
      full_page_writes: 'off',
      synchronous_commit: 'off',
      ...opts.settings,
    };
    const timeout = opts.startTimeoutSeconds ?? 60;
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      if (interrupted()) bail();
      starting.add(dir);
      const o = [`-p ${port}`, `-k '${dir}'`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
      const start = await run(
        binDir,
        'pg_ctl',
        ['-D', data, '-l', log, '-w', '-t', String(timeout), '-o', o, 'start'],
        dir,
        (timeout + 30) * 1000,
        { killOnExit: false }, // the exit cleanup waits for the postmaster and stops it instead
      );
      starting.delete(dir);
      if (interrupted()) bail();
      if (start.code === 0) break;
      const logText = tail(log, 200);
      const portTaken = /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(logText);
      if (!portTaken || attempt >= 3) await fail(`pg_ctl start failed on port ${port}`, start);
      // make sure nothing half-started keeps the data dir, then retry on another port
      await run(binDir, 'pg_ctl', ['-D', data, '-m', 'immediate', 'stop'], dir, 30_000);
    }
    const startMs = performance.now() - tStart;

    // 3. a fresh database
    const tCreate = performance.now();
    const client = new pg.Client({ host: HOST, port, user: USER, database: 'postgres' });
    try {
      await client.connect();
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } catch (e) {
      await client.end().catch(() => undefined);
      if (interrupted()) bail();
      await fail(`creating database ${database} failed`, undefined, (e as Error).message);
    }
    await client.end();
    if (interrupted()) bail();
    const createdbMs = performance.now() - tCreate;

    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://${USER}@${HOST}:${port}/${encodeURIComponent(database)}`,
      host: HOST,
      port,
      user: USER,
      database,
      dir,
      version,
      timings: {
        initdb: Math.round(initdbMs),
        start: Math.round(startMs),
        createdb: Math.round(createdbMs),
        total: Math.round(performance.now() - t0),
      },
      stop(): Promise<void> {
        stopped ??= (async () => {
          if (!pending.has(dir)) return; // already cleaned up
          // stays registered until stopped, so an exit meanwhile still cleans up
          await stopAsync(binDir, dir);
          pending.delete(dir);
        })();
        return stopped;
      },
    };
  } catch (e) {
    // Anything unexpected (including errors thrown by fail()) — make sure nothing is left.
    if (pending.delete(dir)) await stopAsync(binDir, dir).catch(() => undefined);
    throw e;
  }
}
