// A materialization turns one node into the actions of its step. Pure: it reads the
// warehouse state it is given and returns statements; only the runner executes them.
import { relationKey, type CsvLoad, type Relation, type SqlDialect, type StepAction, type WarehouseState } from '../../adapters/types.js';
import type { CompiledModel, CompiledSeed } from '../../compiler/types.js';
import type { SeedTable } from '../../parser/seed-csv.js';

/** The staging relation a table or seed is built into before it is swapped in. */
export function stageRelation(rel: Relation): Relation {
  const suffix = '__sf_stage';
  // Keep within PostgreSQL's 63-byte identifiers: long names get a short hash instead of a tail.
  const name = rel.name.length + suffix.length <= 63 ? rel.name : `${rel.name.slice(0, 40)}_${hash(rel.name)}`;
  return { schema: rel.schema, name: `${name}${suffix}` };
}

function hash(text: string): string {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

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
