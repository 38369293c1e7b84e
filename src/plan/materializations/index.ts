// A materialization turns one node into the actions of its step. Pure: it reads the
// warehouse state it is given and returns statements; only the runner executes them.
import { relationKey, type CsvLoad, type Relation, type SqlDialect, type StepAction, type WarehouseState } from '../../adapters/types.js';
import type { CompiledModel, CompiledSeed } from '../../compiler/types.js';
import type { SeedTable } from '../../parser/seed-csv.js';
import type { QuarantineScope } from '../quality/audit.js';
import { stageRelation } from './stage.js';

export { stageRelation };

export function viewActions(model: CompiledModel, dialect: SqlDialect, state: WarehouseState): StepAction[] {
  return dialect.createView(model.relation, model.sql, state.get(relationKey(model.relation)));
}

/** Build into a stage, then swap it in: a failure anywhere leaves the old table as it was. */
export function tableActions(model: CompiledModel, dialect: SqlDialect, state: WarehouseState, audit?: Audit): StepAction[] {
  const stage = stageRelation(model.relation);
  return [
    dialect.dropRelation(stage, 'table'),
    ...stageAudited(dialect, stage, model.sql, audit, WHOLE),
    ...dialect.swapTable(stage, model.relation, state.get(relationKey(model.relation))),
    ...dialect.configIndexes(model.relation, model.settings.indexes ?? []),
  ];
}

/**
 * Build the stage and audit it. Audited, the rows reported are those left to publish (counted
 * after quarantine), not those the model produced.
 */
export function stageAudited(dialect: SqlDialect, stage: Relation, sql: string, audit: Audit | undefined, scope: QuarantineScope): StepAction[] {
  if (!audit) return dialect.createTableAs(stage, sql);
  const create = dialect.createTableAs(stage, sql).filter((s) => s.rows !== 'scalar').map(({ sql: text }) => ({ sql: text }));
  return [...create, ...audit(stage, scope), { sql: `select count(*) from ${dialect.renderRelation(stage)}`, rows: 'scalar' }];
}

/**
 * The data tests of a node, run on its staged rows before they are published (quality/audit.ts);
 * `scope` says which quarantined rows the unit replaces.
 */
export type Audit = (stage: Relation, scope: QuarantineScope) => readonly StepAction[];
const WHOLE: QuarantineScope = { clear: 'all' };

export function seedActions(
  seed: CompiledSeed,
  table: SeedTable,
  csvPath: string,
  dialect: SqlDialect,
  state: WarehouseState,
  audit?: Audit,
): StepAction[] {
  const stage = stageRelation(seed.relation);
  const load: CsvLoad = { kind: 'csv-load', relation: stage, path: csvPath, file: seed.node.path, columns: table.columns, delimiter: seed.node.delimiter, sampled: table.sampled };
  // dbt's quote_columns: false names the columns as the engine takes them unquoted (PostgreSQL: lower case).
  const renames = seed.node.quoteColumns === false
    ? table.columns.filter((c) => dialect.unquotedName(c.name) !== c.name)
      .map((c) => ({ sql: `alter table ${dialect.renderRelation(stage)} rename column ${dialect.quoteIdentifier(c.name)} to ${dialect.quoteIdentifier(dialect.unquotedName(c.name))}` }))
    : [];
  return [
    dialect.dropRelation(stage, 'table'),
    ...dialect.createTable(stage, table.columns),
    load,
    ...renames,
    ...(audit?.(stage, WHOLE) ?? []),
    ...dialect.swapTable(stage, seed.relation, state.get(relationKey(seed.relation))),
    ...dialect.configIndexes(seed.relation, seed.node.indexes ?? []),
  ];
}
