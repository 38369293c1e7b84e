// Generic test names as dbt synthesizes them, so `--select <test name>`, run_results and the
// store_failures tables carry the names a dbt user knows:
//   <namespace>_<source_?><test>_<model or source_table>_<argument values, sorted by argument name, joined by __>
// e.g. not_null_orders_order_id, accepted_values_orders_status__placed__shipped,
// relationships_orders_customer_id__customer_id__ref_customers_, source_unique_raw_orders_id.
// A name of 64 characters or more keeps its full form, and a short form (the first 30
// characters of `<test>_<model>` and an md5 of the full name) names its relations.
import { createHash } from 'node:crypto';

export interface TestNames {
  /** The name tests are selected and reported by. */
  readonly full: string;
  /** Under 64 characters: for relation names (store_failures). */
  readonly short: string;
}

/** Python's str() of a YAML value, as dbt joins arguments. */
function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  return String(value);
}

function pythonRepr(value: unknown): string {
  return typeof value === 'string' ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : pythonStr(value);
}

/**
 * `test` as written (`unique`, `dbt_utils.expression_is_true`), on model `target` (a source
 * table as `source_table`), with its arguments (column_name included, configs left out).
 */
export function synthesizeTestName(test: string, target: string, onSource: boolean, args: Readonly<Record<string, unknown>>): TestNames {
  const [namespace, name] = test.includes('.') ? [test.slice(0, test.indexOf('.')), test.slice(test.indexOf('.') + 1)] : [undefined, test];
  const type = `${namespace ? `${namespace}_` : ''}${onSource ? 'source_' : ''}${name}`;
  const parts = Object.keys(args).filter((k) => k !== 'model').sort().flatMap((k) => {
    const v = args[k];
    if (Array.isArray(v)) return v.map(pythonStr);
    if (v !== null && typeof v === 'object') return Object.values(v).map(pythonStr);
    return [pythonStr(v)];
  });
  const identifier = `${type}_${target}`;
  const full = `${identifier}_${parts.map((p) => p.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__')}`;
  const short = full.length >= 64 ? `${identifier.slice(0, 30)}_${createHash('md5').update(full).digest('hex')}` : full;
  return { full, short };
}
