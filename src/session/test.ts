// `sf test`: run the selected data tests, read-only, against what is published. A test fails
// when its query returns rows; the failure count is the number of rows (after `limit`); with
// severity error it fails when the count meets error_if, else warns when it meets warn_if
// (dbt's rules). Every test's relation and column are checked first: a test on a relation that
// is not built, or a column it lacks, is an error with the file and line that declared it.
import { NeedsWarehouse, type WarehouseAnswers } from '../compiler/warehouse.js';
import { renderWithAnswers } from '../runner/answers.js';
import { sql } from 'kysely';
import { openAdapter } from '../adapters/registry.js';
import type { Adapter, Relation } from '../adapters/types.js';
import { selectNodes, type SelectOptions } from '../graph/selection/select.js';
import type { GenericTestDeclaration } from '../parser/properties.js';
import { failureCountSql, testStatus } from '../plan/quality/generic-tests.js';
import { testTarget } from '../plan/quality/targets.js';
import { isEphemeral, keepFailures, modelTest, singularJudged, testedRelation } from './checks.js';
import { UserError, UserErrors } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { LoadedProject } from './project.js';

/** `skipped`: not run, since --fail-fast stopped at an earlier failure. */
export type TestStatus = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

export interface TestResult {
  readonly name: string;
  readonly kind: 'generic' | 'singular';
  /** The model or seed tested (generic), or the file (singular). */
  readonly on: string;
  readonly status: TestStatus;
  readonly failures: number;
  readonly seconds: number;
  readonly message?: string | undefined;
  readonly file: string;
  readonly line?: number | undefined;
}

export interface TestEvent {
  readonly index: number;
  readonly total: number;
  readonly result: TestResult;
}

interface PlannedTest {
  readonly name: string;
  readonly alias?: string | undefined;
  readonly kind: 'generic' | 'singular';
  readonly on: string;
  readonly file: string;
  readonly line?: number | undefined;
  readonly query: string;
  /** dbt's fail_calc: how failures are counted from the failing rows. */
  readonly failCalc?: string | undefined;
  /** Set when the query is known only by asking the warehouse (a test block reading columns). */
  readonly render?: ((answers: WarehouseAnswers) => string) | undefined;
  /** In sf test nothing is moved: a quarantine test fails like an error test. */
  readonly severity: 'error' | 'warn';
  readonly warnIf: string;
  readonly errorIf: string;
  readonly limit?: number | undefined;
  readonly storeFailures: boolean;
  /** Relations and columns that must exist before it runs. */
  readonly needs: readonly { relation: Relation; columns: readonly string[] }[];
}

/**
 * Tests chosen by --select/--exclude, as dbt selects them: the tests on (or, singular, reading)
 * the selected nodes, tests named directly, narrowed by test_type:generic|singular. No node or
 * name selected: every test.
 */
export function selectTests(project: LoadedProject, options: SelectOptions): { generic: GenericTestDeclaration[]; singular: LoadedProject['compiled']['tests'] } {
  const generic = project.manifest.genericTests.filter((t) => t.config.enabled);
  const singular = project.compiled.tests;
  const names = new Set([...generic.map((t) => t.name), ...singular.map((t) => t.node.name)]);
  const select = options.select ?? [];
  const exclude = options.exclude ?? [];
  const types = select.filter((s) => s.startsWith('test_type:')).map((s) => s.slice('test_type:'.length));
  for (const type of types) {
    if (type !== 'generic' && type !== 'singular') {
      throw new UserError('SELECTION', `test_type:${type} is not a test type`, { hint: 'test_type:generic or test_type:singular' });
    }
  }
  const namedIn = select.filter((s) => names.has(s));
  // source:raw or source:raw.orders: the tests on those source tables.
  const sources = sourceMatcher(project, select);
  const excludedSources = sourceMatcher(project, exclude);
  const nodeSelectors = select.filter((s) => !s.startsWith('test_type:') && !s.startsWith('source:') && !names.has(s));
  const nodes = nodeSelectors.length ? selectNodes(project.graph, { select: nodeSelectors }) : undefined;
  const nodeExcludes = exclude.filter((s) => !names.has(s) && !s.startsWith('source:'));
  const excludedNodes = nodeExcludes.length ? selectNodes(project.graph, { select: nodeExcludes }) : new Set<string>();
  const everything = namedIn.length === 0 && nodeSelectors.length === 0 && !sources.any;
  const chosen = (name: string, on: readonly string[]) =>
    !exclude.includes(name) && !on.some((n) => excludedNodes.has(n) || excludedSources.matches(n))
    && (everything || namedIn.includes(name) || on.some(sources.matches) || (nodes !== undefined && on.some((n) => nodes.has(n))));
  const typeOk = (type: string) => types.length === 0 || types.includes(type);
  return {
    // As dbt's eager selection: a relationships test is on its parent too.
    generic: typeOk('generic') ? generic.filter((t) => chosen(t.name, [t.node, ...relationshipsParent(project, t)])) : [],
    singular: typeOk('singular') ? singular.filter((t) => chosen(t.node.name, t.refs)) : [],
  };
}

