// Data tests that judge a relation as it is (a view, a source, a singular test's query, or a
// model's staged rows): count each test's failing rows as dbt does, keep them when
// store_failures asks, and give the verdict. Source checks also measure freshness.
import { NeedsWarehouse, type WarehouseAnswers } from '../../compiler/warehouse.js';
import type { ColumnInfo, Relation, SqlDialect, Statement, StepAction, TestOutcome } from '../../adapters/types.js';
import { ModelError } from '../../adapters/types.js';
import type { FreshnessRule, ResolvedSourceTable } from '../../config/types.js';
import type { GenericTestDeclaration } from '../../parser/properties.js';
import { failureCountSql, testStatus } from './generic-tests.js';
import { freshnessSql, freshnessVerdict, missingLoadedAtField } from './freshness.js';

/** One test to judge: its failing-rows query and dbt's settings. */
export interface JudgedTest {
  readonly name: string;
  /** The relation name of its stored failures, when the name is too long for one (dbt's alias). */
  readonly alias?: string | undefined;
  readonly file: string;
  readonly line?: number | undefined;
  readonly severity: 'error' | 'warn';
  readonly warnIf: string;
  readonly errorIf: string;
  readonly limit?: number | undefined;
  readonly storeFailures: boolean;
  /** SQL returning the failing rows. */
  readonly query: string;
  /** dbt's fail_calc: how failures are counted from the failing rows (default count(*)). */
  readonly failCalc?: string | undefined;
  /** Set when the query is known only by asking the warehouse: renders it with the answers. */
  readonly render?: ((answers: WarehouseAnswers) => string) | undefined;
  /** The column it is on, checked to exist before it runs. */
  readonly column?: string | undefined;
}

/** A generic test on a model, seed or source, ready to run. */
export interface ModelTest {
  readonly test: GenericTestDeclaration;
  /** relationships: the parent relation. */
  readonly to?: Relation | undefined;
  /** Models and seeds the test reads besides its own (a relationships parent, a ref() in it). */
  readonly parents: readonly string[];
  /**
   * SQL returning the failing rows of the test on `model`. With `answers`
   * (a project test's block), rendered with `execute` true: throws NeedsWarehouse when it must
   * ask the warehouse more (compiler/warehouse.ts).
   */
  readonly query: (model: Relation, answers?: WarehouseAnswers) => string;
  /** dbt's fail_calc, from the test's config() or its declaration. */
  readonly failCalc?: string | undefined;
}

/** A generic test judged on `model`; quarantine counts as error where rows cannot be moved. */
export function judged(t: ModelTest, model: Relation): JudgedTest {
  const c = t.test.config;
  const base = {
    ...columnCheck(t), severity: c.severity === 'warn' ? 'warn' as const : 'error' as const,
    alias: t.test.alias, warnIf: c.warnIf, errorIf: c.errorIf, limit: c.limit, storeFailures: c.storeFailures, failCalc: t.failCalc,
  };
  try {
    return { ...base, query: t.query(model, new Map()) };
  } catch (err) {
    if (!(err instanceof NeedsWarehouse)) throw err;
    return { ...base, query: '', render: (answers) => t.query(model, answers) };
  }
}

/** What checkColumns needs of a test: where it was declared and the column it is on. */
type ColumnCheck = Pick<JudgedTest, 'name' | 'file' | 'line' | 'column'>;

export function columnCheck(t: ModelTest): ColumnCheck {
  const column = t.test.column ?? (typeof t.test.args['column_name'] === 'string' ? t.test.args['column_name'] : undefined);
  return { name: t.test.name, file: t.test.file, line: t.test.line, column };
}

/** A test on a column the relation lacks is a mistake in the declaration: say where it is. */
export function checkColumns(dialect: SqlDialect, tests: readonly ColumnCheck[], columns: readonly ColumnInfo[], what = "the model's output"): void {
  const missing = tests.flatMap((t) =>
    t.column && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.column) && !columns.some((c) => dialect.sameIdentifier(c.name, t.column!))
      ? [`${t.file}:${t.line}: test ${t.name}: column '${t.column}' is not in ${what} (${columns.map((c) => c.name).join(', ')})`]
      : []);
  if (missing.length) throw new ModelError(missing.join('\n'));
}

/** A relation's tests, run on it as it is now (a view in the transaction creating it). */
export function judgeRelation(dialect: SqlDialect, relation: Relation, tests: readonly JudgedTest[], onFailure: 'rollback' | 'commit'): StepAction[] {
  if (tests.length === 0) return [];
  return [{
    kind: 'deferred', describe: [relation],
    build: (facts) => {
      checkColumns(dialect, tests, facts.columns[0] ?? [], `${relation.schema}.${relation.name}`);
      return judgeActions(dialect, tests, onFailure);
    },
  }];
}

/** Where dbt keeps a test's failing rows: `<target schema>_dbt_test__audit.<test name>`. */
export function failuresRelation(dialect: SqlDialect, test: string): Relation {
  return { schema: `${dialect.defaultSchema}_dbt_test__audit`, name: test.slice(0, 63) };
}

/**
 * Count and judge `tests`. `onFailure: 'rollback'` throws (the unit's writes roll back: a model
 * audit); `'commit'` fails the unit after its stored failures are committed (a read-only check).
 */
