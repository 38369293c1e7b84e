// SQLite at run time: open the file through better-sqlite3 under Kysely's SqliteDialect (one
// connection), introspect sqlite_master, load CSVs, explain errors.
//
// Connection settings: WAL (readers don't block the writer), busy_timeout (another process
// writing makes us wait, then SQLITE_BUSY is retryable), foreign_keys off (sf builds tables
// in any order), legacy_alter_table on (a table read by a view can be swapped in by rename,
// see sql.ts).
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, sql } from 'kysely';
import type { SQLiteTarget } from '../../config/types.js';
import { UserError, errorMessage } from '../../util/errors.js';
import {
  describeHolder,
  LockTimeout,
  relationKey,
  type HeldLock,
  type Adapter,
  type ColumnInfo,
  type CsvLoad,
  type EngineErrorInfo,
  type LockHolder,
  type Relation,
  type RelationKind,
  type WarehouseState,
} from '../types.js';
import { readCsvRecords, sampleChecks } from '../csv-records.js';
import { rowChecksum } from '../row-checksum.js';
import { CHECKSUM_FUNCTION, SCHEMA_SEPARATOR, SQLITE_DEFAULT_SCHEMA, type SQLiteDialect } from './sql.js';
import { CellError, converterFor, type SqliteValue } from './values.js';

export const BUSY_TIMEOUT_MS = 5_000;
/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32. */
const MAX_PARAMETERS = 32_766;
const MAX_ROWS_PER_INSERT = 500;

/** SQLite's order of values: numbers before text, numbers by value, text by code unit. */
function sqliteCompare(a: unknown, b: unknown): number {
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
  if (numeric(a) !== numeric(b)) return numeric(a) ? -1 : 1;
  if (numeric(a)) return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export async function openSQLite(target: SQLiteTarget, projectDir: string, dialect: SQLiteDialect): Promise<Adapter> {
  const memory = target.path === ':memory:';
  const path = memory ? ':memory:' : isAbsolute(target.path) ? target.path : resolve(projectDir, target.path);
  let raw: Database.Database | undefined;
  try {
    if (!memory) mkdirSync(dirname(path), { recursive: true });
    raw = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    // The first statement reads the file: a file that is not a database fails here.
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = OFF');
    raw.pragma('legacy_alter_table = ON');
    // Functions dbt's cross-database macros use (compiler/cross-db.ts) that SQLite lacks.
    raw.function('md5', { deterministic: true }, (v: unknown) => (v === null ? null : createHash('md5').update(String(v)).digest('hex')));
    raw.function('split_part', { deterministic: true }, (s: unknown, delimiter: unknown, part: unknown) => {
      if (s === null || delimiter === null || part === null) return null;
      const pieces = String(s).split(String(delimiter));
      const n = Number(part);
      // As PostgreSQL: 1-based, negative counts from the end, out of range gives ''.
      return (n > 0 ? pieces[n - 1] : n < 0 ? pieces[pieces.length + n] : undefined) ?? '';
    });
    // PostgreSQL's least() / greatest(): NULLs ignored (SQLite's min() / max() of several give NULL).
    for (const [name, pick] of [['least', -1], ['greatest', 1]] as const) {
      raw.function(name, { varargs: true, deterministic: true }, (...values: unknown[]) => values
        .filter((v) => v !== null)
        .reduce<unknown>((best, v) => (best === null || sqliteCompare(v, best) * pick > 0 ? v : best), null));
    }
    // The partition ledger's checksum (sql.ts checksum()): a sum of 64-bit row hashes mod 2^64.
    raw.aggregate(CHECKSUM_FUNCTION, {
      varargs: true,
      deterministic: true,
      start: () => 0n,
      step: (total: bigint, ...values: unknown[]) => (total + rowChecksum(values)) & 0xffff_ffff_ffff_ffffn,
      result: (total: bigint) => total.toString(),
    });
  } catch (err) {
    raw?.close();
    throw new UserError('CONNECTION', `cannot open SQLite database ${target.path}: ${errorMessage(err)}`, {
      hint: `targets: 'path' is resolved against the project directory (${path}); is it a SQLite file, and writable?`,
      cause: err,
    });
  }
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: raw }) });
  return new SQLiteAdapter(dialect, db, raw, target.path);
}

