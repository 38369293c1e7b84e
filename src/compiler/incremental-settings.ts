// An incremental model's settings, read as dbt reads them, into one normalized spec; and the
// combinations that cannot work, reported at compile time with the model, the setting and why.
import type { Granularity, IncrementalStrategy, OnSchemaChange } from '../config/types.js';
import type { ModelNode } from '../parser/nodes.js';
import { UserError } from '../util/errors.js';
import { callPattern, lineOf } from './template-errors.js';
import type { ResolvedModelSettings } from './types.js';

export interface TimePartition {
  readonly kind: 'time';
  readonly field: string;
  readonly granularity: Granularity;
}

export interface IntPartition {
  readonly kind: 'int';
  readonly field: string;
  readonly start: number;
  readonly end: number;
  readonly interval: number;
}

export type PartitionSpec = TimePartition | IntPartition;

export interface IncrementalSpec {
  readonly strategy: IncrementalStrategy;
  /** Deduplicated; empty = no key. */
  readonly uniqueKey: readonly string[];
  readonly partition?: PartitionSpec | undefined;
  /** Static insert_overwrite partitions, as SQL literals. */
  readonly partitions?: readonly string[] | undefined;
  readonly updateColumns?: readonly string[] | undefined;
  readonly excludeColumns?: readonly string[] | undefined;
  readonly predicates: readonly string[];
  readonly onSchemaChange: OnSchemaChange;
  /** microbatch: the first batch's start (`YYYY-MM-DD HH:MM:SS`). */
  readonly begin?: string | undefined;
  readonly lookback: number;
  /** Most batches at once; 1 when concurrent_batches is false; undefined = the run's threads. */
  readonly batchConcurrency?: number | undefined;
}

/** A column name sf can quote: not an expression. */
const COLUMN = /^(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")$/;

/** `adapt`: the engine's last word on user SQL (predicates, partition literals): SqlDialect.adaptModelSql. */
export function incrementalSpec(settings: ResolvedModelSettings, adapt: (sql: string) => string = (s) => s): IncrementalSpec {
  const uniqueKey = [...new Set((Array.isArray(settings.unique_key) ? settings.unique_key : [settings.unique_key ?? ''])
    .map((k) => unquote(k.trim())).filter((k) => k !== ''))];
  const strategy = settings.incremental_strategy ?? (uniqueKey.length ? 'merge' : 'append');
  let partition: PartitionSpec | undefined;
  if (strategy === 'microbatch' && settings.event_time) {
    partition = { kind: 'time', field: unquote(settings.event_time), granularity: settings.batch_size ?? 'day' };
  } else if (typeof settings.partition_by === 'string') {
    partition = { kind: 'time', field: unquote(settings.partition_by), granularity: 'day' };
  } else if (settings.partition_by) {
    const p = settings.partition_by;
    partition = p.data_type === 'int64' && p.range
      ? { kind: 'int', field: unquote(p.field), ...p.range }
      : { kind: 'time', field: unquote(p.field), granularity: p.granularity ?? 'day' };
  }
  return {
    strategy,
    uniqueKey,
    partition,
    partitions: settings.partitions?.map(adapt),
    updateColumns: settings.merge_update_columns,
    excludeColumns: settings.merge_exclude_columns,
    predicates: [...(settings.incremental_predicates ?? []), ...(settings.predicates ?? [])].map(adapt),
    onSchemaChange: settings.on_schema_change ?? 'ignore',
    begin: settings.begin === undefined ? undefined : normalizeDateTime(settings.begin),
    lookback: settings.lookback ?? 1,
    batchConcurrency: settings.concurrent_batches === false ? 1 : settings.batch_concurrency,
  };
}

/** A column name as written, without its double quotes: `"Order Date"` -> `Order Date`. */
function unquote(name: string): string {
  return /^".*"$/.test(name) ? name.slice(1, -1).replace(/""/g, '"') : name;
}

/** `2026-06-01`, `2026-06-01T05:00Z` -> `2026-06-01 00:00:00`, `2026-06-01 05:00:00`. */
export function normalizeDateTime(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text.trim());
  if (!m) throw new Error(`not a date: ${text}`);
  return `${m[1]} ${m[2] ?? '00'}:${m[3] ?? '00'}:${m[4] ?? '00'}`;
}

