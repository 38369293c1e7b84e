// Engines by name. Dialects are pure and cheap; a driver is imported only when a target of
// that engine is opened, so a DuckDB project never loads pg or better-sqlite3.
import type { EngineName, TargetConfig } from '../config/types.js';
import { DuckDBDialect } from './duckdb/sql.js';
import type { Adapter, SqlDialect } from './types.js';

export function dialectFor(engine: EngineName, schema?: string): SqlDialect {
  switch (engine) {
    case 'duckdb':
      return new DuckDBDialect(schema);
    default:
      throw new Error(`engine '${engine}' has no adapter yet`);
  }
}

export function targetSchema(target: TargetConfig): string | undefined {
  return 'schema' in target ? target.schema : undefined;
}

export async function openAdapter(target: TargetConfig, projectDir: string): Promise<Adapter> {
  switch (target.type) {
    case 'duckdb': {
      const { openDuckDB } = await import('./duckdb/adapter.js');
      return openDuckDB(target, projectDir, dialectFor('duckdb', target.schema));
    }
    default:
      throw new Error(`engine '${target.type}' has no adapter yet`);
  }
}
