// ANSI-flavoured SQL builders shared by the engines; each engine overrides what differs.
import type { ColumnSpec, Relation, RelationKind, SqlDialect, Statement } from './types.js';

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
}