class SQLiteAdapter implements Adapter {
  readonly dialect: SQLiteDialect;
  readonly db: Kysely<any>;
  readonly #raw: Database.Database;
  readonly #path: string;

  constructor(dialect: SQLiteDialect, db: Kysely<any>, raw: Database.Database, path: string) {
    this.dialect = dialect;
    this.db = db;
    this.#raw = raw;
    this.#path = path;
  }

  async describeColumns(db: Kysely<any>, rel: Relation): Promise<ColumnInfo[]> {
    const result = await sql<{ name: string; type: string }>`
      select name, type from pragma_table_info(${this.dialect.flatName(rel)}) order by cid`.execute(db);
    return result.rows.map((r) => ({ name: r.name, type: r.type }));
  }

  /**
   * A row in "sf__locks" per model being written. A row left by a process that died is taken
   * over: on this host when its PID is gone; from another host (a shared file) when its
   * heartbeat, refreshed after every unit of work, is older than STALE_AFTER_MS. The row is
   * written in its own short transaction.
   */
  async acquireLock(key: string, holder: LockHolder, timeoutMs: number, onWait?: (holder: string) => void): Promise<HeldLock> {
    const table = this.dialect.quoteIdentifier(LOCK_TABLE);
    const deadline = Date.now() + timeoutMs;
    let waited = false;
    for (;;) {
      // Another connection writing the file (SQLITE_BUSY past busy_timeout) is waited for too.
      const taken = await this.db.transaction().execute(async (trx) => {
        await sql.raw(`create table if not exists ${table} (
  lock_key text primary key, pid integer not null, host text not null, run_id text not null,
  started_at text not null, heartbeat_at text not null)`).execute(trx);
        const rows = await sql<{ pid: number; host: string; run_id: string; started_at: string; heartbeat_at: string }>`
          select pid, host, run_id, started_at, heartbeat_at from ${sql.raw(table)} where lock_key = ${key}`.execute(trx);
        const row = rows.rows[0];
        if (row && !lockIsStale(row, holder)) return row;
        const now = new Date().toISOString();
        await sql`insert or replace into ${sql.raw(table)} (lock_key, pid, host, run_id, started_at, heartbeat_at)
          values (${key}, ${holder.pid}, ${holder.host}, ${holder.runId}, ${holder.startedAt}, ${now})`.execute(trx);
        return undefined;
      }).catch((err: unknown) => {
        if (!describeSQLiteError(err).retryable) throw err;
        return { pid: 0, host: 'another connection', run_id: '', started_at: '', heartbeat_at: '', busy: errorMessage(err) };
      });
      if (!taken) {
        const mine = sql`lock_key = ${key} and run_id = ${holder.runId}`;
        return {
          release: async () => {
            await sql`delete from ${sql.raw(table)} where ${mine}`.execute(this.db);
          },
          refresh: async () => {
            await sql`update ${sql.raw(table)} set heartbeat_at = ${new Date().toISOString()} where ${mine}`.execute(this.db);
          },
        };
      }
      const who = 'busy' in taken
        ? 'another process holding the database file'
        : `sf ${describeHolder({ pid: taken.pid, host: taken.host, startedAt: taken.started_at, runId: taken.run_id })}`;
      if (Date.now() >= deadline) {
        throw new LockTimeout('busy' in taken
          ? `another process holds the SQLite database ${this.#path} (${taken.busy}); waited ${timeoutMs / 1000} s to write ${key}`
          : `another sf process is writing ${key}: ${who}; waited ${timeoutMs / 1000} s`);
      }
      if (!waited) onWait?.(who);
      waited = true;
      await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
    }
  }

  /** Flattened names map back to every requested schema they can belong to. */
  async introspect(schemas: readonly string[]): Promise<WarehouseState> {
    const state = new Map<string, RelationKind>();
    if (schemas.length === 0) return state;
    const result = await sql<{ name: string; type: string }>`
      select name, type from sqlite_master
      where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\'`.execute(this.db);
    const wanted = [...new Set(schemas.map((s) => s.toLowerCase()))];
    for (const row of result.rows) {
      const kind: RelationKind = row.type === 'view' ? 'view' : 'table';
      const lower = row.name.toLowerCase();
      for (const schema of wanted) {
        if (schema === SQLITE_DEFAULT_SCHEMA) state.set(relationKey({ schema, name: row.name }), kind);
        else if (lower.startsWith(`${schema}${SCHEMA_SEPARATOR}`) && lower.length > schema.length + SCHEMA_SEPARATOR.length) {
          state.set(relationKey({ schema, name: row.name.slice(schema.length + SCHEMA_SEPARATOR.length) }), kind);
        }
      }
    }
    return state;
  }

