// What a build checks besides writing models: each model's and seed's generic tests (run by
// the write, before publishing), source tables (they exist, are fresh enough, pass their
// tests) before the models reading them, and singular tests after their parents.
import { sql } from 'kysely';
import { relationKey, type Adapter, type Relation } from '../adapters/types.js';
import { sourceRelation, splitSourceKey } from '../config/sources.js';
import type { GenericTestDeclaration } from '../parser/properties.js';
import type { CheckStep } from '../plan/plan.js';
import { checkStepName } from '../plan/types.js';
import { judgeActions, judged, sourceCheckActions, storeFailures, type JudgedTest, type ModelTest } from '../plan/quality/checks.js';
import { genericTestSql } from '../plan/quality/generic-tests.js';
import { freshnessClock } from './freshness.js';
import { testTarget } from '../plan/quality/targets.js';
import { UserError, UserErrors } from '../util/errors.js';
import { renderWithAnswers } from '../runner/answers.js';
import type { LoadedProject } from './project.js';

/**
 * A declared test made runnable: templated values that need the project (a `where` with
 * ref()) rendered, its relationships parent resolved, a custom test's block rendered once (so
 * a broken one is reported before anything runs), and the nodes it reads collected.
 */
export function modelTest(project: LoadedProject, declared: GenericTestDeclaration, warnError = false): ModelTest | UserError {
  const { dialect, compiled } = project;
  const parents = new Set<string>();
  // --warn-error: a warning test fails like an error test, as in dbt.
  let test = warnError && declared.config.severity === 'warn' ? { ...declared, config: { ...declared.config, severity: 'error' as const } } : declared;
  let custom: ModelTest['query'] | undefined;
  let failCalc = declared.config.failCalc;
  try {
    test = renderTemplates(project, test, parents);
    if (test.custom) {
      const first = compiled.renderGenericTest(test, testedRelation(project, test));
      for (const ref of first.refs) parents.add(ref);
      failCalc ??= first.testConfig?.fail_calc;
      // Run with `execute` true (the first render above finds refs with it false), as dbt runs tests.
      custom = (model, answers) => compiled.renderGenericTest(test, model, answers ?? new Map()).sql;
    }
  } catch (err) {
    if (err instanceof UserError) return err;
    if (err instanceof UserErrors) return err.errors[0]!;
    throw err;
  }
  const to = test.test === 'relationships' && !test.custom ? testTarget(project.graph, project.config.sources, test) : undefined;
  if (to instanceof UserError) return to;
  if (to?.node) parents.add(to.node);
  const plain = custom ?? ((model: Relation) => genericTestSql(dialect, test, { model: dialect.renderRelation(model), to: to && dialect.renderRelation(to) }));
  // A test of an ephemeral model reads it inlined, as dbt runs one.
  const query: ModelTest['query'] = isEphemeral(project, test.node) ? (model, answers) => compiled.inlineEphemeral(plain(model, answers), test.node) : plain;
  return { test, to, parents: [...parents], query, ...(failCalc ? { failCalc } : {}) };
}

/** A model materialized as ephemeral: it has no relation, only SQL inlined where it is read. */
export function isEphemeral(project: LoadedProject, name: string): boolean {
  if (!project.graph.has(name)) return false;
  const node = project.graph.node(name);
  return node.kind === 'model' && node.model.settings.materialized === 'ephemeral';
}

