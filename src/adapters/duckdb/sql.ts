// DuckDB: transactional DDL, views bound by name, so a staged table swaps in by drop + rename.
import { BaseSqlDialect } from '../base-sql.js';
import type { Capabilities } from '../types.js';

const KEY_FORMAT = { hour: '%Y-%m-%d %H:00:00', day: '%Y-%m-%d', month: '%Y-%m-01', year: '%Y-01-01' } as const;

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
    nativeMerge: true,
    typedColumns: true,
    caseInsensitiveIdentifiers: true,
    alterIfExists: true,
  });

  timePartitionKey(column: string, granularity: keyof typeof KEY_FORMAT): string {
    return `strftime(${column}, '${KEY_FORMAT[granularity]}')`;
  }

  override intDivide(a: string, b: string): string {
    return `(${a}) // (${b})`;
  }

  /** hash() of each row (64-bit), summed exactly (hugeint): the same rows give the same sum in any order. */
  checksum(columns: readonly string[]): string {
    return `coalesce(cast(sum(hash(${columns.map((c) => this.quoteIdentifier(c)).join(', ')})) as varchar), '0')`;
  }
}
