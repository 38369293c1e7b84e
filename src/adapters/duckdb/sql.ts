// DuckDB: transactional DDL, views bound by name, so a staged table swaps in by drop + rename.
import { BaseSqlDialect, TIME_KEY_FORMAT } from '../base-sql.js';
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
    nativeMerge: true,
    typedColumns: true,
    caseInsensitiveIdentifiers: true,
    alterIfExists: true,
  });

  timePartitionKey(column: string, granularity: keyof typeof TIME_KEY_FORMAT): string {
    return `strftime(${column}, '${TIME_KEY_FORMAT[granularity]}')`;
  }

  override tempRelation(name: string): string {
    return `temp.main.${this.quoteIdentifier(name)}`;
  }

  override intDivide(a: string, b: string): string {
    return `(${a}) // (${b})`;
  }

  /** hash() of each row (64-bit), summed exactly (hugeint): the same rows give the same sum in any order. */
  checksum(columns: readonly string[]): string {
    return `coalesce(cast(sum(hash(${columns.map((c) => this.quoteIdentifier(c)).join(', ')})) as varchar), '0')`;
  }
}
