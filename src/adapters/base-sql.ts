// ANSI-flavoured SQL builders shared by the engines; each engine overrides what differs.
import {
  DEST_ALIAS,
  SOURCE_ALIAS,
  type ColumnInfo,
  type ColumnSpec,
  type MergeSpec,
  type Relation,
  type RelationKind,
  type SqlDialect,
  type Statement,
} from './types.js';
import type { IndexConfig } from '../config/types.js';

/** strftime() formats of a time partition's key (DuckDB and SQLite share them). */
export const TIME_KEY_FORMAT = { hour: '%Y-%m-%d %H:00:00', day: '%Y-%m-%d', month: '%Y-%m-01', year: '%Y-01-01' } as const;

export abstract class BaseSqlDialect implements SqlDialect {
  abstract readonly engine: SqlDialect['engine'];
  abstract readonly capabilities: SqlDialect['capabilities'];
  /** Schema for models and seeds when a node names none. */
  readonly defaultSchema: string;

  constructor(defaultSchema: string) {
    this.defaultSchema = defaultSchema;
  }

  quoteIdentifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  renderRelation(rel: Relation): string {
    return `${this.quoteIdentifier(rel.schema)}.${this.quoteIdentifier(rel.name)}`;
  }

  displayRelation(rel: Relation): string {
    return `${rel.schema}.${rel.name}`;
  }

  columnType(type: string): string {
    return type;
  }

  createSchema(schema: string): Statement[] {
    return [{ sql: `create schema if not exists ${this.quoteIdentifier(schema)}` }];
  }

  dropRelation(rel: Relation, kind: RelationKind): Statement {
    return { sql: `drop ${kind} if exists ${this.renderRelation(rel)}` };
  }

  createView(rel: Relation, sql: string, existing: RelationKind | undefined): Statement[] {
    const create = this.capabilities.createOrReplaceView ? 'create or replace view' : 'create view';
    const drops = existing === 'table' || (existing === 'view' && !this.capabilities.createOrReplaceView)
      ? [this.dropRelation(rel, existing)]
      : [];
    return [...drops, { sql: `${create} ${this.renderRelation(rel)} as\n${sql}` }];
  }

  createTableAs(rel: Relation, sql: string): Statement[] {
    return [{ sql: `create table ${this.renderRelation(rel)} as\n${sql}`, rows: 'affected' }];
  }

  createTable(rel: Relation, columns: readonly ColumnSpec[]): Statement[] {
    const cols = columns.map((c) => `  ${this.quoteIdentifier(c.name)} ${this.columnType(c.type)}`).join(',\n');
    return [{ sql: `create table ${this.renderRelation(rel)} (\n${cols}\n)` }];
  }

  swapTable(stage: Relation, target: Relation, existing: RelationKind | undefined): Statement[] {
    return [
      ...(existing ? [this.dropRelation(target, existing)] : []),
      { sql: `alter table ${this.renderRelation(stage)} rename to ${this.quoteIdentifier(target.name)}` },
    ];
  }

  /** Hash joins find rows by key: no index needed. */
  keyIndex(_rel: Relation, _keys: readonly string[]): Statement[] {
    return [];
  }

  configIndexes(_rel: Relation, _indexes: readonly IndexConfig[]): Statement[] {
    return [];
  }

  timeLiteral(iso: string): string {
    return `timestamp ${this.stringLiteral(iso)}`;
  }

  timeRange(column: string, start: string, end?: string): string {
    const value = this.timeValue(column);
    const bounds = [`${value} >= ${this.timeLiteral(start)}`];
    if (end) bounds.push(`${value} < ${this.timeLiteral(end)}`);
    return bounds.join(' and ');
  }

  /** A date or timestamp column as window bounds compare it. */
  protected timeValue(column: string): string {
    return column;
  }

  stringLiteral(text: string): string {
    return `'${text.replace(/'/g, "''")}'`;
  }

  /** SQLite's temp database; DuckDB and PostgreSQL override. */
  tempRelation(name: string): string {
    return `temp.${this.quoteIdentifier(name)}`;
  }

  readonly rowId: string = 'rowid';

  adaptModelSql(sql: string): string {
    return sql;
  }

  unquotedName(name: string): string {
    return name;
  }

  sameIdentifier(a: string, b: string): boolean {
    return this.capabilities.caseInsensitiveIdentifiers ? a.toLowerCase() === b.toLowerCase() : a === b;
  }

