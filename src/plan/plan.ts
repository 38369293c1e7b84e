// Step 5, pure: (graph, selection, warehouse state, run options) -> ExecutionPlan. Ephemeral
// models get no step (they are inlined); a step waits for its nearest non-ephemeral selected
// ancestors. Incremental models are rendered here again, per unit, with what the state says
// (is_incremental(), batch windows), so a template error surfaces before anything runs.
import { join } from 'node:path';
import { relationKey, type Relation, type SqlDialect, type Statement, type StepAction, type WarehouseState } from '../adapters/types.js';
import type { RenderContext } from '../compiler/types.js';
import type { ProjectGraph } from '../graph/graph.js';
import { inspectSeed, type SeedTable } from '../parser/seed-csv.js';
import { UserError } from '../util/errors.js';
import { ledgerKey, ledgerSetup, type LedgerEntry } from './ledger.js';
import type { BatchRequest } from './materializations/batches.js';
import { incrementalPlan } from './materializations/incremental.js';
import { seedActions, tableActions, viewActions, type Audit } from './materializations/index.js';
import { auditActions, quarantineRelation, type ModelTest } from './quality/audit.js';
import { judgeRelation, judged } from './quality/checks.js';
import type { ExecutionPlan, PlanStep, PlanUnit } from './types.js';
import type { CompiledModel } from '../compiler/types.js';

export interface PlanInputs {
  readonly graph: ProjectGraph;
  readonly selected: ReadonlySet<string>;
  readonly dialect: SqlDialect;
  readonly state: WarehouseState;
  readonly projectDir: string;
  /** Inspected seed files, for every selected seed. */
  readonly seedTables: ReadonlyMap<string, SeedTable>;
  /** Compiled SQL path per model, for error messages. */
  readonly compiledPaths?: ReadonlyMap<string, string>;
  /** Renders a model for a run (CompiledProject.render). */
  readonly render: (model: string, ctx: RenderContext) => string;
  /** A model's SQL rendered with the warehouse's answers (one that asks it while it renders). */
  readonly modelSql?: ((model: string) => string | undefined) | undefined;
  /** Ledger entries by the model relation's ledger key. */
  readonly ledger?: ReadonlyMap<string, readonly LedgerEntry[]>;
  readonly request?: BatchRequest;
  /** Data tests per model or seed, run on its staged rows before they are published. */
  readonly tests?: ReadonlyMap<string, readonly ModelTest[]>;
  /** Checks run in a build: sources (freshness, tests) before their readers, singular tests after their parents. */
  readonly checks?: readonly CheckStep[];
}

/** A read-only step of a build. */
export interface CheckStep {
  readonly name: string;
  readonly kind: 'source' | 'test';
  readonly relation: Relation;
  /** Nodes it waits for when they are built in this run (a source's seed, a test's refs). */
  readonly after: readonly string[];
  /** A source check: `source.table`; the models reading it wait for the check. */
  readonly source?: string | undefined;
  readonly actions: readonly StepAction[];
}

const DEFAULT_REQUEST: BatchRequest = { fullRefresh: false, missing: false, now: '1970-01-01 00:00:00' };

