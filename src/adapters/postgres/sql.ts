// PostgreSQL: schemas, transactional DDL, many connections. PostgreSQL binds a view to the
// identity (oid) of the relations it reads, not to their names (TOOLCHAIN.md), so replacing
// a relation that views read takes care; see keep-views.ts for how and why.
import { createHash } from 'node:crypto';
import type { IndexConfig } from '../../config/types.js';
import { BaseSqlDialect } from '../base-sql.js';
import type { Capabilities, Relation, RelationKind, Statement } from '../types.js';
import { restoreDependentViews, saveAndDropDependentViews } from './keep-views.js';

export const POSTGRES_DEFAULT_SCHEMA = 'public';

const TYPES: Readonly<Record<string, string>> = {
  double: 'double precision',
  float: 'double precision',
  datetime: 'timestamp',
  string: 'text',
};

export class PostgresDialect extends BaseSqlDialect {
  readonly engine = 'postgres' as const;
  readonly capabilities: Capabilities = Object.freeze({
    transactionalDdl: true,
    maxConcurrency: 16,
    schemas: true,
    createOrReplaceView: true,
    nativeMerge: true,
    typedColumns: true,
    caseInsensitiveIdentifiers: false,
    alterIfExists: true,
    maxIdentifierBytes: 63,
  });

  constructor(schema = POSTGRES_DEFAULT_SCHEMA) {
    super(schema);
  }

  override unquotedName(name: string): string {
    return name.toLowerCase();
  }

  override tempRelation(name: string): string {
    return `pg_temp.${this.quoteIdentifier(name)}`;
  }

  override readonly rowId = 'ctid';

  override columnType(type: string): string {
    return TYPES[type.trim().toLowerCase()] ?? type;
  }

  timePartitionKey(column: string, granularity: 'hour' | 'day' | 'month' | 'year'): string {
    const ts = `cast(${column} as timestamp)`;
    return granularity === 'hour'
      ? `to_char(date_trunc('hour', ${ts}), 'YYYY-MM-DD HH24:MI:SS')`
      : `to_char(date_trunc('${granularity}', ${ts}), 'YYYY-MM-DD')`;
  }

  /** hashtextextended() of each row's text (64-bit), summed exactly (numeric): order-independent. */
  checksum(columns: readonly string[]): string {
    const row = `row(${columns.map((c) => this.quoteIdentifier(c)).join(', ')})::text`;
    return `coalesce(sum(hashtextextended(${row}, 0))::text, '0')`;
  }

  /** Heap, TOAST and indexes. */
  storedBytesSql(rel: Relation): string {
    return `select pg_total_relation_size(${this.stringLiteral(this.renderRelation(rel))}::regclass) as b`;
  }

  seriesSql(n: number): string {
    return `select g as id from generate_series(1, ${Math.trunc(n)}) as g`;
  }

  override alterColumnType(rel: Relation, column: { name: string; type: string }): Statement[] {
    const col = this.quoteIdentifier(column.name);
    return [{ sql: `alter table ${this.renderRelation(rel)} alter column ${col} type ${column.type} using ${col}::${column.type}` }];
  }

  /** The driver reports the row count of `create table as` (its command tag is `SELECT n`). */
  override createTableAs(rel: Relation, sql: string): Statement[] {
    return [{ sql: `create table ${this.renderRelation(rel)} as\n${sql}`, rows: 'affected' }];
  }

  /**
   * `create or replace view` cannot drop, rename or retype columns, and a plain drop fails
   * while other views read it: views reading it are saved and dropped, the view is dropped and
   * created, then the saved views are created again (with their grants and comments), all in
   * the step's transaction.
   */
  override createView(rel: Relation, sql: string, existing: RelationKind | undefined): Statement[] {
    const create: Statement = { sql: `create view ${this.renderRelation(rel)} as\n${sql}` };
    if (!existing) return [create];
    return [
      saveAndDropDependentViews(rel),
      this.dropRelation(rel, existing),
      create,
      restoreDependentViews(rel),
    ];
  }

  /**
   * `<table>__sf_<hash of table, columns, unique, method>`: the same config gives the same name
   * (the old table's indexes go with it in the swap, before these are made), another table or
   * config another. PostgreSQL names are at most 63 bytes: the table part is cut to fit, the
   * whole name is in the hash.
   */
  override configIndexes(rel: Relation, indexes: readonly IndexConfig[]): Statement[] {
    return indexes.map((index) => {
      const what = JSON.stringify([rel.name, index.columns, index.unique ?? false, (index.type ?? 'btree').toLowerCase()]);
      const name = `${fitBytes(rel.name, 40)}__sf_${createHash('sha256').update(what).digest('hex').slice(0, 12)}`;
      // As dbt-postgres writes them: unquoted, so `Order_Date` names order_date and an
      // expression (`lower(email)`) works.
      const columns = index.columns.join(', ');
      return {
        sql: `create ${index.unique ? 'unique ' : ''}index ${this.quoteIdentifier(name)} on ${this.renderRelation(rel)}${index.type ? ` using ${index.type.toLowerCase()}` : ''} (${columns})`,
      };
    });
  }

  override swapTable(stage: Relation, target: Relation, existing: RelationKind | undefined): Statement[] {
    const rename: Statement = { sql: `alter table ${this.renderRelation(stage)} rename to ${this.quoteIdentifier(target.name)}` };
    if (!existing) return [rename];
    return [
      saveAndDropDependentViews(target),
      this.dropRelation(target, existing),
      rename,
      restoreDependentViews(target),
    ];
  }
}

/** The longest start of `text` within `bytes` bytes of UTF-8, whole characters only. */
function fitBytes(text: string, bytes: number): string {
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}
