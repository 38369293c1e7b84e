// Write-audit-publish: a model's (or seed's, or batch's) data tests run on its staged rows inside
// the unit's transaction, before anything is published. A failing `error` test fails the unit:
// the transaction rolls back, consumers keep the previous table, and downstream is skipped. A
// `warn` test is reported and the rows are published.
import { ModelError, type Deferred, type Relation, type SqlDialect, type StepAction } from '../../adapters/types.js';
import type { GenericTestDeclaration } from '../../parser/properties.js';
import { failureCountSql, genericTestSql, meetsCondition } from './generic-tests.js';

export interface ModelTest {
  readonly test: GenericTestDeclaration;
  /** relationships: the parent relation. */
  readonly to?: Relation | undefined;
}

export function auditAction(dialect: SqlDialect, stage: Relation, tests: readonly ModelTest[]): Deferred | undefined {
  if (tests.length === 0) return undefined;
  const queries = tests.map(({ test, to }) => failureCountSql(
    genericTestSql(dialect, test, { model: dialect.renderRelation(stage), to: to && dialect.renderRelation(to) }), test.config.limit));
  return {
    kind: 'deferred',
    describe: [stage],
    build: (facts) => {
      // A test on a column the new rows lack is a mistake in the declaration: say where it is.
      const columns = facts.columns[0] ?? [];
      const missing = tests.flatMap(({ test }) => {
        const column = test.column ?? test.args['column_name'];
        return typeof column === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(column) && !columns.some((c) => dialect.sameIdentifier(c.name, column))
          ? [`${test.file}:${test.line}: test ${test.name}: column '${column}' is not in the model's output (${columns.map((c) => c.name).join(', ')})`]
          : [];
      });
      if (missing.length) throw new ModelError(missing.join('\n'));
      return [{ kind: 'deferred', describe: [], queries, build: (counts) => verdict(tests, counts.values) }];
    },
  };
}

/** Fail on error tests whose count meets error_if; note warn tests whose count meets warn_if. */
function verdict(tests: readonly ModelTest[], counts: readonly (readonly (string | null)[])[]): StepAction[] {
  const failed: string[] = [];
  const notes: StepAction[] = [];
  tests.forEach(({ test }, i) => {
    const n = Number(counts[i]?.[0] ?? 0);
    const rows = `${n} failing row${n === 1 ? '' : 's'}`;
    const at = `${test.name} (${test.file}:${test.line})`;
    if (test.config.severity === 'error' && meetsCondition(n, test.config.errorIf)) {
      failed.push(`${at}: ${rows}, configured to fail if ${test.config.errorIf}`);
    } else if (meetsCondition(n, test.config.warnIf)) {
      notes.push({ kind: 'note', message: `warning: ${at}: ${rows}, configured to warn if ${test.config.warnIf}` });
    }
  });
  if (failed.length) {
    throw new ModelError(`data test${failed.length === 1 ? '' : 's'} failed on the new rows; nothing was published:\n${failed.join('\n')}`);
  }
  return notes;
}
