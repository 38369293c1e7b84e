// Generic data tests as SQL returning the failing rows, as dbt's own test macros write them,
// so a test fails on the same rows, and counts as many failures, as in dbt:
//   not_null         the rows where the column is null
//   unique           one row per duplicated non-null value (dbt's unique_field, n_records)
//   accepted_values  one row per distinct value outside the list (NULL is not checked)
//   relationships    the non-null values with no match in the parent
//   expression       the rows where the expression is not true (dbt_utils.expression_is_true)
//   row_count        one row when the table's row count is outside [min, max]
// A test's `where` narrows the tested relation, `limit` caps the failing rows.
import type { SqlDialect } from '../../adapters/types.js';
import { COUNT_CONDITION, type GenericTestDeclaration } from '../../parser/properties.js';

export interface TestRelations {
  /** The tested model's or seed's relation as SQL. */
  readonly model: string;
  /** `to` of relationships (`ref('x')`, `source('a', 'b')`) as SQL. */
  readonly to?: string | undefined;
}

export function genericTestSql(dialect: SqlDialect, t: GenericTestDeclaration, rel: TestRelations): string {
  const model = t.config.where ? `(select * from ${rel.model} where ${t.config.where}) as dbt_subquery` : rel.model;
  const column = t.column ?? String(t.args['column_name'] ?? '');
  switch (t.test) {
    case 'not_null':
      return `select ${column}\nfrom ${model}\nwhere ${column} is null`;
    case 'unique':
      return `select ${column} as unique_field, count(*) as n_records\nfrom ${model}\nwhere ${column} is not null\ngroup by ${column}\nhaving count(*) > 1`;
    case 'accepted_values': {
      const quote = t.args['quote'] !== false;
      const values = (t.args['values'] as unknown[]).map((v) => (quote ? dialect.stringLiteral(String(v)) : String(v))).join(', ');
      return `with all_values as (\n  select ${column} as value_field, count(*) as n_records\n  from ${model}\n  group by ${column}\n)\nselect * from all_values\nwhere value_field not in (${values})`;
    }
    case 'relationships':
      return `with child as (\n  select ${column} as from_field\n  from ${model}\n  where ${column} is not null\n),\nparent as (\n  select ${String(t.args['field'])} as to_field\n  from ${rel.to}\n)\nselect from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null`;
    case 'expression': {
      const expr = `${t.column ? `${t.column} ` : ''}${String(t.args['expression'])}`;
      return `select *\nfrom ${model}\nwhere not (${dialect.adaptModelSql(expr)})`;
    }
    case 'row_count': {
      const bounds = [
        t.args['min'] !== undefined ? `count(*) < ${Number(t.args['min'])}` : '',
        t.args['max'] !== undefined ? `count(*) > ${Number(t.args['max'])}` : '',
      ].filter(Boolean);
      return `select count(*) as row_count\nfrom ${model}\nhaving ${bounds.join(' or ')}`;
    }
    default:
      throw new Error(`no SQL for generic test ${t.test}`);
  }
}

/** A row-level test as a condition on one staged row (alias `sf_row`). */
export interface RowFailure {
  /** Over `sf_row`, and over the lookup's alias where there is one. */
  readonly condition: string;
  /**
   * Distinct keys (one column, `sf_lookup_key`) the row is checked against by a left join on
   * `sf_lookup_key = on`, not `in (subquery)`: PostgreSQL runs an IN whose set it expects not to
   * fit in work_mem as a scan of the whole set per row (1M rows against a 300k-row parent did
   * not finish in 90 s; the join took 1.7 s).
   */
  readonly lookup?: { readonly keys: string; readonly on: string } | undefined;
  /** Why, in words, for the quarantine table's sf_reason. */
  readonly reason: string;
  /** Where dbt counts distinct values of the failing rows (unique, accepted_values), that value. */
  readonly distinct?: string | undefined;
}

/**
 * For a row-level test: the condition a staged row fails, and why in words. The same rows
 * dbt's query reports, one by one (every row of a duplicated value for unique). `lookup`
 * names the alias the caller joins the test's lookup under.
 */
