// merge by unique_key (dbt's semantics): matched rows get the staged values of the update
// columns — merge_update_columns, or every column but merge_exclude_columns, or every column —
// and unmatched rows are inserted whole. No key means nothing can match: append.
import type { Statement } from '../../adapters/types.js';
import type { PublishInputs } from './index.js';

export function mergeStatements(p: PublishInputs): Statement[] {
  const { dialect, spec } = p;
  if (spec.uniqueKey.length === 0) return [dialect.insertSelect(p.target, p.stage, p.insert)];
  const isKey = (c: string) => spec.uniqueKey.some((k) => dialect.sameIdentifier(k, c));
  const listed = (list: readonly string[] | undefined, c: string) => list?.some((x) => dialect.sameIdentifier(x, c)) ?? false;
  const update = p.insert.filter((c) => !isKey(c)
    && (spec.updateColumns ? listed(spec.updateColumns, c) : !listed(spec.excludeColumns, c)));
  return dialect.merge(p.target, p.stage, { keys: spec.uniqueKey, insert: p.insert, update, predicates: spec.predicates });
}
