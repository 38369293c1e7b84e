// Incremental strategies: given the staged rows (a table in the step's transaction) and what was
// read about them, the statements that publish them into the model's table. Pure.
//   append           insert every staged row
//   merge            by unique_key: update matched rows, insert the others (no key: append)
//   delete+insert    delete the table's rows whose key comes again (and match the
//                    predicates), insert every staged row
//   insert_overwrite replace whole partitions: the ones the staged rows fall in (dynamic), the
//                    ones listed in `partitions` (static), or the whole table (no partition_by)
// Windowed writes (batches) replace their window whatever the strategy: windowed.ts.
import { SOURCE_ALIAS, type Relation, type SqlDialect, type Statement } from '../../adapters/types.js';
import type { IncrementalSpec } from '../../compiler/incremental-settings.js';
import { mergeStatements } from './merge.js';
import { insertOverwriteStatements } from './insert-overwrite.js';

export interface PublishInputs {
  readonly dialect: SqlDialect;
  readonly target: Relation;
  readonly stage: Relation;
  readonly spec: IncrementalSpec;
  /** Columns to write, in the table's order. */
  readonly insert: readonly string[];
  /** Partition keys of the staged rows (dynamic) or of `partitions` (static). */
  readonly keys: readonly string[];
}

export function publishStatements(p: PublishInputs): Statement[] {
  const { dialect, target, stage, spec } = p;
  switch (spec.strategy) {
    case 'append':
      return [dialect.insertSelect(target, stage, p.insert)];
    case 'merge':
      return mergeStatements(p);
    case 'delete+insert': {
      const q = spec.uniqueKey.map((k) => dialect.quoteIdentifier(k));
      const tuple = q.length === 1 ? q[0]! : `(${q.join(', ')})`;
      const condition = [
        `${tuple} in (select ${q.join(', ')} from ${dialect.renderRelation(stage)} as ${SOURCE_ALIAS})`,
        ...spec.predicates.map((pred) => `(${pred})`),
      ].join('\n  and ');
      return [dialect.deleteWhere(target, condition), dialect.insertSelect(target, stage, p.insert)];
    }
    case 'insert_overwrite':
      return insertOverwriteStatements(p);
    case 'microbatch':
      throw new Error('microbatch models are written in windows (windowed.ts)');
  }
}