function relationshipsParent(project: LoadedProject, t: GenericTestDeclaration): string[] {
  if (t.test !== 'relationships' || t.custom) return [];
  const to = testTarget(project.graph, project.config.sources, t);
  return to instanceof UserError || !to.node ? [] : [to.node];
}

/** `source:raw` / `source:raw.orders` terms; one naming no declared source is an error, as other selectors are. */
function sourceMatcher(project: LoadedProject, terms: readonly string[]): { any: boolean; matches: (node: string) => boolean } {
  const wanted = terms.filter((s) => s.startsWith('source:')).map((s) => s.slice('source:'.length));
  const declared = Object.entries(project.config.sources).flatMap(([name, s]) => s.tables.map((t) => `${name}.${t}`));
  const hits = (w: string, key: string) => key === w || key.startsWith(`${w}.`);
  for (const w of wanted) {
    if (!declared.some((key) => hits(w, key))) {
      throw new UserError('SELECTION', `selector 'source:${w}' matches no declared source table`, {
        hint: didYouMean(w, declared) ?? (declared.length ? `sources: ${declared.join(', ')}` : 'the project declares no sources'),
      });
    }
  }
  return { any: wanted.length > 0, matches: (node) => wanted.some((w) => hits(w, node)) };
}

/** `warnError`: warning tests fail, as `--warn-error` asks. */
export async function runTests(project: LoadedProject, options: SelectOptions & { warnError?: boolean | undefined; failFast?: boolean | undefined; onResult?: (e: TestEvent) => void }): Promise<TestResult[]> {
  const { generic, singular } = selectTests(project, options);
  const errors: UserError[] = [];
  const planned: PlannedTest[] = [];
  const plain = (c: string | undefined) => (c && /^[A-Za-z_][A-Za-z0-9_]*$/.test(c) ? [c] : []);
  for (const t of generic) {
    const made = modelTest(project, t, options.warnError);
    if (made instanceof UserError) {
      errors.push(made);
      continue;
    }
    const model = testedRelation(project, t);
    const column = t.column ?? (typeof t.args['column_name'] === 'string' ? t.args['column_name'] : undefined);
    let query = '';
    let render: PlannedTest['render'];
    try {
      query = made.query(model, new Map());
    } catch (err) {
      if (err instanceof NeedsWarehouse) {
        render = (answers) => made.query(model, answers);
      } else if (err instanceof UserError || err instanceof UserErrors) {
        errors.push(...(err instanceof UserErrors ? err.errors : [err]));
        continue;
      } else {
        throw err;
      }
    }
    planned.push({
      name: t.name, alias: t.alias, kind: 'generic', on: t.node, file: t.file, line: t.line, query, render,
      severity: made.test.config.severity === 'warn' ? 'warn' : 'error', warnIf: t.config.warnIf, errorIf: t.config.errorIf, limit: t.config.limit, failCalc: made.failCalc,
      storeFailures: t.config.storeFailures,
      needs: [
        // An ephemeral model has no relation to check: its test reads it inlined.
        ...(isEphemeral(project, t.node) ? [] : [{ relation: model, columns: plain(column) }]),
        ...(made.to ? [{ relation: made.to, columns: plain(String(t.args['field'])) }] : []),
      ],
    });
  }
  for (const t of singular) {
    planned.push({ ...singularJudged(t, options.warnError), kind: 'singular', on: t.node.path, needs: [] });
  }
  UserErrors.throwIfAny(errors);
  const adapter = await openAdapter(project.target, project.config.projectDir);
  try {
    const { errors: badColumns, missing } = await missingRelations(adapter, planned);
    UserErrors.throwIfAny(badColumns);
    const results: TestResult[] = [];
    let stoppedBy: string | undefined;
    for (const [i, t] of planned.entries()) {
      // As dbt: a test on a relation that is not built errors alone; the others run.
      const absent = missing.get(t.name);
      const base = { name: t.name, kind: t.kind, on: t.on, file: t.file, line: t.line, failures: 0, seconds: 0 };
      const result: TestResult = stoppedBy ? { ...base, status: 'skipped', message: `not run: --fail-fast stopped after '${stoppedBy}' failed` }
        : absent ? { ...base, status: 'error', message: absent }
          : await runOne(adapter, t);
      if (options.failFast && !stoppedBy && (result.status === 'fail' || result.status === 'error')) stoppedBy = t.name;
      results.push(result);
      options.onResult?.({ index: i + 1, total: planned.length, result });
    }
    return results;
  } finally {
    await adapter.close();
  }
}