/** Problems an incremental model's settings have on their own, before any data is read. */
export function checkIncrementalSettings(node: ModelNode, settings: ResolvedModelSettings): UserError[] {
  if (settings.materialized !== 'incremental') return [];
  const spec = incrementalSpec(settings);
  const problems: { setting: string; message: string; hint: string }[] = [];
  const raw = settings.partition_by;

  if (spec.strategy === 'delete+insert' && spec.uniqueKey.length === 0) {
    problems.push({ setting: 'unique_key', message: "incremental_strategy 'delete+insert' needs a unique_key: the rows to delete are the ones whose key comes again", hint: "set unique_key='id' (or a list), or use 'append'" });
  }
  if (settings.merge_update_columns && settings.merge_exclude_columns) {
    problems.push({ setting: 'merge_update_columns', message: 'merge_update_columns and merge_exclude_columns are both set', hint: 'keep one of them' });
  }
  if ((settings.merge_update_columns || settings.merge_exclude_columns) && spec.strategy === 'merge' && spec.uniqueKey.length === 0) {
    problems.push({ setting: 'unique_key', message: 'merge_update_columns / merge_exclude_columns apply to rows matched by unique_key, and there is no unique_key', hint: "set unique_key='id'" });
  }
  if (spec.partitions && spec.strategy !== 'insert_overwrite') {
    problems.push({ setting: 'partitions', message: `partitions is for incremental_strategy 'insert_overwrite', not '${spec.strategy}'`, hint: "set incremental_strategy='insert_overwrite' or remove partitions" });
  }
  if (spec.partitions && !raw) {
    problems.push({ setting: 'partitions', message: 'partitions lists partitions of a partition_by column, and partition_by is not set', hint: "set partition_by='order_date'" });
  }
  if (raw && typeof raw === 'object') {
    if (raw.data_type === 'int64' && !raw.range) {
      problems.push({ setting: 'partition_by', message: "partition_by with data_type 'int64' needs a range: {start, end, interval}", hint: "e.g. partition_by={'field': 'id', 'data_type': 'int64', 'range': {'start': 0, 'end': 1000, 'interval': 100}}" });
    }
    if (raw.range && raw.range.start >= raw.range.end) {
      problems.push({ setting: 'partition_by', message: `partition_by range: start ${raw.range.start} is not below end ${raw.range.end}`, hint: 'start is inclusive, end exclusive' });
    }
    if (raw.range && raw.data_type !== 'int64') {
      problems.push({ setting: 'partition_by', message: "partition_by has a range but data_type is not 'int64'", hint: "add data_type='int64'" });
    }
  }
  const field = typeof raw === 'string' ? raw : raw?.field;
  if (field !== undefined && !COLUMN.test(field)) {
    problems.push({ setting: 'partition_by', message: `partition_by '${field}' is not a column name`, hint: 'name a column of the model (compute the expression as a column in the select)' });
  }
  if (spec.strategy === 'microbatch') {
    for (const key of ['event_time', 'batch_size', 'begin'] as const) {
      if (settings[key] === undefined) {
        problems.push({ setting: key, message: `incremental_strategy 'microbatch' needs ${key}`, hint: "microbatch needs event_time='<timestamp column>', batch_size='day' (hour|day|month|year) and begin='2026-01-01'" });
      }
    }
  }
  const line = lineOf(node.rawSql, callPattern('config'));
  return problems.map((p) => new UserError('MODEL_CONFIG', `model '${node.name}', setting ${p.setting}: ${p.message}`, {
    location: { file: node.path, line },
    hint: p.hint,
  }));
}
