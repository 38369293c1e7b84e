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
import { ModelError, type ColumnInfo, type Relation, type SqlDialect, type StepAction, type TestOutcome } from '../../adapters/types.js';
import type { WarehouseQuestion } from '../../compiler/warehouse.js';
import type { GenericTestDeclaration } from '../../parser/properties.js';
import { checkColumns, columnCheck, judgeActions, judged as judgedOn, type ModelTest } from './checks.js';
import { rowFailure, type RowFailure } from './generic-tests.js';

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
  /** The relation the rows are published to: a test reading it by ref() reads the staged rows instead. */
  readonly published?: Relation | undefined;
  readonly scope: QuarantineScope;
  readonly maxRate?: number | undefined;
}

const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

const SF_COLUMNS = ['sf_test', 'sf_reason', 'sf_run_id', 'sf_partition', 'sf_quarantined_at'];

/** The failing rows' ids and which rules each breaks: one temporary table a unit, dropped in it. */
const FLAGS = 'sf_quarantine_flags';

type Failure = RowFailure & { readonly test: GenericTestDeclaration };

/** Where a model's quarantined rows go: `<name>__quarantine` beside it. */
export function quarantineRelation(rel: Relation): Relation {
  return { schema: rel.schema, name: `${rel.name}__quarantine` };
}

export function auditActions(dialect: SqlDialect, stage: Relation, tests: readonly ModelTest[], target: AuditTarget): StepAction[] {
  if (tests.length === 0) return [];
  const stageSql = dialect.renderRelation(stage);
  const moved = tests.filter((t) => t.test.config.severity === 'quarantine');
  const judged = tests.filter((t) => t.test.config.severity !== 'quarantine');
  const failures: Failure[] = moved.map(({ test, to }, i) => ({ test, ...rowFailure(dialect, test, stageSql, to && dialect.renderRelation(to), `sf_lookup_${i}`) }));
  const flagging = failures.length ? flagRows(dialect, stageSql, failures) : undefined;
  return [...(flagging ? [flagging.create] : []), {
    kind: 'deferred',
    describe: [stage, target.quarantine],
    queries: flagging ? [flagging.counts] : [],
    build: (facts) => {
      const [columns = [], quarantineColumns = []] = facts.columns;
      checkColumns(dialect, tests.map(columnCheck), columns);
      const actions: StepAction[] = [];
      if (flagging) {
        const [total = 0, bad = 0, ...rest] = (facts.values[0] ?? []).map(Number);
        const each = rest.slice(0, failures.length);
        const distinct = rest.slice(failures.length);
        // dbt's failure count: the rows, or for unique and accepted_values the values; its `limit` caps it.
        const dbtCount = failures.map((f, i) => {
          const n = f.distinct ? distinct.shift()! : each[i]!;
          return f.test.config.limit === undefined ? n : Math.min(n, f.test.config.limit);
        });
        const byRule = failures.map((f, i) => `${f.test.name} ${each[i]}`).join(', ');
        const tripped = target.maxRate !== undefined && total > 0 && bad / total > target.maxRate;
        const outcomes = failures.map(({ test }, i): TestOutcome => ({
          kind: 'test-result', name: test.name, status: each[i]! === 0 ? 'pass' : tripped ? 'fail' : 'warn', failures: dbtCount[i]!,
          quarantined: tripped ? 0 : each[i]!, file: test.file, line: test.line,
          message: each[i]! === 0 ? undefined : tripped ? `${rows(each[i]!)} failed; the batch broke max_quarantine_rate` : `${rows(each[i]!)} quarantined into ${target.quarantine.name}`,
        }));
        if (tripped) {
          const error = new ModelError(`${bad} of ${total} rows (${((bad / total) * 100).toFixed(2)}%) broke quarantine rules (${byRule}), above max_quarantine_rate ${target.maxRate}; nothing was published`);
          error.tests = outcomes;
          throw error;
        }
        actions.push(...moveAside(dialect, stageSql, target, columns, quarantineColumns, failures, bad, facts.unit));
        if (bad > 0) actions.push({ kind: 'note', message: `quarantined ${bad} of ${total} rows into ${target.quarantine.schema}.${target.quarantine.name}: ${byRule}` });
        actions.push(...outcomes);
      }
      // Judged after the moves: an error test sees only the rows that would be published.
      // A test's own ref() of the model (cardinality_equality to itself) means the new rows.
      const own = target.published ? dialect.renderRelation(target.published) : undefined;
      const staged = (sql: string) => (own ? sql.split(own).join(stageSql) : sql);
      // What such a test asks the warehouse while it renders (the columns of the model it
      // compares with) is asked of the staged rows too.
      const published = target.published;
      const askAs = (q: WarehouseQuestion): WarehouseQuestion => {
        if (q.kind === 'query') return { ...q, sql: staged(q.sql) };
        return published && q.schema === published.schema && q.name === published.name ? { ...q, ...stage } : q;
      };
      actions.push(...judgeActions(dialect, judged.map((t) => {
        const j = judgedOn(t, stage);
        return { ...j, query: staged(j.query), render: j.render && ((answers) => staged(j.render!(answers))) };
      }), 'rollback').map((a) => ('kind' in a && a.kind === 'rendered' ? { ...a, askAs } : a)));
      return actions;
    },
  }];
}

