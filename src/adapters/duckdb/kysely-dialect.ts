// A Kysely dialect over @duckdb/node-api. DuckDB speaks PostgreSQL's SQL closely enough to
// reuse Kysely's Postgres query compiler and adapter. Connections are pooled per instance,
// so a transaction stays on one connection (temp tables and `begin` survive).
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import { postgresFlavouredDialect } from '../postgres-flavoured-dialect.js';
import { onInterrupt } from '../../runner/interrupts.js';

export function duckDBKyselyDialect(instance: DuckDBInstance): Dialect {
  return postgresFlavouredDialect(() => new DuckDBDriver(instance));
}

class DuckDBDriver implements Driver {
  readonly #instance: DuckDBInstance;
  readonly #idle: DuckDBKyselyConnection[] = [];
  readonly #all: DuckDBKyselyConnection[] = [];

  readonly #unregister: () => void;

  constructor(instance: DuckDBInstance) {
    this.#instance = instance;
    this.#unregister = onInterrupt(() => { for (const conn of this.#all) conn.interrupt(); });
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    const conn = new DuckDBKyselyConnection(await this.#instance.connect());
    this.#all.push(conn);
    return conn;
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('begin transaction'));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    this.#idle.push(conn as DuckDBKyselyConnection);
  }

  async destroy(): Promise<void> {
    this.#unregister();
    for (const conn of this.#all) conn.close();
    this.#all.length = 0;
    this.#idle.length = 0;
  }
}

class DuckDBKyselyConnection implements DatabaseConnection {
  readonly #conn: DuckDBConnection;
  /** The statement running on it, if any. */
  #running: Promise<unknown> | undefined;

  constructor(conn: DuckDBConnection) {
    this.#conn = conn;
  }

  /**
   * Stop the statement running on it (Ctrl-C, --fail-fast). DuckDB clears the flag when a
   * query begins, so a statement handed to its worker thread but not begun yet would miss one
   * interrupt and run to its end: ask again until the statement has stopped.
   */
  interrupt(): void {
    const running = this.#running;
    if (!running) return;
    this.#conn.interrupt();
    const again = setInterval(() => this.#conn.interrupt(), 100);
    void running.finally(() => clearInterval(again)).catch(() => {});
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const params = query.parameters.length ? (query.parameters as DuckDBValue[]) : undefined;
    const run = this.#conn.runAndReadAll(query.sql, params);
    this.#running = run;
    const reader = await run.finally(() => { if (this.#running === run) this.#running = undefined; });
    // JSON conversion keeps decimals and bigints exact (as strings) and dates as ISO text.
    const rows = reader.getRowObjectsJson() as R[];
    const names = reader.columnNames();
    // DDL/DML report their row count as a single `Count` column.
    if (names.length === 1 && names[0] === 'Count' && rows.length === 1) {
      const count = (rows[0] as Record<string, unknown>)['Count'];
      return { rows, numAffectedRows: BigInt(String(count)) };
    }
    return { rows };
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(query);
  }

  close(): void {
    this.#conn.closeSync();
  }
}