  /**
   * Stream-parse the CSV and insert it in multi-row statements (up to 500 rows, within the
   * bound-parameter limit) on `db`, the caller's transaction. Measured on 200,000 rows: as
   * fast as one prepared statement on better-sqlite3 directly (~180,000 rows/s, most of it
   * CSV parsing), twice as fast as one statement a row.
   */
  async loadCsv(db: Kysely<any>, load: CsvLoad): Promise<number> {
    if (!db.isTransaction) return db.transaction().execute((trx) => this.loadCsv(trx, load));
    const converters = load.columns.map((c) => converterFor(c.type));
    const checks = sampleChecks(load);
    const width = load.columns.length;
    const perInsert = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / width)));
    const table = this.dialect.renderRelation(load.relation);
    const cols = load.columns.map((c) => this.dialect.quoteIdentifier(c.name)).join(', ');
    const tuple = `(${load.columns.map(() => '?').join(', ')})`;
    const insertSql = (rows: number) => `insert into ${table} (${cols}) values ${Array(rows).fill(tuple).join(', ')}`;
    const fullInsert = this.#raw.prepare(insertSql(perInsert));

    let batch: SqliteValue[] = [];
    let rows = 0;
    for await (const record of readCsvRecords(load.path, load.delimiter, load.columns.map((c) => c.name), load.file)) {
      checks?.(record.cells);
      for (let i = 0; i < width; i++) {
        try {
          batch.push(converters[i]!(record.cells[i] ?? null));
        } catch (err) {
          if (!(err instanceof CellError)) throw err;
          throw new CellError(`${load.file}:${record.line}: column ${load.columns[i]!.name} (${load.columns[i]!.type}): ${err.message}`);
        }
      }
      if (++rows % perInsert === 0) {
        // The caller's transaction runs on this one connection: the statement is prepared once.
        fullInsert.run(batch);
        batch = [];
      }
    }
    if (batch.length) await db.executeQuery(CompiledQuery.raw(insertSql(rows % perInsert), batch));
    return rows;
  }

  async info(): Promise<{ version: string; settings: Record<string, string> }> {
    const pragma = (name: string) => String(this.#raw.pragma(name, { simple: true }));
    const version = await sql<{ v: string }>`select sqlite_version() as v`.execute(this.db);
    return {
      version: `SQLite ${version.rows[0]!.v}`,
      settings: {
        path: this.#path,
        file: this.#raw.name,
        journal_mode: pragma('journal_mode'),
        busy_timeout: `${pragma('busy_timeout')} ms`,
        foreign_keys: pragma('foreign_keys') === '1' ? 'on' : 'off',
        legacy_alter_table: pragma('legacy_alter_table') === '1' ? 'on' : 'off',
      },
    };
  }

  describeError(err: unknown): EngineErrorInfo {
    return describeSQLiteError(err, this.#path);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

const LOCK_TABLE = 'sf__locks';
/** SQLite has one writer, so a heartbeat waits for a long unit to commit: be generous. */
const STALE_AFTER_MS = 30 * 60_000;

function lockIsStale(row: { pid: number; host: string; run_id: string; heartbeat_at: string }, me: LockHolder): boolean {
  if (row.run_id === me.runId) return true;
  if (row.host === hostname()) return !processAlive(row.pid);
  return Date.now() - Date.parse(row.heartbeat_at) > STALE_AFTER_MS;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SQLITE_BUSY past busy_timeout says who holds the file, as DuckDB's lock message does. */
export function describeSQLiteError(err: unknown, path?: string): EngineErrorInfo {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const retryable = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
  const message = retryable && path
    ? `another process is writing the SQLite database ${path}; waited ${BUSY_TIMEOUT_MS / 1000} s for it (${errorMessage(err)})`
    : errorMessage(err);
  return { message, retryable };
}
