// A Kysely dialect over a pg.Pool, reusing Kysely's Postgres query compiler, adapter and
// introspector. Kysely's own PostgresDialect does almost the same; this one exists for three
// things it cannot do:
//   - report the row count of `create table as` (pg gives it; Kysely keeps counts of DML only);
//   - run `COPY ... FROM STDIN` on the connection a transaction holds: the CSV loader sends a
//     query whose only parameter is a `CopyIn` (see `copyIn`), and the connection streams it;
//   - remember the SQL of a failed statement, so errors can point at the line (`failedSql`).
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { postgresFlavouredDialect } from '../postgres-flavoured-dialect.js';
import { onInterrupt } from '../../runner/interrupts.js';

const PgClient = pg.Client;

/** A stream of COPY data, sent as the only parameter of a `copy ... from stdin` query. */
export class CopyIn {
  readonly source: Readable;

  constructor(source: Readable) {
    this.source = source;
  }
}

/** Runs `copy ... from stdin` on `db`'s connection (the caller's transaction) and returns its row count. */
export async function copyIn(db: Kysely<any>, copySql: string, source: Readable): Promise<number> {
  const result = await db.executeQuery(CompiledQuery.raw(copySql, [new CopyIn(source)]));
  return Number(result.numAffectedRows ?? 0n);
}

const statementOf = new WeakMap<object, string>();

/** The SQL of the statement that raised `err`, when it came from this driver. */
export function failedSql(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? statementOf.get(err) : undefined;
}

export function pgKyselyDialect(pool: pg.Pool): Dialect {
  return postgresFlavouredDialect(() => new PgDriver(pool));
}

class PgDriver implements Driver {
  readonly #pool: pg.Pool;
  readonly #connections = new WeakMap<pg.PoolClient, PgConnection>();

  /** Clients checked out: their statements are cancelled on Ctrl-C. */
  readonly #busy = new Set<pg.PoolClient>();
  /** Clients whose server connection failed: closed on release, never handed out again. */
  readonly #broken = new WeakSet<pg.PoolClient>();
  readonly #unregister: () => void;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.#unregister = onInterrupt(() => this.#cancelAll());
    // A client whose server connection drops emits 'error'; unheard, that would crash the
    // process. Listened to from the moment the pool makes it: the server can end a connection
    // (pg_terminate_backend) in the same packet that finishes opening it, before it is handed out.
    // The query under way fails on its own and the unit is retried; the client is not reused.
    pool.on('connect', (client) => client.on('error', () => this.#broken.add(client)));
  }

  /** pg_cancel_backend for every statement under way, from a connection of its own. */
  async #cancelAll(): Promise<void> {
    const pids = [...this.#busy].map((c) => (c as unknown as { processID?: number }).processID).filter((p): p is number => typeof p === 'number');
    if (pids.length === 0) return;
    const canceller = new PgClient(this.#pool.options);
    canceller.on('error', () => {});
    await canceller.connect();
    try {
      await canceller.query('select pg_cancel_backend(pid) from unnest($1::int[]) as pid', [pids]);
    } finally {
      await canceller.end().catch(() => {});
    }
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const client = await this.#pool.connect();
    this.#busy.add(client);
    let conn = this.#connections.get(client);
    if (!conn) {
      conn = new PgConnection(client);
      this.#connections.set(client, conn);
    }
    return conn;
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const c = conn as PgConnection;
    this.#busy.delete(c.client);
    // A broken connection is closed, not handed out again.
    c.client.release(c.broken || this.#broken.has(c.client) ? true : undefined);
  }

  async destroy(): Promise<void> {
    this.#unregister();
    await this.#pool.end();
  }
}

class PgConnection implements DatabaseConnection {
  readonly client: pg.PoolClient;
  /** Its server connection failed: it must not go back to the pool. */
  broken = false;

  constructor(client: pg.PoolClient) {
    this.client = client;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const only = query.parameters.length === 1 ? query.parameters[0] : undefined;
      if (only instanceof CopyIn) {
        const copy = this.client.query(copyFrom(query.sql));
        await pipeline(only.source, copy);
        return { rows: [], numAffectedRows: BigInt(copy.rowCount) };
      }
      const result = await this.client.query(query.sql, [...query.parameters]);
      // `create table as` reports `SELECT n` with no result columns.
      const counted = result.rowCount !== null && (result.command !== 'SELECT' || result.fields.length === 0);
      return {
        rows: (result.rows ?? []) as R[],
        ...(counted ? { numAffectedRows: BigInt(result.rowCount!) } : {}),
      };
    } catch (err) {
      if (typeof err === 'object' && err !== null) statementOf.set(err, query.sql);
      throw err;
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the sf PostgreSQL driver');
  }
}