async function runOne(adapter: Adapter, planned: PlannedTest): Promise<TestResult> {
  const t0 = performance.now();
  const base = { name: planned.name, kind: planned.kind, on: planned.on, file: planned.file, line: planned.line };
  try {
    const t = planned.render ? { ...planned, query: await renderWithAnswers(adapter, adapter.db, planned.render) } : planned;
    if (t.storeFailures) await keepFailures(adapter, t);
    const result = await sql.raw<{ failures: unknown }>(failureCountSql(t.query, t.limit, t.failCalc)).execute(adapter.db);
    const failures = Number(result.rows[0]?.failures ?? 0);
    const status: TestStatus = testStatus(failures, t);
    const condition = status === 'fail' ? t.errorIf : t.warnIf;
    return {
      ...base, status, failures, seconds: (performance.now() - t0) / 1000,
      message: status === 'pass' ? undefined : `got ${failures} result${failures === 1 ? '' : 's'}, configured to ${status === 'fail' ? 'fail' : 'warn'} if ${condition.trim()}`,
    };
  } catch (err) {
    return { ...base, status: 'error', failures: 0, seconds: (performance.now() - t0) / 1000, message: adapter.describeError(err).message };
  }
}

/**
 * A test on a column its relation lacks is a mistake in the declaration (an error naming the
 * line); one on a relation that is not built cannot run (its message, by test name).
 */
async function missingRelations(adapter: Adapter, planned: readonly PlannedTest[]): Promise<{ errors: UserError[]; missing: Map<string, string> }> {
  const errors: UserError[] = [];
  const missing = new Map<string, string>();
  const columnsOf = new Map<string, string[]>();
  for (const t of planned) {
    for (const need of t.needs) {
      const key = adapter.dialect.renderRelation(need.relation);
      let columns = columnsOf.get(key);
      if (!columns) {
        columns = (await adapter.describeColumns(adapter.db, need.relation)).map((c) => c.name);
        columnsOf.set(key, columns);
      }
      const where = { file: t.file, line: t.line };
      if (columns.length === 0) {
        missing.set(t.name, `${need.relation.schema}.${need.relation.name} does not exist in the target (test declared at ${where.file}${where.line ? `:${where.line}` : ''})`);
        continue;
      }
      for (const c of need.columns) {
        if (!columns.some((have) => adapter.dialect.sameIdentifier(have, c))) {
          errors.push(new UserError('PROPERTIES', `test ${t.name}: column '${c}' is not in ${need.relation.schema}.${need.relation.name}`, {
            location: where, hint: didYouMean(c, columns) ?? `its columns are ${columns.join(', ')}`,
          }));
        }
      }
    }
  }
  return { errors, missing };
}
