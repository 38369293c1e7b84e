// insert_overwrite: delete the partitions being replaced, insert their new rows, in one
// transaction. Dynamic: the partitions the staged rows fall in. Static (`partitions`): the
// listed ones, and only staged rows inside them are written, so a re-run is the same table.
// Without partition_by: the whole table.
import type { Statement } from '../../adapters/types.js';
import { partitionsCondition } from '../partitions.js';
import type { PublishInputs } from './index.js';

export function insertOverwriteStatements(p: PublishInputs): Statement[] {
  const { dialect, target, stage, spec } = p;
  const predicates = spec.predicates.map((pred) => ` and (${pred})`).join('');
  if (!spec.partition) {
    return [dialect.deleteWhere(target, `1 = 1${predicates}`), dialect.insertSelect(target, stage, p.insert)];
  }
  const column = dialect.quoteIdentifier(spec.partition.field);
  const condition = partitionsCondition(dialect, column, spec.partition, p.keys);
  return [
    dialect.deleteWhere(target, `(${condition})${predicates}`),
    dialect.insertSelect(target, stage, p.insert, spec.partitions ? condition : undefined),
  ];
}