  abstract timePartitionKey(column: string, granularity: 'hour' | 'day' | 'month' | 'year'): string;

  intDivide(a: string, b: string): string {
    return `(${a}) / (${b})`;
  }

  intToText(expr: string): string {
    return `cast(${expr} as text)`;
  }

  abstract checksum(columns: readonly string[]): string;
  abstract storedBytesSql(rel: Relation): string;
  abstract seriesSql(n: number): string;

  addColumn(rel: Relation, column: ColumnInfo): Statement {
    const ifNot = this.capabilities.alterIfExists ? 'if not exists ' : '';
    return { sql: `alter table ${this.renderRelation(rel)} add column ${ifNot}${this.quoteIdentifier(column.name)} ${column.type}` };
  }

  dropColumn(rel: Relation, column: string): Statement {
    const ifExists = this.capabilities.alterIfExists ? 'if exists ' : '';
    return { sql: `alter table ${this.renderRelation(rel)} drop column ${ifExists}${this.quoteIdentifier(column)}` };
  }

  alterColumnType(rel: Relation, column: ColumnInfo): Statement[] {
    return [{ sql: `alter table ${this.renderRelation(rel)} alter column ${this.quoteIdentifier(column.name)} type ${column.type}` }];
  }

  insertSelect(target: Relation, source: Relation, columns: readonly string[], where?: string): Statement {
    const cols = columns.map((c) => this.quoteIdentifier(c)).join(', ');
    const filter = where ? ` as ${SOURCE_ALIAS}\nwhere ${where}` : '';
    return { sql: `insert into ${this.renderRelation(target)} (${cols})\nselect ${cols} from ${this.renderRelation(source)}${filter}`, rows: 'affected' };
  }

  deleteWhere(target: Relation, condition: string): Statement {
    return { sql: `delete from ${this.renderRelation(target)} as ${DEST_ALIAS}\nwhere ${condition}` };
  }

  /** `DBT_INTERNAL_SOURCE.k = DBT_INTERNAL_DEST.k and ...`, with the predicates first. */
  protected mergeMatch(m: MergeSpec): string {
    const keys = m.keys.map((k) => `${SOURCE_ALIAS}.${this.quoteIdentifier(k)} = ${DEST_ALIAS}.${this.quoteIdentifier(k)}`);
    return [...m.predicates.map((p) => `(${p})`), ...keys].join(' and ');
  }

  merge(target: Relation, source: Relation, m: MergeSpec): Statement[] {
    const q = (c: string) => this.quoteIdentifier(c);
    const t = `${this.renderRelation(target)} as ${DEST_ALIAS}`;
    const s = `${this.renderRelation(source)} as ${SOURCE_ALIAS}`;
    const set = m.update.map((c) => `${q(c)} = ${SOURCE_ALIAS}.${q(c)}`).join(', ');
    const cols = m.insert.map(q).join(', ');
    if (this.capabilities.nativeMerge) {
      const matched = m.update.length ? `\nwhen matched then update set ${set}` : '';
      return [{
        sql: `merge into ${t}\nusing ${s}\non ${this.mergeMatch(m)}${matched}\nwhen not matched then insert (${cols})\nvalues (${m.insert.map((c) => `${SOURCE_ALIAS}.${q(c)}`).join(', ')})`,
        rows: 'affected',
      }];
    }
    // Insert first: the rows to insert are decided before any matched row is changed.
    const insert: Statement = {
      sql: `insert into ${this.renderRelation(target)} (${cols})\nselect ${m.insert.map((c) => `${SOURCE_ALIAS}.${q(c)}`).join(', ')} from ${s}\nwhere not exists (select 1 from ${t} where ${this.mergeMatch(m)})`,
      rows: 'affected',
    };
    if (!m.update.length) return [insert];
    // Rows just inserted already hold the staged values: only rows that differ are updated
    // (and counted).
    const differs = m.update.map((c) => this.distinct(`${DEST_ALIAS}.${q(c)}`, `${SOURCE_ALIAS}.${q(c)}`)).join(' or ');
    return [insert, { sql: `update ${t}\nset ${set}\nfrom ${s}\nwhere ${this.mergeMatch(m)} and (${differs})`, rows: 'affected' }];
  }

  /** Null-safe inequality. */
  protected distinct(a: string, b: string): string {
    return `${a} is distinct from ${b}`;
  }
}
