// Write-audit-publish: a model's (or seed's, or batch's) data tests run on its staged rows inside
// the unit's transaction, before anything is published.
//   quarantine  rows failing the test move to `<model>__quarantine` (the model's columns plus
//               sf_test, sf_reason, sf_run_id, sf_partition, sf_quarantined_at) and the rest
//               is published; above max_quarantine_rate the unit fails and publishes nothing.
//               A re-run replaces the quarantine rows of what it replaces (the whole table, its
//               partitions, its keys), so quarantine is as idempotent as the write.
//   error       a failing test fails the unit: it rolls back, consumers keep the previous table,
//               downstream is skipped.
//   warn        reported; the rows are published.
import { ModelError, type ColumnInfo, type Deferred, type Relation, type SqlDialect, type StepAction } from '../../adapters/types.js';
import type { GenericTestDeclaration } from '../../parser/properties.js';
import { judgeActions, judged as judgedOn, type ModelTest } from './checks.js';
import { rowFailure } from './generic-tests.js';

export type { ModelTest };

/** Which quarantine rows a unit replaces, and the partition of a quarantined row. */
export interface QuarantineScope {
  /** 'all' (a whole rebuild), a condition on the quarantine table's rows, or nothing (append). */
  readonly clear: 'all' | string | undefined;
  /** SQL over a staged row (alias `sf_row`) giving its partition key (sf_partition); none: NULL. */
  readonly partitionKey?: string | undefined;
}

export interface AuditTarget {
  readonly quarantine: Relation;
  readonly scope: QuarantineScope;
  readonly maxRate?: number | undefined;
}

const SF_COLUMNS = ['sf_test', 'sf_reason', 'sf_run_id', 'sf_partition', 'sf_quarantined_at'];

export function auditAction(dialect: SqlDialect, stage: Relation, tests: readonly ModelTest[], target: AuditTarget): Deferred | undefined {
  if (tests.length === 0) return undefined;
  const stageSql = dialect.renderRelation(stage);
  const moved = tests.filter((t) => t.test.config.severity === 'quarantine');
  const judged = tests.filter((t) => t.test.config.severity !== 'quarantine');
  const failures = moved.map(({ test, to }) => ({ test, ...rowFailure(dialect, test, stageSql, to && dialect.renderRelation(to)) }));
  const anyFailure = failures.map((f) => `(${f.condition})`).join(' or ');
  const counts = moved.length
    ? [`select count(*) from ${stageSql}`, `select count(*) from ${stageSql} as sf_row where ${anyFailure}`,
      ...failures.map((f) => `select count(*) from ${stageSql} as sf_row where ${f.condition}`)]
    : [];
  return {
    kind: 'deferred',
    describe: [stage, target.quarantine],
    queries: counts,
    build: (facts) => {
      const [columns = [], quarantineColumns = []] = facts.columns;
      checkColumns(dialect, tests, columns);
      const actions: StepAction[] = [];
      if (moved.length) {
        const [total, bad, ...each] = facts.values.map((v) => Number(v[0] ?? 0));
        const byRule = failures.map((f, i) => `${f.test.name} ${each[i]}`).join(', ');
        if (target.maxRate !== undefined && total! > 0 && bad! / total! > target.maxRate) {
          throw new ModelError(`${bad} of ${total} rows (${((bad! / total!) * 100).toFixed(2)}%) broke quarantine rules (${byRule}), above max_quarantine_rate ${target.maxRate}; nothing was published`);
        }
        actions.push(...moveAside(dialect, stageSql, target, columns, quarantineColumns, failures, anyFailure, facts.unit));
        if (bad! > 0) actions.push({ kind: 'note', message: `quarantined ${bad} of ${total} rows into ${target.quarantine.schema}.${target.quarantine.name}: ${byRule}` });
        failures.forEach(({ test }, i) => actions.push({
          kind: 'test-result', name: test.name, status: each[i]! > 0 ? 'warn' : 'pass', failures: each[i]!, quarantined: each[i]!,
          message: each[i]! > 0 ? `${each[i]} rows quarantined into ${target.quarantine.name}` : undefined, file: test.file, line: test.line,
        }));
      }
      // Judged after the moves: an error test sees only the rows that would be published.
      actions.push(...judgeActions(dialect, judged.map((t) => judgedOn(t, stageSql)), 'rollback'));
      return actions;
    },
  };
}

/** Create (or widen) the quarantine table, replace this unit's rows in it, move the failing rows. */
function moveAside(
  dialect: SqlDialect,
  stageSql: string,
  target: AuditTarget,
  columns: readonly ColumnInfo[],
  existing: readonly ColumnInfo[],
  failures: readonly { test: GenericTestDeclaration; condition: string; reason: string }[],
  anyFailure: string,
  unit: { runId: string; now: () => string },
): StepAction[] {
  const q = dialect.renderRelation(target.quarantine);
  const quote = (c: string) => dialect.quoteIdentifier(c);
  const lit = (s: string) => dialect.stringLiteral(s);
  const list = (pick: (f: (typeof failures)[number]) => string) =>
    `substr(${failures.map((f) => `case when ${f.condition} then ${lit(`, ${pick(f)}`)} else '' end`).join(' || ')}, 3)`;
  const actions: StepAction[] = [];
  if (existing.length === 0) {
    const sfColumns = SF_COLUMNS.map((c) => `cast(null as text) as ${quote(c)}`).join(', ');
    actions.push({ sql: `create table ${q} as\nselect ${columns.map((c) => quote(c.name)).join(', ')}, ${sfColumns}\nfrom ${stageSql}\nwhere 1 = 0` });
  } else {
    for (const c of columns) if (!existing.some((e) => dialect.sameIdentifier(e.name, c.name))) actions.push(dialect.addColumn(target.quarantine, c));
  }
  if (target.scope.clear === 'all') actions.push({ sql: `delete from ${q}` });
  else if (target.scope.clear) actions.push({ sql: `delete from ${q} where ${target.scope.clear}` });
  const names = [...columns.map((c) => quote(c.name)), ...SF_COLUMNS.map(quote)].join(', ');
  actions.push({
    sql: `insert into ${q} (${names})\nselect ${columns.map((c) => `sf_row.${quote(c.name)}`).join(', ')}, ${list((f) => f.test.name)}, ${list((f) => f.reason)}, `
      + `${lit(unit.runId)}, ${target.scope.partitionKey ?? 'null'}, ${lit(unit.now())}\n`
      + `from ${stageSql} as sf_row\nwhere ${anyFailure}`,
  });
  actions.push({ sql: `delete from ${stageSql} as sf_row\nwhere ${anyFailure}` });
  return actions;
}

/** A test on a column the new rows lack is a mistake in the declaration: say where it is. */
function checkColumns(dialect: SqlDialect, tests: readonly ModelTest[], columns: readonly ColumnInfo[]): void {
  const missing = tests.flatMap(({ test }) => {
    const column = test.column ?? test.args['column_name'];
    return typeof column === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(column) && !columns.some((c) => dialect.sameIdentifier(c.name, column))
      ? [`${test.file}:${test.line}: test ${test.name}: column '${column}' is not in the model's output (${columns.map((c) => c.name).join(', ')})`]
      : [];
  });
  if (missing.length) throw new ModelError(missing.join('\n'));
}
