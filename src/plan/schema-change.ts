// on_schema_change, as dbt defines it, when an incremental run's new rows have other columns
// than the table:
//   ignore              new columns are left out; a table column the rows lack is an error
//                       (dbt fails there too, with the engine's message)
//   fail                any difference is an error naming the columns
//   append_new_columns  new columns are added to the table (existing rows get NULL); a column
//                       the rows lack stays in the table, NULL for the new rows
//   sync_all_columns    new columns added, missing ones dropped, changed types altered
// It returns the ALTERs to run, the columns to insert, and the table's columns afterwards.
import { ModelError, type ColumnInfo, type Relation, type SqlDialect, type Statement } from '../adapters/types.js';
import type { OnSchemaChange } from '../config/types.js';

export interface ColumnPlan {
  readonly statements: readonly Statement[];
  /** Columns written from the staged rows, in the table's order. */
  readonly insert: readonly string[];
  /** The table's columns after the statements. */
  readonly final: readonly string[];
}

export function reconcileColumns(
  dialect: SqlDialect,
  target: Relation,
  stage: readonly ColumnInfo[],
  table: readonly ColumnInfo[],
  policy: OnSchemaChange,
): ColumnPlan {
  const find = (cols: readonly ColumnInfo[], name: string) => cols.find((c) => dialect.sameIdentifier(c.name, name));
  const added = stage.filter((c) => !find(table, c.name));
  const removed = table.filter((c) => !find(stage, c.name));
  const retyped = dialect.capabilities.typedColumns
    ? stage.filter((c) => {
        const old = find(table, c.name);
        return old !== undefined && normalizeType(old.type) !== normalizeType(c.type);
      })
    : [];
  const names = (cols: readonly ColumnInfo[]) => cols.map((c) => c.name);
  const list = (cols: readonly ColumnInfo[]) => cols.map((c) => `${c.name} (${c.type})`).join(', ');
  const shared = table.filter((c) => find(stage, c.name)).map((c) => c.name);

  switch (policy) {
    case 'ignore':
      if (removed.length) {
        throw new ModelError(`the table's column(s) ${names(removed).join(', ')} are not in the model's output (on_schema_change='ignore')`
          + `\nhint: set on_schema_change='append_new_columns' (keeps them, NULL for new rows) or 'sync_all_columns' (drops them), or --full-refresh`);
      }
      return { statements: [], insert: shared, final: names(table) };
    case 'fail': {
      const changes = [
        added.length ? `new: ${list(added)}` : '',
        removed.length ? `gone: ${list(removed)}` : '',
        retyped.length ? `retyped: ${retyped.map((c) => `${c.name} ${find(table, c.name)!.type} -> ${c.type}`).join(', ')}` : '',
      ].filter(Boolean);
      if (changes.length) {
        throw new ModelError(`the model's columns differ from the table's and on_schema_change='fail' (${changes.join('; ')})`
          + `\nhint: rebuild it with --full-refresh, or set on_schema_change='append_new_columns' or 'sync_all_columns'`);
      }
      return { statements: [], insert: shared, final: names(table) };
    }
    case 'append_new_columns':
      return {
        statements: added.map((c) => dialect.addColumn(target, c)),
        insert: [...shared, ...names(added)],
        final: [...names(table), ...names(added)],
      };
    case 'sync_all_columns':
      return {
        statements: [
          ...added.map((c) => dialect.addColumn(target, c)),
          ...removed.map((c) => dialect.dropColumn(target, c.name)),
          ...retyped.flatMap((c) => dialect.alterColumnType(target, c)),
        ],
        insert: [...shared, ...names(added)],
        final: [...shared, ...names(added)],
      };
  }
}

function normalizeType(type: string): string {
  return type.toLowerCase().replace(/\s+/g, ' ').trim();
}