export function rowFailure(dialect: SqlDialect, t: GenericTestDeclaration, stage: string, to: string | undefined, lookup: string): RowFailure {
  const column = t.column ?? String(t.args['column_name'] ?? '');
  const col = `sf_row.${column}`;
  const where = t.config.where;
  const failure = ((): RowFailure => {
    switch (t.test) {
      case 'not_null':
        return { condition: `${col} is null`, reason: `${column} is null` };
      case 'unique':
        // Duplicates among the rows the test's `where` keeps, as dbt's query counts them.
        return {
          condition: `${lookup}.sf_lookup_key is not null`,
          lookup: { keys: `select ${column} as sf_lookup_key from ${stage} where ${where ? `(${where}) and ` : ''}${column} is not null group by ${column} having count(*) > 1`, on: col },
          reason: `${column} is not unique`,
          distinct: col,
        };
      case 'accepted_values': {
        const quote = t.args['quote'] !== false;
        const values = (t.args['values'] as unknown[]).map((v) => (quote ? dialect.stringLiteral(String(v)) : String(v)));
        return { condition: `${col} is not null and ${col} not in (${values.join(', ')})`, reason: `${column} is not one of ${values.join(', ')}`, distinct: col };
      }
      case 'relationships': {
        // A join, not a correlated NOT EXISTS: every engine reads the parent once (SQLite ran
        // NOT EXISTS as a scan of the parent per row: 13 s for 1M rows against 1,220 parents).
        // The lookup holds the child's values that have a parent, distinct in the child's own
        // type: distinct parent keys of another type (text '1' and '01') could each equal one
        // child value and repeat its row.
        const field = String(t.args['field']);
        return {
          condition: `${col} is not null and ${lookup}.sf_lookup_key is null`,
          lookup: {
            keys: `select distinct sf_child.${column} as sf_lookup_key from ${stage} as sf_child\n    join (select distinct sf_parent.${field} as sf_parent_key from ${to} as sf_parent where sf_parent.${field} is not null) as sf_parents on sf_child.${column} = sf_parents.sf_parent_key`,
            on: col,
          },
          reason: `${column} has no match in ${String(t.args['to'])}.${field}`,
        };
      }
      case 'expression': {
        const expr = `${t.column ? `${t.column} ` : ''}${String(t.args['expression'])}`;
        return { condition: `not (${dialect.adaptModelSql(expr)})`, reason: `${expr} is not true` };
      }
      default:
        throw new Error(`${t.test} is not a row-level test`);
    }
  })();
  return where ? { ...failure, condition: `(${where}) and (${failure.condition})` } : failure;
}

/** The number of failing rows, as dbt counts them (its `limit` applied first). */
/** `failCalc`: dbt's fail_calc, how the failures are counted from the test's rows (default count(*)). */
export function failureCountSql(failingRows: string, limit?: number, failCalc?: string): string {
  return `select coalesce(${failCalc ?? 'count(*)'}, 0) as failures from (\n${failingRows}${limit !== undefined ? `\nlimit ${limit}` : ''}\n) as dbt_internal_test`;
}

/** dbt's verdict on a failure count: with severity error, `fail` when it meets error_if; else `warn` when it meets warn_if. */
export function testStatus(failures: number, config: { severity: string; warnIf: string; errorIf: string }): 'pass' | 'warn' | 'fail' {
  if (config.severity !== 'warn' && meetsCondition(failures, config.errorIf)) return 'fail';
  return meetsCondition(failures, config.warnIf) ? 'warn' : 'pass';
}

/** dbt's warn_if / error_if: `!=0`, `>10`, `>=5`, `<3`, `=0`. */
export function meetsCondition(failures: number, condition: string): boolean {
  const m = COUNT_CONDITION.exec(condition);
  if (!m) throw new Error(`not a condition: ${condition}`);
  const n = Number(m[2]);
  switch (m[1]) {
    case '!=': case '<>': return failures !== n;
    case '>=': return failures >= n;
    case '<=': return failures <= n;
    case '>': return failures > n;
    case '<': return failures < n;
    default: return failures === n;
  }
}
