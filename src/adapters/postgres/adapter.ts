// PostgreSQL at run time: a pg.Pool (its own type parsers, sessions in UTC) under our Kysely
// dialect, introspection from pg_catalog, CSV loads through COPY, and errors explained.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Kysely, sql } from 'kysely';
import type { PostgresTarget } from '../../config/types.js';
import { errorMessage } from '../../util/errors.js';
import {
  describeHolder,
  LockTimeout,
  NOTHING_TO_REFRESH,
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
import { rowChecksum } from '../row-checksum.js';
import { badSeedValue, raggedRow, unclosedQuote } from '../seed-errors.js';
import { SampleTooNarrow } from '../seed-types.js';
import { copySource } from './copy-csv.js';
import { connectionError, sessionSettingError, pgSettings, scrub, type PgSettings } from './connection.js';
import { copyIn, failedSql, pgKyselyDialect } from './kysely-dialect.js';
import type { PostgresDialect } from './sql.js';

/** numeric, int8, date, timestamp, timestamptz: the text PostgreSQL prints, unparsed. */
/** New lock sessions tried when one is lost while taking a lock. */
const LOCK_SESSION_RETRIES = 3;

const TEXT_TYPES = new Set<number>([
  pg.types.builtins.NUMERIC, pg.types.builtins.INT8, pg.types.builtins.DATE,
  pg.types.builtins.TIMESTAMP, pg.types.builtins.TIMESTAMPTZ,
]);

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (TEXT_TYPES.has(oid) && format !== 'binary') return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/**
 * A pooled client listened to from birth: the server can end a connection (pg_terminate_backend)
 * at any moment, even before the pool hands it out or says it connected; unheard, that 'error'
 * event would end the process. The query under way still fails and its unit is retried.
 */
class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => {});
  }
}

export async function openPostgres(target: PostgresTarget, dialect: PostgresDialect, env: NodeJS.ProcessEnv): Promise<Adapter> {
  const settings = pgSettings(target, dialect.defaultSchema, env);
  const pool = new pg.Pool({ ...settings.pool, types: typeParsers, Client: ListenedClient });
  // An idle pooled client whose server goes away emits 'error' on the pool: without a
  // listener that would crash the process; the next query reports the failure instead.
  pool.on('error', () => {});
  try {
    // Closed, not pooled: the driver listens to the clients the pool makes from now on.
    const client = await pool.connect();
    client.release(true);
  } catch (err) {
    await pool.end().catch(() => {});
    throw connectionError(err, settings) ?? sessionSettingError(err, settings) ?? err;
  }
  const db = new Kysely<any>({ dialect: pgKyselyDialect(pool) });
  return new PostgresAdapter(dialect, db, settings);
}

class PostgresAdapter implements Adapter {
  readonly dialect: PostgresDialect;
  readonly db: Kysely<any>;
  readonly #settings: PgSettings;
  /** The session that holds this run's advisory locks (released if the process dies). */
  #lockClient: Promise<pg.Client> | undefined;
  /** The lock session's last query: steps locking at once queue theirs behind it (pg warns when a busy client is handed another). */
  #lockQueue: Promise<unknown> = Promise.resolve();

  constructor(dialect: PostgresDialect, db: Kysely<any>, settings: PgSettings) {
    this.dialect = dialect;
    this.db = db;
    this.#settings = settings;
  }

  async describeColumns(db: Kysely<any>, rel: Relation): Promise<ColumnInfo[]> {
    const result = await sql<{ name: string; type: string }>`
      select a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type
      from pg_catalog.pg_attribute a
      where a.attrelid = to_regclass(${this.dialect.renderRelation(rel)}) and a.attnum > 0 and not a.attisdropped
      order by a.attnum`.execute(db);
    return result.rows;
  }

