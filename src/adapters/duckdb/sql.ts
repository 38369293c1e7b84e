// DuckDB: transactional DDL, views bound by name, so a staged table swaps in by drop + rename.
import { BaseSqlDialect } from '../base-sql.js';
import type { Capabilities } from '../types.js';

export class DuckDBDialect extends BaseSqlDialect {
  readonly engine = 'duckdb' as const;

  constructor(schema = 'main') {
    super(schema);
  }
  readonly capabilities: Capabilities = Object.freeze({
    transactionalDdl: true,
    maxConcurrency: 8,
    schemas: true,
    createOrReplaceView: true,
  });
}