/**
 * Every rule is evaluated once, in one pass over the staged rows, into a temporary table of the
 * failing rows (their row id, their columns, a 0/1 flag per rule, the values dbt counts
 * distinctly); the counts and the quarantine insert read that small table, not the stage, and
 * the delete finds the rows by id.
 * `counts` yields, one per row: the staged rows, the failing rows, the failing rows per rule,
 * then the distinct failing values of each rule that counts values.
 */
function flagRows(dialect: SqlDialect, stageSql: string, failures: readonly Failure[]): { create: StepAction; counts: string } {
  const flags = dialect.tempRelation(FLAGS);
  const flag = failures.map((f, i) => `case when ${f.condition} then 1 else 0 end as sf_fail_${i}`);
  const values = failures.flatMap((f, i) => (f.distinct ? [`${f.distinct} as sf_value_${i}`] : []));
  const joins = failures.flatMap((f, i) => (f.lookup ? [`\n  left join (${f.lookup.keys}) as sf_lookup_${i} on sf_lookup_${i}.sf_lookup_key = ${f.lookup.on}`] : []));
  const create = {
    sql: `create temp table ${dialect.quoteIdentifier(FLAGS)} as\nselect * from (\n  select sf_row.${dialect.rowId} as sf_rowid, sf_row.*, ${[...flag, ...values].join(', ')}\n  from ${stageSql} as sf_row${joins.join('')}\n) as sf_checked\n`
      + `where ${failures.map((_, i) => `sf_fail_${i} = 1`).join(' or ')}`,
  };
  const parts = [
    `count(*) as sf_n from ${stageSql}`,
    `count(*) as sf_n from ${flags}`,
    ...failures.map((_, i) => `count(*) as sf_n from ${flags} where sf_fail_${i} = 1`),
    ...failures.flatMap((f, i) => (f.distinct ? [`count(distinct sf_value_${i}) as sf_n from ${flags} where sf_fail_${i} = 1`] : [])),
  ];
  const counts = `select sf_n from (\n${parts.map((p, i) => `  ${i ? 'union all ' : ''}select ${i} as sf_i, ${p}`).join('\n')}\n) as sf_counts\norder by sf_i`;
  return { create, counts };
}

/** Create (or widen) the quarantine table, replace this unit's rows in it, move the failing rows. */
function moveAside(
  dialect: SqlDialect,
  stageSql: string,
  target: AuditTarget,
  columns: readonly ColumnInfo[],
  existing: readonly ColumnInfo[],
  failures: readonly Failure[],
  bad: number,
  unit: { runId: string; now: () => string },
): StepAction[] {
  const q = dialect.renderRelation(target.quarantine);
  const flags = dialect.tempRelation(FLAGS);
  const quote = (c: string) => dialect.quoteIdentifier(c);
  const lit = (s: string) => dialect.stringLiteral(s);
  const list = (pick: (f: Failure) => string) =>
    `substr(${failures.map((f, i) => `case when sf_row.sf_fail_${i} = 1 then ${lit(`, ${pick(f)}`)} else '' end`).join(' || ')}, 3)`;
  const actions: StepAction[] = [];
  if (existing.length === 0) {
    const sfColumns = SF_COLUMNS.map((c) => `cast(null as text) as ${quote(c)}`).join(', ');
    actions.push({ sql: `create table ${q} as\nselect ${columns.map((c) => quote(c.name)).join(', ')}, ${sfColumns}\nfrom ${stageSql}\nwhere 1 = 0` });
  } else {
    for (const c of columns) if (!existing.some((e) => dialect.sameIdentifier(e.name, c.name))) actions.push(dialect.addColumn(target.quarantine, c));
  }
  if (target.scope.clear === 'all') actions.push({ sql: `delete from ${q}` });
  else if (target.scope.clear) actions.push({ sql: `delete from ${q} where ${target.scope.clear}` });
  if (bad > 0) {
    const names = [...columns.map((c) => quote(c.name)), ...SF_COLUMNS.map(quote)].join(', ');
    actions.push({
      sql: `insert into ${q} (${names})\nselect ${columns.map((c) => `sf_row.${quote(c.name)}`).join(', ')}, ${list((f) => f.test.name)}, ${list((f) => f.reason)}, `
        + `${lit(unit.runId)}, ${target.scope.partitionKey ?? 'null'}, ${lit(unit.now())}\n`
        + `from ${flags} as sf_row`,
    });
    actions.push({ sql: `delete from ${stageSql}\nwhere ${dialect.rowId} in (select sf_rowid from ${flags})` });
  }
  actions.push({ sql: `drop table ${flags}` });
  return actions;
}
