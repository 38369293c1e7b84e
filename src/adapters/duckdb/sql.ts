// DuckDB: transactional DDL, views bound by name, so a staged table swaps in by drop + rename.
import { BaseSqlDialect, TIME_KEY_FORMAT } from '../base-sql.js';
import type { Capabilities, Relation } from '../types.js';

/** `name.information_schema.` or `"name"."information_schema".`, not after another dot. */
const CATALOG_INFORMATION_SCHEMA = /(^|[^.\w"])(?:"[^"]+"|[A-Za-z_]\w*)\."?information_schema"?\./gi;

export class DuckDBDialect extends BaseSqlDialect {
  /**
   * DuckDB keeps information_schema in its system catalog, so `<database>.information_schema`
   * (dbt_utils' get_relations_by_pattern, written for PostgreSQL and Snowflake) names nothing;
   * unqualified, it lists the one database sf opens.
   */
  override adaptModelSql(sql: string): string {
    return sql.includes('information_schema') ? sql.replace(CATALOG_INFORMATION_SCHEMA, '$1information_schema.') : sql;
  }

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

  /** Its distinct storage blocks times the block size (small tables share a block: an upper bound for them). */
  storedBytesSql(rel: Relation): string {
    return `select count(distinct block_id) * (select block_size from pragma_database_size() where database_name = current_database()) as b
from pragma_storage_info(${this.stringLiteral(this.renderRelation(rel))}) where block_id >= 0`;
  }

  seriesSql(n: number): string {
    return `select range + 1 as id from range(${Math.trunc(n)})`;
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