  /**
   * A session-level advisory lock on a connection of its own, named by the model's relation.
   * PostgreSQL releases it when that session ends, also when this process is killed. While it
   * waits, the holder is read from pg_locks and pg_stat_activity (its application_name says
   * which sf process, host and run it is).
   */
  async acquireLock(key: string, holder: LockHolder, timeoutMs: number, onWait?: (holder: string) => void): Promise<HeldLock> {
    // The lock session lost (a server restart, pg_terminate_backend): a new one, a few times,
    // within the same deadline.
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#acquireLockOnce(key, holder, deadline, timeoutMs, onWait);
      } catch (err) {
        if (err instanceof LockTimeout || !this.describeError(err).retryable || attempt > LOCK_SESSION_RETRIES) throw err;
        this.#lockClient = undefined;
        await sleep(100 * 2 ** (attempt - 1));
      }
    }
  }

  async #acquireLockOnce(key: string, holder: LockHolder, deadline: number, timeoutMs: number, onWait?: (holder: string) => void): Promise<HeldLock> {
    // A failed or lost lock session is opened again for the next lock, not cached broken.
    const client = await (this.#lockClient ??= this.#connectLockClient(holder).catch((err: unknown) => {
      this.#lockClient = undefined;
      throw err;
    }));
    const [a, b] = advisoryKey(`${this.#settings.shown['database']}:${key}`);
    let waited = false;
    for (;;) {
      const got = await this.#onLockSession(() => client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [a, b]));
      if (got.rows[0]?.ok) {
        return {
          release: async () => {
            await this.#onLockSession(() => client.query('select pg_advisory_unlock($1, $2)', [a, b]));
          },
          refresh: NOTHING_TO_REFRESH,
        };
      }
      if (Date.now() >= deadline) {
        throw new LockTimeout(`another sf process is writing ${key}: ${await this.#lockHolder(client, a, b)}; waited ${timeoutMs / 1000} s`);
      }
      if (!waited) onWait?.(await this.#lockHolder(client, a, b));
      waited = true;
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
  }

  #onLockSession<T>(query: () => Promise<T>): Promise<T> {
    const result = this.#lockQueue.then(query);
    this.#lockQueue = result.catch(() => undefined);
    return result;
  }

  /** Who holds advisory lock (a, b): its application_name names the sf process and host. */
  async #lockHolder(client: pg.Client, a: number, b: number): Promise<string> {
    const who = await this.#onLockSession(() => client.query<{ pid: number; application_name: string; client_addr: string | null; backend_start: string }>(
      `select a.pid, a.application_name, a.client_addr::text as client_addr, a.backend_start::text as backend_start
       from pg_catalog.pg_locks l join pg_catalog.pg_stat_activity a on a.pid = l.pid
       where l.locktype = 'advisory' and l.classid = $1::int::oid and l.objid = $2::int::oid and l.objsubid = 2 and l.granted`,
      [a, b]));
    const row = who.rows[0];
    return row
      ? `${row.application_name || 'a session'} (server PID ${row.pid}${row.client_addr ? ` from ${row.client_addr}` : ''}, connected since ${row.backend_start})`
      : 'a session that has just released it';
  }

  async #connectLockClient(holder: LockHolder): Promise<pg.Client> {
    const name = `sf ${describeHolder({ pid: holder.pid, host: holder.host, startedAt: holder.startedAt })}`.slice(0, 63);
    const client = new pg.Client({ ...this.#settings.pool, application_name: name, types: typeParsers });
    client.on('error', () => {
      this.#lockClient = undefined;
    });
    await client.connect();
    return client;
  }

  async introspect(schemas: readonly string[]): Promise<WarehouseState> {
    const state = new Map<string, RelationKind>();
    if (schemas.length === 0) return state;
    const result = await sql<{ schema_name: string; relation_name: string; relkind: string }>`
      select n.nspname as schema_name, c.relname as relation_name, c.relkind::text as relkind
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'f')
        and lower(n.nspname) = any(${schemas.map((s) => s.toLowerCase())}::text[])`.execute(this.db);
    for (const row of result.rows) {
      state.set(relationKey({ schema: row.schema_name, name: row.relation_name }), row.relkind === 'v' ? 'view' : 'table');
    }
    return state;
  }

  /**
   * COPY FROM STDIN inside the caller's transaction, fed by copy-csv.ts (the file as it is, or
   * re-sent canonical CSV); PostgreSQL converts and checks the values. A bad value fails the
   * load with the file's line.
   */
  async loadCsv(db: Kysely<any>, load: CsvLoad): Promise<number> {
    const table = this.dialect.renderRelation(load.relation);
    const cols = load.columns.map((c) => this.dialect.quoteIdentifier(c.name)).join(', ');
    const { source, options, fileLine } = await copySource(load);
    try {
      return await copyIn(db, `copy ${table} (${cols}) from stdin with (format csv${options})`, source);
    } catch (err) {
      if (err instanceof SampleTooNarrow) throw err;
      throw copyError(err, load, fileLine);
    }
  }

  async info(): Promise<{ version: string; settings: Record<string, string> }> {
    const result = await sql<{ version: string; timezone: string }>`
      select current_setting('server_version') as version, current_setting('TimeZone') as timezone`.execute(this.db);
    const row = result.rows[0]!;
    return {
      version: `PostgreSQL ${row.version}`,
      settings: { ...this.#settings.shown, pool_size: String(this.#settings.pool.max), timezone: row.timezone },
    };
  }

  describeError(err: unknown): EngineErrorInfo {
    return describePostgresError(err, this.#settings);
  }

  async close(): Promise<void> {
    const lockClient = this.#lockClient;
    this.#lockClient = undefined;
    if (lockClient) await (await lockClient.catch(() => undefined))?.end().catch(() => {});
    await this.db.destroy();
  }
}

/** Two int4 keys for pg_try_advisory_lock(int4, int4) from a name. */
function advisoryKey(name: string): [number, number] {
  const h = rowChecksum([name]);
  return [Number(BigInt.asIntN(32, h >> 32n)), Number(BigInt.asIntN(32, h))];
}

/**
 * Transient: serialization failure, deadlock, too many connections, the server shutting down or
 * not accepting connections yet, and connection failures (08xxx); plus a socket the driver
 * lost. A unit is idempotent, so running it again on a new connection is safe.
 */
const RETRYABLE = new Set(['40001', '40P01', '53300', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const LOST_CONNECTION = /Connection terminated|ECONNRESET|EPIPE|ETIMEDOUT|Client has encountered a connection error/i;

export function describePostgresError(err: unknown, settings: PgSettings): EngineErrorInfo {
  const connection = connectionError(err, settings);
  // Mid-run (this is only asked about failed units), a server that went away may come back.
  if (connection) return { message: `${connection.message}\nhint: ${connection.hint}`, retryable: true };
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: string; detail?: string; hint?: string; position?: string; where?: string;
    internalPosition?: string; internalQuery?: string; cause?: unknown;
  };
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code;
  // A connection cut mid-statement (server restart, pg_terminate_backend, network): say where.
  const lost = LOST_CONNECTION.test(errorMessage(err)) || code === '57P01';
  const lines = [lost
    ? `lost the connection to PostgreSQL at ${settings.shown['host']}:${settings.shown['port']} (${errorMessage(err).split('\n')[0]})`
    : errorMessage(err)];
  const statement = failedSql(err) ?? failedSql(e.cause);
  if (e.position && statement) lines.push(pointAt(statement, Number(e.position)));
  else if (e.position) lines.push(`at character ${e.position} of the statement`);
  if (e.internalQuery && e.internalPosition) lines.push(pointAt(e.internalQuery, Number(e.internalPosition)));
  if (e.detail) lines.push(`detail: ${e.detail}`);
  if (e.hint) lines.push(`hint: ${e.hint}`);
  const retryable = (code !== undefined && RETRYABLE.has(code)) || lost;
  return { message: scrub(lines.join('\n'), settings.secrets), retryable };
}

/** `line 3 of the statement: from orders o join ...` with a caret under the 1-based character. */
function pointAt(statement: string, position: number): string {
  const before = statement.slice(0, Math.max(0, position - 1));
  const lineNo = before.split('\n').length;
  const lineText = statement.split('\n')[lineNo - 1] ?? '';
  const column = before.length - before.lastIndexOf('\n') - 1;
  const prefix = `line ${lineNo} of the statement: `;
  return `${prefix}${lineText.trimEnd()}\n${' '.repeat(prefix.length + column)}^`;
}

/** COPY's failure with the file's line, a refused value worded as on every engine (seed-errors.ts). */
function copyError(err: unknown, load: CsvLoad, fileLine: (copyLine: number) => number | undefined): Error {
  const where = (err as { where?: string }).where ?? '';
  const copyLine = /\bline (\d+)/.exec(where);
  const line = copyLine ? fileLine(Number(copyLine[1])) : undefined;
  if (line === undefined) return err as Error;
  // `COPY t, line 5, column joined_on: "not-a-date"`: the value is quoted, not escaped.
  const bad = /\bcolumn (\S+?): "(.*)"\s*$/s.exec(where);
  const column = bad?.[1] ?? /\bcolumn (\S+?):/.exec(where)?.[1];
  const spec = load.columns.find((c) => c.name === column);
  const code = (err as { code?: string }).code;
  // 22P02 / 22007 / 22008: a value the column's type does not take.
  const refused = bad && spec && ['22P02', '22007', '22008'].includes(code ?? '');
  const text = errorMessage(err);
  const message = refused
    ? badSeedValue(load.file, line, column!, spec.type, bad[2]!)
    : /^(extra data after last expected column|missing data for column)/.test(text)
      ? raggedRow(load.file, line, load.columns.length)
      : /unterminated CSV quoted field/.test(text)
        ? unclosedQuote(load.file, line)
        : `${load.file}:${line}: ${column ? `column ${column}: ` : ''}${text}`;
  return Object.assign(new Error(message, { cause: err }), { code });
}
