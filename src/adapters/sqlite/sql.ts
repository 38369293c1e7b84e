// SQLite: one database file, no schemas. A relation's schema is folded into its name
// (`raw.orders` -> "raw__orders"; the default schema `main` adds nothing), DDL is
// transactional, and one connection writes at a time.
//
// Swap: `drop table t; alter table t__sf_stage rename to t` inside the step's transaction.
// SQLite re-checks every view on a rename and fails while a view reads `t` (it has just been
// dropped); the connection runs with `PRAGMA legacy_alter_table=ON` (see adapter.ts), which
// skips that check and leaves view SQL untouched. Views name their tables and are re-read at
// query time, so a view on `t` reads the new table afterwards, also when its columns changed.
import { BaseSqlDialect, TIME_KEY_FORMAT } from '../base-sql.js';
import type { Capabilities, ColumnInfo, Relation, RelationKind, Statement } from '../types.js';
import { translateForSqlite } from './translate.js';

/** The aggregate the adapter registers on each connection (adapter.ts): see checksum(). */
export const CHECKSUM_FUNCTION = 'sf_checksum';

export const SQLITE_DEFAULT_SCHEMA = 'main';
/** Between a folded schema and the relation's name: `raw` + `orders` -> `raw__orders`. */
export const SCHEMA_SEPARATOR = '__';

export class SQLiteDialect extends BaseSqlDialect {
  readonly engine = 'sqlite' as const;
  readonly capabilities: Capabilities = Object.freeze({
    transactionalDdl: true,
    maxConcurrency: 1,
    schemas: false,
    createOrReplaceView: false,
    nativeMerge: false,
    typedColumns: false,
    caseInsensitiveIdentifiers: true,
    alterIfExists: false,
  });

  constructor() {
    super(SQLITE_DEFAULT_SCHEMA);
  }

  /** The table name a relation has in the file. */
  flatName(rel: Relation): string {
    return rel.schema.toLowerCase() === SQLITE_DEFAULT_SCHEMA ? rel.name : `${rel.schema}${SCHEMA_SEPARATOR}${rel.name}`;
  }

  /** Qualified by the file's schema, so a CTE of the same name never hides it (dbt's ref()). */
  override renderRelation(rel: Relation): string {
    return `"main".${this.quoteIdentifier(this.flatName(rel))}`;
  }

  override displayRelation(rel: Relation): string {
    return this.flatName(rel);
  }

  /**
   * Declared type names are kept: SQLite derives a column's affinity from them (integer ->
   * INTEGER, decimal/boolean/date/timestamp -> NUMERIC, char/text -> TEXT, double -> REAL).
   * The CSV loader stores dates and timestamps as ISO text and booleans as 0/1.
   */
  override columnType(type: string): string {
    return type;
  }

  /** Dates and timestamps are ISO text: a midnight bound is written as a date, which sorts
   * right against both ('2026-06-01' <= '2026-06-01 10:00:00' < '2026-06-02'). */
  override timeLiteral(iso: string): string {
    return this.stringLiteral(iso.endsWith(' 00:00:00') ? iso.slice(0, 10) : iso);
  }

  override adaptModelSql(sql: string): string {
    return translateForSqlite(sql);
  }

  timePartitionKey(column: string, granularity: keyof typeof TIME_KEY_FORMAT): string {
    return granularity === 'day' ? `date(${column})` : `strftime('${TIME_KEY_FORMAT[granularity]}', ${column})`;
  }

  /**
   * Text compares as text: '2026-06-01T05:30' would sort after every '2026-06-01 23:00:00'.
   * datetime() writes any ISO form as 'YYYY-MM-DD HH:MM:SS', so windows and keys agree.
   */
  protected override timeValue(column: string): string {
    return `datetime(${column})`;
  }

  protected override distinct(a: string, b: string): string {
    return `${a} is not ${b}`;
  }

  /** A 64-bit hash of each row's values, summed modulo 2^64, by an aggregate the adapter registers. */
  checksum(columns: readonly string[]): string {
    return `${CHECKSUM_FUNCTION}(${columns.map((c) => this.quoteIdentifier(c)).join(', ')})`;
  }

  /** A column's declared type only sets its affinity; values are stored as they come. */
  override alterColumnType(_rel: Relation, _column: ColumnInfo): Statement[] {
    return [];
  }

  override createSchema(): Statement[] {
    return [];
  }

  /** better-sqlite3 reports no row count for `create table as`: count the new table. */
  override createTableAs(rel: Relation, sql: string): Statement[] {
    return [
      { sql: `create table ${this.renderRelation(rel)} as\n${sql}` },
      { sql: `select count(*) from ${this.renderRelation(rel)}`, rows: 'scalar' },
    ];
  }

  /**
   * SQLite stores a view's SQL without resolving it: a view over a missing table or column is
   * created and fails only when read. Reading it once (no rows) makes a broken view fail its
   * step, which rolls back to the previous view, as on the other engines.
   */
  override createView(rel: Relation, sql: string, existing: RelationKind | undefined): Statement[] {
    return [...super.createView(rel, sql, existing), { sql: `select * from ${this.renderRelation(rel)} limit 0` }];
  }

  /** The pages of the table (dbstat), indexes apart. */
  storedBytesSql(rel: Relation): string {
    return `select coalesce(sum(pgsize), 0) as b from dbstat where name = ${this.stringLiteral(this.flatName(rel))}`;
  }

  seriesSql(n: number): string {
    return `with recursive sf_series(id) as (select 1 union all select id + 1 from sf_series where id < ${Math.trunc(n)}) select id from sf_series`;
  }

  /**
   * SQLite joins by nested loops: without an index, a merge or a model's `not exists (select
   * from this where key = ...)` reads the whole table once per row. Named after the table; a
   * swap drops the old table with its index, so the name is free for the new one.
   */
  override keyIndex(rel: Relation, keys: readonly string[]): Statement[] {
    if (keys.length === 0) return [];
    const name = this.quoteIdentifier(`${this.flatName(rel)}__sf_key`);
    const columns = keys.map((k) => this.quoteIdentifier(k)).join(', ');
    return [{ sql: `create index if not exists "main".${name} on ${this.quoteIdentifier(this.flatName(rel))} (${columns})` }];
  }

  override swapTable(stage: Relation, target: Relation, existing: RelationKind | undefined): Statement[] {
    return [
      ...(existing ? [this.dropRelation(target, existing)] : []),
      { sql: `alter table ${this.renderRelation(stage)} rename to ${this.quoteIdentifier(this.flatName(target))}` },
    ];
  }
}