export function buildPlan(inputs: PlanInputs): ExecutionPlan {
  const { graph, selected, dialect, state } = inputs;
  const request = inputs.request ?? DEFAULT_REQUEST;
  const steps: PlanStep[] = [];
  const schemas = new Set<string>();
  let needsLedger = false;
  const audit = (name: string): Audit | undefined => {
    const tests = inputs.tests?.get(name);
    if (!tests?.length) return undefined;
    const node = graph.node(name);
    const relation = node.kind === 'seed' ? node.seed.relation : node.model.relation;
    const maxRate = node.kind === 'model' ? node.model.settings.max_quarantine_rate : undefined;
    const quarantine = quarantineRelation(relation);
    return (stage, scope) => auditActions(dialect, stage, tests, { quarantine, scope, maxRate, published: relation });
  };
  const checks = inputs.checks ?? [];
  const sourceCheck = new Map(checks.filter((c) => c.source).map((c) => [c.source!, c.name]));
  const stepNames = new Set([...selected].filter((n) => !isEphemeral(graph, n)));
  const checkNames = new Set(checks.map((c) => c.name));
  /** What a check waits for: the steps it names, and through an ephemeral model, that model's steps. */
  const waitsFor = (after: readonly string[]) => [...new Set(after.flatMap((n) =>
    stepNames.has(n) || checkNames.has(n) ? [n] : graph.has(n) && isEphemeral(graph, n) ? [...stepParents(graph, n, selected)] : []))].sort();
  const checkSteps = (kind: CheckStep['kind']): PlanStep[] => checks.filter((c) => c.kind === kind).map((c) => ({
    name: c.name, kind, relation: c.relation, dependsOn: waitsFor(c.after),
    units: [{ actions: c.actions }], batched: false, concurrency: 1, readOnly: true,
  }));
  steps.push(...checkSteps('source'));
  for (const name of graph.order) {
    if (!selected.has(name)) continue;
    const node = graph.node(name);
    // A relationships test reads its parent: the tested node waits for it, when it is built too.
    const testParents = (inputs.tests?.get(name) ?? []).flatMap((t) => t.parents)
      .filter((n) => n !== name && selected.has(n) && !ancestors(graph, n).has(name));
    const sourcesRead = sourcesOf(graph, name).map((key) => sourceCheck.get(key)).filter((n): n is string => n !== undefined);
    const dependsOn = [...new Set([...stepParents(graph, name, selected), ...testParents, ...sourcesRead])].sort();
    if (node.kind === 'seed') {
      const table = inputs.seedTables.get(name);
      if (!table) throw new Error(`seed ${name} was not inspected before planning`);
      const path = join(inputs.projectDir, node.seed.node.path);
      schemas.add(node.seed.relation.schema);
      const actions = (t: SeedTable) => seedActions(node.seed, t, path, dialect, state, audit(name));
      // Read at run time, and only if a value past the sample does not fit its types. A CSV
      // error past the sample fails the unit with its file and line.
      const reinfer = async () => actions(await inspectSeed(inputs.projectDir, node.seed.node, Infinity).catch((err: unknown) => {
        throw err instanceof UserError ? new Error(err.format(), { cause: err }) : err;
      }));
      steps.push({
        name, kind: 'seed', relation: node.seed.relation, dependsOn, batched: false, concurrency: 1,
        units: withHooks([{ actions: actions(table), reinfer: table.sampled.length ? reinfer : undefined }], node.seed.hooks),
      });
      continue;
    }
    const model = node.model.asksWarehouse && inputs.modelSql ? { ...node.model, sql: inputs.modelSql(name) ?? node.model.sql } : node.model;
    const kind = model.settings.materialized;
    if (kind === 'ephemeral') continue;
    schemas.add(model.relation.schema);
    const common = { name, relation: model.relation, dependsOn, compiledPath: inputs.compiledPaths?.get(name), compiledSql: model.sql };
    const existing = state.get(relationKey(model.relation));
    if (kind === 'incremental') {
      const plan = incrementalPlan({
        model, dialect, existing, request,
        ledger: inputs.ledger?.get(ledgerKey(model.relation)) ?? [],
        render: (ctx) => inputs.render(name, ctx),
        audit: audit(name),
      });
      needsLedger ||= plan.ledger;
      steps.push({
        ...common, kind, prepare: plan.prepare, units: withHooks(plan.units, model.hooks), batched: plan.batched, how: plan.how,
        concurrency: plan.concurrency ?? Number.MAX_SAFE_INTEGER,
        ledger: plan.ledger ? { model: name } : undefined,
      });
      continue;
    }
    // A view's tests run on it inside the transaction that creates it: failing, it rolls back.
    const viewTests = (inputs.tests?.get(name) ?? []).map((t) => judged(t, model.relation));
    const actions = kind === 'table' ? tableActions(model, dialect, state, audit(name))
      : [...viewActions(model, dialect, state), ...judgeRelation(dialect, model.relation, viewTests, 'rollback')];
    steps.push({ ...common, kind, units: withHooks([{ actions }], model.hooks), batched: false, concurrency: 1 });
  }
  steps.push(...checkSteps('test'));
  const setup: Statement[] = [
    ...(dialect.capabilities.schemas ? [...schemas].sort().flatMap((s) => dialect.createSchema(s)) : []),
    ...(needsLedger ? ledgerSetup(dialect) : []),
  ];
  return { setup, steps };
}

/** dbt's hooks, in each transaction writing the model or seed: the pre-hooks first, the post-hooks last (after the swap, before the commit). */
function withHooks(units: readonly PlanUnit[], hooks: CompiledModel['hooks']): PlanUnit[] {
  const { pre = [], post = [] } = hooks ?? {};
  if (!pre.length && !post.length) return [...units];
  const around = (actions: readonly StepAction[]) => [...pre.map((sql) => ({ sql })), ...actions, ...post.map((sql) => ({ sql }))];
  return units.map((u) => ({ ...u, actions: around(u.actions), ...(u.reinfer ? { reinfer: async () => around(await u.reinfer!()) } : {}) }));
}

function isEphemeral(graph: ProjectGraph, name: string): boolean {
  const node = graph.node(name);
  return node.kind === 'model' && node.model.settings.materialized === 'ephemeral';
}

/** `source.table` keys a model reads, itself or through the ephemeral models it inlines. */
function sourcesOf(graph: ProjectGraph, name: string): string[] {
  const node = graph.node(name);
  if (node.kind !== 'model') return [];
  const inlined = graph.parents(name).filter((p) => isEphemeral(graph, p));
  return [...node.model.sources.map((s) => `${s.source}.${s.table}`), ...inlined.flatMap((p) => sourcesOf(graph, p))];
}

function ancestors(graph: ProjectGraph, name: string): Set<string> {
  const found = new Set<string>();
  const visit = (n: string) => {
    for (const p of graph.parents(n)) if (!found.has(p)) (found.add(p), visit(p));
  };
  visit(name);
  return found;
}

/** Selected, non-ephemeral ancestors reached without passing through another selected step. */
function stepParents(graph: ProjectGraph, name: string, selected: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const visit = (n: string) => {
    for (const parent of graph.parents(n)) {
      const ephemeral = isEphemeral(graph, parent);
      if (selected.has(parent) && !ephemeral) found.add(parent);
      else if (ephemeral) visit(parent);
    }
  };
  visit(name);
  return found;
}