export function judgeActions(dialect: SqlDialect, tests: readonly JudgedTest[], onFailure: 'rollback' | 'commit', extra?: ExtraCheck): StepAction[] {
  if (tests.length === 0 && !extra) return [];
  // A test that asks the warehouse is rendered in the transaction, then judged with the rest.
  if (tests.some((t) => t.render)) {
    return [{ kind: 'rendered', render: (answers) => judgeActions(dialect, tests.map(({ render, ...t }) => (render ? { ...t, query: render(answers) } : t)), onFailure, extra) }];
  }
  // A write's audit keeps no failures in its transaction: keepBuildFailures does, once published.
  const stores = onFailure === 'commit' ? tests.filter((t) => t.storeFailures).flatMap((t) => storeFailures(dialect, t)) : [];
  const queries = [...(extra ? [extra.query] : []), ...tests.map((t) => failureCountSql(t.query, t.limit, t.failCalc))];
  return [...stores, {
    kind: 'deferred', describe: [], queries,
    build: (facts) => {
      const values = extra ? facts.values.slice(1) : facts.values;
      const judged = extra ? extra.judge(facts.values[0]?.[0] ?? null) : { failed: [], warned: [] };
      const { actions, failed } = verdict(tests, values);
      const failures = [...judged.failed, ...failed];
      const notes: StepAction[] = judged.warned.map((message) => ({ kind: 'note', message: `warning: ${message}` }));
      if (failures.length === 0) return [...notes, ...actions];
      const message = onFailure === 'rollback'
        ? `data test${failed.length === 1 ? '' : 's'} failed on the new rows; nothing was published:\n${failures.join('\n')}`
        : failures.join('\n');
      if (onFailure === 'rollback') {
        const error = new ModelError(message);
        error.tests = actions.filter((a): a is TestOutcome => 'kind' in a && a.kind === 'test-result');
        throw error;
      }
      return [...notes, ...actions, { kind: 'fail', message }];
    },
  }];
}

/** A check beside the tests (freshness): one query, judged from its first value. */
export interface ExtraCheck {
  readonly query: string;
  readonly judge: (value: string | null) => { failed: string[]; warned: string[] };
}

/** Replace the test's stored failures with its failing rows now. */
export function storeFailures(dialect: SqlDialect, t: Pick<JudgedTest, 'name' | 'alias' | 'query' | 'limit'>): Statement[] {
  const rel = failuresRelation(dialect, t.alias ?? t.name);
  return [
    ...(dialect.capabilities.schemas ? dialect.createSchema(rel.schema) : []),
    dialect.dropRelation(rel, 'table'),
    { sql: `create table ${dialect.renderRelation(rel)} as\nselect * from (\n${t.query}${t.limit !== undefined ? `\nlimit ${t.limit}` : ''}\n) as dbt_internal_test` },
  ];
}

function verdict(tests: readonly JudgedTest[], counts: readonly (readonly (string | null)[])[]): { actions: StepAction[]; failed: string[] } {
  const failed: string[] = [];
  const actions: StepAction[] = [];
  tests.forEach((test, i) => {
    const n = Number(counts[i]?.[0] ?? 0);
    const rows = `${n} failing row${n === 1 ? '' : 's'}`;
    const at = `${test.name} (${test.file}${test.line ? `:${test.line}` : ''})`;
    const status = testStatus(n, test);
    const message = status === 'fail' ? `${rows}, configured to fail if ${test.errorIf}`
      : status === 'warn' ? `${rows}, configured to warn if ${test.warnIf}` : undefined;
    actions.push({ kind: 'test-result', name: test.name, status, failures: n, message, file: test.file, line: test.line });
    if (status === 'fail') failed.push(`${at}: ${message}`);
    else if (status === 'warn') actions.push({ kind: 'note', message: `warning: ${at}: ${message}` });
  });
  return { actions, failed };
}

/** A source table's check in a build: it exists, it is fresh enough, its tests pass. */
export function sourceCheckActions(
  dialect: SqlDialect,
  check: { label: string; relation: Relation; table: ResolvedSourceTable; tests: readonly JudgedTest[]; now: Date; warnError?: boolean },
): StepAction[] {
  const { relation, table } = check;
  const declared = `${table.file}${table.line ? `:${table.line}` : ''}`;
  const rule: FreshnessRule | undefined = table.freshness;
  return [{
    kind: 'deferred', describe: [relation],
    build: (facts) => {
      if ((facts.columns[0] ?? []).length === 0) {
        throw new ModelError(`source ${check.label}: table ${relation.schema}.${relation.name} does not exist in the target (declared at ${declared}); nothing that reads it was run`);
      }
      const extra: ExtraCheck | undefined = rule && table.loadedAtField ? {
        query: freshnessSql(dialect, relation, table.loadedAtField, rule.filter),
        judge: (newest) => {
          const v = freshnessVerdict(newest, check.now, rule);
          const line = `source ${check.label} (${declared}): ${v.summary}`;
          const failed = v.status === 'error' || (check.warnError && v.status === 'warn');
          return { failed: failed ? [line] : [], warned: v.status === 'warn' && !failed ? [line] : [] };
        },
      } : undefined;
      const columns = facts.columns[0]!;
      const badField = rule && table.loadedAtField ? missingLoadedAtField(dialect, table.loadedAtField, relation, columns) : undefined;
      if (badField) throw new ModelError(`source ${check.label}: ${badField}; declared at ${declared}`);
      checkColumns(dialect, check.tests, columns, `${relation.schema}.${relation.name}`);
      return judgeActions(dialect, check.tests, 'commit', extra);
    },
  }];
}
