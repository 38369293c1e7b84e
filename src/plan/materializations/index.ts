// A materialization turns one node into the actions of its step. Pure: it reads the
// warehouse state it is given and returns statements; only the runner executes them.
import { relationKey, type CsvLoad, type SqlDialect, type StepAction, type WarehouseState } from '../../adapters/types.js';
import type { CompiledModel, CompiledSeed } from '../../compiler/types.js';
import type { SeedTable } from '../../parser/seed-csv.js';
import { stageRelation } from './stage.js';

export { stageRelation };

export function viewActions(model: CompiledModel, dialect: SqlDialect, state: WarehouseState): StepAction[] {
  return dialect.createView(model.relation, model.sql, state.get(relationKey(model.relation)));
}

/** Build into a stage, then swap it in: a failure anywhere leaves the old table as it was. */
export function tableActions(model: CompiledModel, dialect: SqlDialect, state: WarehouseState): StepAction[] {
  const stage = stageRelation(model.relation);
  return [
    dialect.dropRelation(stage, 'table'),
    ...dialect.createTableAs(stage, model.sql),
    ...dialect.swapTable(stage, model.relation, state.get(relationKey(model.relation))),
  ];
}

export function seedActions(
  seed: CompiledSeed,
  table: SeedTable,
  csvPath: string,
  delimiter: string,
  dialect: SqlDialect,
  state: WarehouseState,
): StepAction[] {
  const stage = stageRelation(seed.relation);
  const load: CsvLoad = { kind: 'csv-load', relation: stage, path: csvPath, columns: table.columns, delimiter };
  return [
    dialect.dropRelation(stage, 'table'),
    ...dialect.createTable(stage, table.columns),
    load,
    ...dialect.swapTable(stage, seed.relation, state.get(relationKey(seed.relation))),
  ];
}
