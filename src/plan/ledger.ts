// The partition ledger: one row per (model relation, partition) recording what the table holds
// for that partition — rows, an order-independent checksum computed by the engine — and the run
// that wrote it. It lives in the target, in schema `sf` (SQLite, without schemas: the table
// `sf__partitions`), and is written in the same transaction as the partition's rows, so it can
// never disagree with the table. A failed attempt marks its partitions `failed` and leaves the
// counts of what the table still holds.
import type { Relation, SqlDialect, Statement, UnitContext } from '../adapters/types.js';
import type { PartitionSpec } from '../compiler/incremental-settings.js';
import { partitionKeySql, partitionsCondition } from './partitions.js';

export const SF_SCHEMA = 'sf';
export const LEDGER: Relation = { schema: SF_SCHEMA, name: 'partitions' };

export type LedgerStatus = 'success' | 'failed';

export interface LedgerEntry {
  readonly relation: string;
  readonly model: string;
  readonly partition: string;
  readonly rows: number | null;
  readonly checksum: string | null;
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: LedgerStatus;
  readonly attempts: number;
  readonly error: string | null;
}

/** The ledger's relation key for a model's table. */
export function ledgerKey(rel: Relation): string {
  return `${rel.schema}.${rel.name}`.toLowerCase();
}

export function ledgerSetup(dialect: SqlDialect): Statement[] {
  return [
    ...(dialect.capabilities.schemas ? dialect.createSchema(SF_SCHEMA) : []),
    { sql: `create table if not exists ${dialect.renderRelation(LEDGER)} (
  relation_name text not null,
  model_name text not null,
  partition_key text not null,
  row_count bigint,
  checksum text,
  run_id text not null,
  started_at text not null,
  finished_at text not null,
  status text not null,
  attempts integer not null,
  error text,
  primary key (relation_name, partition_key)
)` },
  ];
}

export function ledgerReadSql(dialect: SqlDialect, relations: readonly string[]): string {
  const list = relations.map((r) => dialect.stringLiteral(r)).join(', ');
  return `select relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error
from ${dialect.renderRelation(LEDGER)}${relations.length ? ` where relation_name in (${list})` : ''}
order by relation_name, partition_key`;
}

export interface LedgerWrite {
  readonly model: string;
  readonly target: Relation;
  readonly spec: PartitionSpec;
  /** The table's columns after this unit's write, for the checksum. */
  readonly columns: readonly string[];
  /** The keys this unit replaced; 'all' after a full rebuild. */
  readonly keys: readonly string[] | 'all';
  readonly unit: UnitContext;
}

/** Replace the ledger rows of the written keys with what the table now holds. */
export function ledgerWrite(dialect: SqlDialect, w: LedgerWrite): Statement[] {
  const L = dialect.renderRelation(LEDGER);
  const lit = (s: string) => dialect.stringLiteral(s);
  const relation = lit(ledgerKey(w.target));
  const column = dialect.quoteIdentifier(w.spec.field);
  const key = partitionKeySql(dialect, column, w.spec);
  const meta = `${lit(w.unit.runId)}, ${lit(w.unit.startedAt)}, ${lit(w.unit.now())}, 'success', ${w.unit.attempt}, null`;
  const columns = 'relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error';
  const keyList = w.keys === 'all' ? '' : w.keys.map(lit).join(', ');
  if (w.keys !== 'all' && w.keys.length === 0) return [];
  const where = w.keys === 'all' ? '' : `\n  where ${partitionsCondition(dialect, column, w.spec, w.keys)}`;
  // A replaced partition that is now empty is recorded with 0 rows: built, not missing. One
  // insert, with no ON CONFLICT (DuckDB's is slow): each key once, its rows or 0.
  const empty = w.keys === 'all' ? '' : w.keys.map((k) => `\n  union all select ${lit(k)}, 0, cast(null as varchar)`).join('');
  return [
    { sql: `delete from ${L} where relation_name = ${relation}${w.keys === 'all' ? '' : ` and partition_key in (${keyList})`}` },
    { sql: `insert into ${L} (${columns})
select ${relation}, ${lit(w.model)}, partition_key, sum(row_count), coalesce(max(checksum), '0'), ${meta}
from (
  select ${key} as partition_key, count(*) as row_count, ${dialect.checksum(w.columns)} as checksum
  from ${dialect.renderRelation(w.target)}${where}
  group by ${key}${empty}
) as written
group by partition_key` },
  ];
}

/** Forget a model's partitions: its table is being replaced whole. */
export function ledgerClear(dialect: SqlDialect, target: Relation): Statement {
  return { sql: `delete from ${dialect.renderRelation(LEDGER)} where relation_name = ${dialect.stringLiteral(ledgerKey(target))}` };
}

/** After a failed attempt: mark its partitions failed, keeping what the table still holds. */
export function ledgerMarkFailed(
  dialect: SqlDialect,
  m: { model: string; target: Relation; keys: readonly string[]; unit: UnitContext; error: string },
): Statement[] {
  if (m.keys.length === 0) return [];
  const L = dialect.renderRelation(LEDGER);
  const lit = (s: string) => dialect.stringLiteral(s);
  const relation = lit(ledgerKey(m.target));
  const rows = m.keys.map((k) => `(${relation}, ${lit(m.model)}, ${lit(k)}, null, null, ${lit(m.unit.runId)}, ${lit(m.unit.startedAt)}, ${lit(m.unit.now())}, 'failed', ${m.unit.attempt}, ${lit(m.error.slice(0, 2000))})`);
  return [{ sql: `insert into ${L} (relation_name, model_name, partition_key, row_count, checksum, run_id, started_at, finished_at, status, attempts, error)
values ${rows.join(',\n  ')}
on conflict (relation_name, partition_key) do update set
  status = 'failed', run_id = excluded.run_id, started_at = excluded.started_at, finished_at = excluded.finished_at,
  attempts = excluded.attempts, error = excluded.error` }];
}
