// Engines by name. Dialects are pure and cheap; a driver is imported only when a target of
// that engine is opened, so a DuckDB project never loads pg or better-sqlite3.
import type { EngineName, TargetConfig } from '../config/types.js';
import { DuckDBDialect } from './duckdb/sql.js';
import { PostgresDialect } from './postgres/sql.js';
import { SQLiteDialect } from './sqlite/sql.js';
import type { Adapter, LockHolder, SqlDialect } from './types.js';

export interface OpenOptions {
  /** How long to wait for a target another process holds (DuckDB's file; model locks elsewhere). */
  readonly lockTimeoutMs: number;
  /** This process, as other processes waiting for it see it. */
  readonly holder?: LockHolder | undefined;
  /** Told once when the open has to wait for another process. */
  readonly onWait?: ((message: string) => void) | undefined;
}

export const DEFAULT_LOCK_TIMEOUT_S = 60;

/** The pure SQL side of an engine; `schema` is the target's schema (ignored by SQLite). */
export function dialectFor(engine: EngineName, schema?: string): SqlDialect {
  switch (engine) {
    case 'duckdb':
      return new DuckDBDialect(schema);
    case 'sqlite':
      return new SQLiteDialect();
    case 'postgres':
      return new PostgresDialect(schema);
    default:
      throw new Error(`engine '${engine as string}' has no adapter`);
  }
}

export function targetSchema(target: TargetConfig): string | undefined {
  return 'schema' in target ? target.schema : undefined;
}

/**
 * Open a connection to the target. A target that cannot be reached throws a one-line
 * `UserError('CONNECTION')` with a hint; secrets come from the environment (`env`).
 */
export async function openAdapter(
  target: TargetConfig,
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
  options: OpenOptions = { lockTimeoutMs: (target.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_S) * 1000 },
): Promise<Adapter> {
  switch (target.type) {
    case 'duckdb': {
      const { openDuckDB } = await import('./duckdb/adapter.js');
      return openDuckDB(target, projectDir, dialectFor('duckdb', target.schema), options);
    }
    case 'sqlite': {
      const { openSQLite } = await import('./sqlite/adapter.js');
      return openSQLite(target, projectDir, new SQLiteDialect());
    }
    case 'postgres': {
      const { openPostgres } = await import('./postgres/adapter.js');
      return openPostgres(target, new PostgresDialect(target.schema), env);
    }
    default:
      throw new Error(`engine '${(target as TargetConfig).type}' has no adapter`);
  }
}
