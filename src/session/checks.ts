// What a build checks besides writing models: each model's and seed's generic tests (run by
// the write, before publishing), source tables (they exist, are fresh enough, pass their
// tests) before the models reading them, and singular tests after their parents.
import { relationKey, type Relation } from '../adapters/types.js';
import { sourceRelation } from '../config/sources.js';
import type { GenericTestDeclaration } from '../parser/properties.js';
import type { CheckStep } from '../plan/plan.js';
import { judgeActions, judged, sourceCheckActions, type ModelTest } from '../plan/quality/checks.js';
import { genericTestSql } from '../plan/quality/generic-tests.js';
import { freshnessClock } from './freshness.js';
import { testTarget } from '../plan/quality/targets.js';
import { UserError, UserErrors } from '../util/errors.js';
import type { LoadedProject } from './project.js';

/** A declared test made runnable: its relationships parent resolved, its SQL renderable. */
export function modelTest(project: LoadedProject, test: GenericTestDeclaration): ModelTest | UserError {
  const to = test.test === 'relationships' && !test.custom ? testTarget(project.graph, project.config.sources, test) : undefined;
  if (to instanceof UserError) return to;
  const { dialect, compiled } = project;
  if (test.custom) {
    // Render it once now, so a broken test block is reported before anything runs.
    try {
      compiled.renderGenericTest(test, dialect.renderRelation(testedRelation(project, test)));
    } catch (err) {
      if (err instanceof UserError) return err;
      if (err instanceof UserErrors) return err.errors[0]!;
      throw err;
    }
  }
  const query = test.custom
    ? (model: string) => compiled.renderGenericTest(test, model)
    : (model: string) => genericTestSql(dialect, test, { model, to: to && dialect.renderRelation(to) });
  return { test, to, toNode: to?.node, query };
}

/** The relation a test is on: a model's, a seed's, or a source table's. */
export function testedRelation(project: LoadedProject, test: GenericTestDeclaration): Relation {
  if (test.on === 'source') {
    const dot = test.node.indexOf('.');
    return sourceRelation(project.config.sources, test.node.slice(0, dot), test.node.slice(dot + 1));
  }
  const node = project.graph.node(test.node);
  return node.kind === 'seed' ? node.seed.relation : node.model.relation;
}

/** The enabled generic tests of the selected models and seeds, by node; a bad `to:` is an error before anything runs. */
export function testsByNode(project: LoadedProject, selected: ReadonlySet<string>): Map<string, ModelTest[]> {
  const byNode = new Map<string, ModelTest[]>();
  const errors: UserError[] = [];
  for (const test of project.manifest.genericTests) {
    if (!test.config.enabled || test.on === 'source' || !selected.has(test.node)) continue;
    const made = modelTest(project, test);
    if (made instanceof UserError) errors.push(made);
    else byNode.set(test.node, [...(byNode.get(test.node) ?? []), made]);
  }
  UserErrors.throwIfAny(errors);
  return byNode;
}

/**
 * The build's source checks (every source table a selected model reads that declares
 * freshness or tests) and singular tests (those reading selected nodes).
 * Freshness is measured against `now`, or the project's `sf_now` var when set.
 */
export function buildChecks(project: LoadedProject, selected: ReadonlySet<string>, singular: LoadedProject['compiled']['tests'], now: Date): CheckStep[] {
  const { dialect, config, graph } = project;
  const errors: UserError[] = [];
  const clock = freshnessClock(project, now);
  const seedOf = new Map(project.compiled.seeds.map((s) => [relationKey(s.relation), s.node.name]));
  const read = new Set<string>();
  for (const name of selected) {
    const node = graph.node(name);
    if (node.kind === 'model') for (const s of node.model.sources) read.add(`${s.source}.${s.table}`);
  }
  const checks: CheckStep[] = [];
  for (const key of [...read].sort()) {
    const dot = key.indexOf('.');
    const [source, table] = [key.slice(0, dot), key.slice(dot + 1)];
    const detail = config.sources[source]?.details[table];
    if (!detail) continue;
    const relation = sourceRelation(config.sources, source, table);
    const tests: ModelTest[] = [];
    for (const t of project.manifest.genericTests) {
      if (t.on !== 'source' || t.node !== key || !t.config.enabled) continue;
      const made = modelTest(project, t);
      if (made instanceof UserError) errors.push(made);
      else tests.push(made);
    }
    if (!detail.freshness && tests.length === 0) continue;
    const seed = seedOf.get(relationKey(relation));
    checks.push({
      name: `source:${key}`, kind: 'source', relation, source: key, after: seed ? [seed] : [],
      actions: sourceCheckActions(dialect, {
        label: key, relation, table: detail, now: clock,
        tests: tests.map((t) => judged(t, dialect.renderRelation(relation))),
      }),
    });
  }
  for (const t of singular) {
    checks.push({
      name: `test:${t.node.name}`, kind: 'test', relation: { schema: dialect.defaultSchema, name: t.node.name }, after: t.refs,
      actions: judgeActions(dialect, [{
        name: t.node.name, file: t.node.path, severity: 'error', warnIf: '!=0', errorIf: '!=0', storeFailures: false, query: t.sql,
      }], 'commit'),
    });
  }
  UserErrors.throwIfAny(errors);
  return checks;
}
