// Step 5, pure: (graph, selection, warehouse state) -> ExecutionPlan. Ephemeral models get no
// step (they are inlined); a step waits for its nearest non-ephemeral selected ancestors.
import { join } from 'node:path';
import type { SqlDialect, Statement, WarehouseState } from '../adapters/types.js';
import type { ProjectGraph } from '../graph/graph.js';
import type { SeedTable } from '../parser/seed-csv.js';
import { seedActions, tableActions, viewActions } from './materializations/index.js';
import type { ExecutionPlan, PlanStep } from './types.js';

export interface PlanInputs {
  readonly graph: ProjectGraph;
  readonly selected: ReadonlySet<string>;
  readonly dialect: SqlDialect;
  readonly state: WarehouseState;
  readonly projectDir: string;
  /** Inspected seed files, for every selected seed. */
  readonly seedTables: ReadonlyMap<string, SeedTable>;
  readonly seedDelimiter: string;
  /** Compiled SQL path per model, for error messages. */
  readonly compiledPaths?: ReadonlyMap<string, string>;
}

export function buildPlan(inputs: PlanInputs): ExecutionPlan {
  const { graph, selected, dialect, state } = inputs;
  const steps: PlanStep[] = [];
  const schemas = new Set<string>();
  for (const name of graph.order) {
    if (!selected.has(name)) continue;
    const node = graph.node(name);
    const dependsOn = [...stepParents(graph, name, selected)].sort();
    if (node.kind === 'seed') {
      const table = inputs.seedTables.get(name);
      if (!table) throw new Error(`seed ${name} was not inspected before planning`);
      const path = join(inputs.projectDir, node.seed.node.path);
      schemas.add(node.seed.relation.schema);
      steps.push({
        name, kind: 'seed', relation: node.seed.relation, dependsOn,
        actions: seedActions(node.seed, table, path, inputs.seedDelimiter, dialect, state),
      });
      continue;
    }
    const { model } = node;
    if (model.settings.materialized === 'ephemeral') continue;
    schemas.add(model.relation.schema);
    const kind = model.settings.materialized;
    steps.push({
      name, kind, relation: model.relation, dependsOn,
      actions: kind === 'table' ? tableActions(model, dialect, state) : viewActions(model, dialect, state),
      compiledPath: inputs.compiledPaths?.get(name),
    });
  }
  const setup: Statement[] = dialect.capabilities.schemas
    ? [...schemas].sort().flatMap((s) => dialect.createSchema(s))
    : [];
  return { setup, steps };
}

/** Selected, non-ephemeral ancestors reached without passing through another selected step. */
function stepParents(graph: ProjectGraph, name: string, selected: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const visit = (n: string) => {
    for (const parent of graph.parents(n)) {
      const node = graph.node(parent);
      const ephemeral = node.kind === 'model' && node.model.settings.materialized === 'ephemeral';
      if (selected.has(parent) && !ephemeral) found.add(parent);
      else if (ephemeral) visit(parent);
    }
  };
  visit(name);
  return found;
}
