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
import { ModelError, type ColumnInfo, type Deferred, type Relation, type SqlDialect, type StepAction, type TestOutcome } from '../../adapters/types.js';
import type { GenericTestDeclaration } from '../../parser/properties.js';
import { checkColumns, columnCheck, judgeActions, judged as judgedOn, type ModelTest } from './checks.js';
import { failureCountSql, rowFailure } from './generic-tests.js';

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

const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

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
      ...failures.map((f) => `select count(*) from ${stageSql} as sf_row where ${f.condition}`),
      // dbt's failure count (one per duplicated value for unique), beside the rows moved.
      ...moved.map((t) => failureCountSql(t.query(stageSql), t.test.config.limit))]
    : [];
  return {
    kind: 'deferred',
    describe: [stage, target.quarantine],
    queries: counts,
    build: (facts) => {
      const [columns = [], quarantineColumns = []] = facts.columns;
      checkColumns(dialect, tests.map(columnCheck), columns);
      const actions: StepAction[] = [];
      if (moved.length) {
        const [total, bad, ...perRule] = facts.values.map((v) => Number(v[0] ?? 0));
        const each = perRule.slice(0, moved.length);
        const dbtCount = perRule.slice(moved.length);
        const byRule = failures.map((f, i) => `${f.test.name} ${each[i]}`).join(', ');
        const tripped = target.maxRate !== undefined && total! > 0 && bad! / total! > target.maxRate;
        const outcomes = failures.map(({ test }, i): TestOutcome => ({
          kind: 'test-result', name: test.name, status: each[i]! === 0 ? 'pass' : tripped ? 'fail' : 'warn', failures: dbtCount[i]!,
          quarantined: tripped ? 0 : each[i]!, file: test.file, line: test.line,
          message: each[i]! === 0 ? undefined : tripped ? `${rows(each[i]!)} failed; the batch broke max_quarantine_rate` : `${rows(each[i]!)} quarantined into ${target.quarantine.name}`,
        }));
        if (tripped) {
          const error = new ModelError(`${bad} of ${total} rows (${((bad! / total!) * 100).toFixed(2)}%) broke quarantine rules (${byRule}), above max_quarantine_rate ${target.maxRate}; nothing was published`);
          error.tests = outcomes;
          throw error;
        }
        actions.push(...moveAside(dialect, stageSql, target, columns, quarantineColumns, failures, anyFailure, facts.unit));
        if (bad! > 0) actions.push({ kind: 'note', message: `quarantined ${bad} of ${total} rows into ${target.quarantine.schema}.${target.quarantine.name}: ${byRule}` });
        actions.push(...outcomes);
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