/** `where` and string arguments still holding a template (they use ref, source or this) render here. */
function renderTemplates(project: LoadedProject, test: GenericTestDeclaration, parents: Set<string>): GenericTestDeclaration {
  const templated = (v: unknown): v is string => typeof v === 'string' && /\{\{|\{%/.test(v);
  const render = (text: string) => {
    const r = project.compiled.renderSnippet(text, test);
    for (const ref of r.refs) parents.add(ref);
    return r.sql;
  };
  const where = test.config.where;
  const args = Object.fromEntries(Object.entries(test.args).map(([k, v]) => [k, templated(v) ? render(v) : v]));
  return { ...test, args, config: { ...test.config, where: templated(where) ? render(where) : where } };
}

/** The relation a test is on: a model's, a seed's, or a source table's. */
export function testedRelation(project: LoadedProject, test: GenericTestDeclaration): Relation {
  if (test.on === 'source') return sourceRelation(project.config.sources, ...splitSourceKey(test.node));
  const node = project.graph.node(test.node);
  return node.kind === 'seed' ? node.seed.relation : node.model.relation;
}

/** The enabled generic tests of the selected models and seeds, by node; a bad `to:` is an error before anything runs. */
export function testsByNode(project: LoadedProject, selected: ReadonlySet<string>, warnError = false): Map<string, ModelTest[]> {
  const byNode = new Map<string, ModelTest[]>();
  const errors: UserError[] = [];
  for (const test of project.manifest.genericTests) {
    if (!test.config.enabled || test.on === 'source' || !selected.has(test.node)) continue;
    const node = project.graph.node(test.node);
    if (test.config.severity === 'quarantine' && node.kind === 'model' && node.model.settings.materialized !== 'table' && node.model.settings.materialized !== 'incremental') {
      errors.push(new UserError('PROPERTIES', `severity quarantine on ${test.name}: '${test.node}' is a ${node.model.settings.materialized}, with no rows of its own to move aside`, {
        location: { file: test.file, line: test.line }, hint: 'materialize it as a table or incremental model, or use severity error or warn',
      }));
      continue;
    }
    const made = modelTest(project, test, warnError);
    if (made instanceof UserError) errors.push(made);
    else byNode.set(test.node, [...(byNode.get(test.node) ?? []), made]);
  }
  UserErrors.throwIfAny(errors);
  return byNode;
}

/**
 * Tests that read a node built after the one they test (a relationships test whose `to` is
 * downstream of its model), and tests of an ephemeral model (nothing is written for it): they
 * run as checks once what they read is built, as dbt runs tests after their parents. The rest
 * stay with their node, judging its rows before they are published.
 */
export function splitLateTests(project: LoadedProject, tests: ReadonlyMap<string, readonly ModelTest[]>): { tests: Map<string, ModelTest[]>; checks: CheckStep[] } {
  const { graph, dialect } = project;
  const kept = new Map<string, ModelTest[]>();
  const checks: CheckStep[] = [];
  for (const [node, list] of tests) {
    // Only tests reading another node can wait for one: walking the descendants is for them alone.
    const downstream = list.some((t) => t.parents.some((p) => p !== node)) ? graph.reach(node, 'down') : new Set<string>();
    const inlined = isEphemeral(project, node);
    for (const t of list) {
      if (!inlined && !t.parents.some((p) => downstream.has(p))) {
        kept.set(node, [...(kept.get(node) ?? []), t]);
        continue;
      }
      const relation = testedRelation(project, t.test);
      checks.push({
        name: checkStepName('test', t.test.name), kind: 'test', relation, after: [node, ...t.parents],
        actions: judgeActions(dialect, [judged(t, relation)], 'commit'),
      });
    }
  }
  return { tests: kept, checks };
}

/**
 * The build's source checks (every source table a selected model reads that declares
 * freshness or tests) and singular tests (those reading selected nodes).
 * Freshness is measured against `now`, or the project's `sf_now` var when set.
 */
export function buildChecks(project: LoadedProject, selected: ReadonlySet<string>, singular: LoadedProject['compiled']['tests'], now: Date, warnError = false): CheckStep[] {
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
    const [source, table] = splitSourceKey(key);
    const detail = config.sources[source]?.details[table];
    if (!detail) continue;
    const relation = sourceRelation(config.sources, source, table);
    const tests: ModelTest[] = [];
    for (const t of project.manifest.genericTests) {
      if (t.on !== 'source' || t.node !== key || !t.config.enabled) continue;
      const made = modelTest(project, t, warnError);
      if (made instanceof UserError) errors.push(made);
      else tests.push(made);
    }
    if (!detail.freshness && tests.length === 0) continue;
    const seed = seedOf.get(relationKey(relation));
    checks.push({
      name: checkStepName('source', key), kind: 'source', relation, source: key, after: seed ? [seed] : [],
      actions: sourceCheckActions(dialect, {
        label: key, relation, table: detail, now: clock, warnError,
        tests: tests.map((t) => judged(t, relation)),
      }),
    });
  }
  for (const t of singular) {
    // It waits for what it reads: models and seeds, and a source's check or the seed loading it.
    const read = t.sources.map((s) => `${s.source}.${s.table}`);
    const viaSources = read.flatMap((key) => {
      const seed = seedOf.get(relationKey(sourceRelation(config.sources, ...splitSourceKey(key))));
      return [...(checks.some((c) => c.source === key) ? [checkStepName('source', key)] : []), ...(seed ? [seed] : [])];
    });
    checks.push({
      name: checkStepName('test', t.node.name), kind: 'test', relation: { schema: dialect.defaultSchema, name: t.node.name }, after: [...t.refs, ...viaSources],
      actions: judgeActions(dialect, [singularJudged(t, warnError)], 'commit'),
    });
  }
  UserErrors.throwIfAny(errors);
  return checks;
}

/** dbt's store_failures: the failing rows, replaced on each run, in `<schema>_dbt_test__audit.<test>`. */
export async function keepFailures(adapter: Adapter, t: { name: string; alias?: string | undefined; query: string; limit?: number | undefined }): Promise<void> {
  await adapter.db.transaction().execute(async (trx) => {
    for (const s of storeFailures(adapter.dialect, t)) await sql.raw(s.sql).execute(trx);
  });
}

/**
 * After a build: the failures of the published nodes' store_failures tests, from what was
 * published (a write's audit runs in its transaction, and parallel batches share the table).
 */
export async function keepBuildFailures(adapter: Adapter, project: LoadedProject, tests: ReadonlyMap<string, readonly ModelTest[]>, published: readonly string[]): Promise<void> {
  for (const name of published) {
    for (const t of tests.get(name) ?? []) {
      if (!t.test.config.storeFailures || t.test.config.severity === 'quarantine') continue;
      const model = testedRelation(project, t.test);
      const query = await renderWithAnswers(adapter, adapter.db, (answers) => t.query(model, answers));
      await keepFailures(adapter, { name: t.test.name, alias: t.test.alias, query, limit: t.test.config.limit });
    }
  }
}

/** A singular test as judged: its config() settings, dbt's defaults, --warn-error. */
export function singularJudged(t: LoadedProject['compiled']['tests'][number], warnError = false): JudgedTest {
  const c = t.config;
  return {
    name: t.node.name, file: t.node.path, severity: c.severity === 'warn' && !warnError ? 'warn' : 'error',
    warnIf: c.warn_if ?? '!=0', errorIf: c.error_if ?? '!=0', limit: c.limit, storeFailures: c.store_failures ?? false, query: t.sql, render: t.render, failCalc: c.fail_calc,
  };
}
