// The incremental materialization. Every write stages the new rows first (a table created in
// the unit's transaction), then publishes them in that same transaction, so a failure at any
// point leaves the table as it was. Three shapes:
//   full     first build, --full-refresh, or a view in the way: build the whole table into a
//            stage and swap it in (as a table), recording every partition in the ledger;
//   single   an incremental run: stage the model's rows (is_incremental() true), reconcile
//            columns (on_schema_change), publish with the strategy; a time-partitioned
//            insert_overwrite sees a window from the last built partition (minus lookback), so
//            inputs with an event_time are read from there on;
//   batches  a range, the ledger's gaps, a retry, or a microbatch model: one unit per
//            partition, each replacing exactly its window; a first build starts with a
//            `prepare` unit that creates the table empty. A full refresh of an existing
//            table runs the empty table and all its windows in one transaction instead, so
//            the replacement is atomic.
import {
  ModelError,
  type ColumnInfo,
  type Relation,
  type RelationKind,
  type SqlDialect,
  type Statement,
  type StepAction,
} from '../../adapters/types.js';
import { incrementalSpec, type IncrementalSpec, type PartitionSpec } from '../../compiler/incremental-settings.js';
import type { BatchWindow, CompiledModel, RenderContext } from '../../compiler/types.js';
import { ledgerClear, ledgerWrite, type LedgerEntry } from '../ledger.js';
import { addPeriods, isPartitionKey, keyStart, keyWindow, partitionKeySql, timeKey } from '../partitions.js';
import { reconcileColumns } from '../schema-change.js';
import { publishStatements } from '../strategies/index.js';
import type { PlanUnit } from '../types.js';
import { batchKeys, lastBuilt, type BatchRequest } from './batches.js';
import { stageRelation } from './stage.js';
import { stageAudited, type Audit } from './index.js';
import type { QuarantineScope } from '../quality/audit.js';

export interface IncrementalInputs {
  readonly model: CompiledModel;
  readonly dialect: SqlDialect;
  readonly existing: RelationKind | undefined;
  /** The model's ledger entries. */
  readonly ledger: readonly LedgerEntry[];
  readonly render: (ctx: RenderContext) => string;
  readonly request: BatchRequest;
  /** The model's data tests on its staged rows, before they are published. */
  readonly audit?: Audit | undefined;
}

export interface IncrementalPlan {
  readonly prepare?: PlanUnit | undefined;
  readonly units: readonly PlanUnit[];
  readonly batched: boolean;
  readonly how: string;
  readonly concurrency?: number | undefined;
  /** The model is partitioned: its writes keep the partition ledger. */
  readonly ledger: boolean;
}

export function incrementalPlan(inputs: IncrementalInputs): IncrementalPlan {
  const { model, dialect, existing, request } = inputs;
  const spec = incrementalSpec(model.settings, (text) => dialect.adaptModelSql(text));
  const fullRefresh = model.settings.full_refresh ?? request.fullRefresh;
  // A retry continues the run it retries: its partitions go into the table that run built.
  const retrying = request.retry?.has(model.node.name) ?? false;
  const isIncremental = existing === 'table' && (!fullRefresh || retrying);
  const keys = batchKeys(model.node.name, spec, isIncremental, inputs.ledger, request);
  // The ledger is kept by the strategies that replace whole partitions.
  const ledger = spec.partition !== undefined && (spec.strategy === 'insert_overwrite' || spec.strategy === 'microbatch');
  const ctx = (batch?: BatchWindow): RenderContext => ({ isIncremental, batch });

  if (keys !== undefined && spec.partition?.kind === 'time') {
    const part = spec.partition;
    const windows = keys.map((k) => keyWindow(k, part));
    const sqls = windows.map((w) => inputs.render(ctx(w)));
    const units = windows.map((w, i) => windowUnit(inputs, spec, w, sqls[i]!, i));
    // A first build with no batch to run (begin is still ahead) creates the table empty.
    const prepare = isIncremental ? undefined
      : prepareUnit(inputs, sqls[0] ?? inputs.render(ctx(keyWindow(timeKey(spec.begin ?? request.now, part.granularity), part))));
    if (prepare && existing) {
      // Replacing a table that consumers read: the empty table and every batch land in one
      // transaction, so they see the old table until the new one is whole.
      const actions = [prepare, ...units].flatMap((u) => u.actions);
      return { units: [{ label: `full refresh, ${units.length} batches`, actions }], batched: false, how: `${spec.strategy} by ${part.granularity}, full refresh`, ledger };
    }
    // Batches that read the model's own table depend on each other's order: one at a time,
    // as dbt does, unless concurrent_batches says otherwise.
    const readsItself = sqls.some((sql) => sql.includes(dialect.renderRelation(model.relation)));
    const concurrency = spec.batchConcurrency ?? (readsItself && model.settings.concurrent_batches !== true ? 1 : undefined);
    return { prepare, units, batched: true, how: `${spec.strategy} by ${part.granularity}`, concurrency, ledger };
  }
  if (!isIncremental) {
    return { units: [fullUnit(inputs, spec, inputs.render(ctx()), ledger)], batched: false, how: existing ? 'full refresh' : 'first build', ledger };
  }
  // A time-partitioned insert_overwrite reads from its last built partition (less lookback) on.
  let window: BatchWindow | undefined;
  const last = lastBuilt(inputs.ledger);
  if (spec.strategy === 'insert_overwrite' && spec.partition?.kind === 'time' && !spec.partitions && last !== undefined) {
    window = { start: addPeriods(keyStart(last), spec.partition.granularity, 1 - spec.lookback), filterInputs: false };
  }
  return {
    units: [singleUnit(inputs, spec, inputs.render(ctx(window)), window)],
    batched: false,
    how: spec.strategy + (window ? ` from ${window.start.replace(' 00:00:00', '')}` : ''),
    ledger,
  };
}

/**
 * Stage statements: (re)create the stage from the model's SQL. The rows that count are the
 * ones published, so the stage reports none (and SQLite's extra count query is left out).
 */
function stageActions(inputs: IncrementalInputs, stage: Relation, sql: string, scope: QuarantineScope, keepOnly?: string): StepAction[] {
  const { dialect } = inputs;
  const create = dialect.createTableAs(stage, sql).filter((s) => s.rows !== 'scalar');
  return [
    dialect.dropRelation(stage, 'table'),
    ...create.map(({ sql: text }) => ({ sql: text })),
    // An audited batch tests only its window's rows (the only ones it publishes).
    ...(keepOnly && inputs.audit ? [{ sql: `delete from ${dialect.renderRelation(stage)} where not coalesce((${keepOnly}), false)` }] : []),
    ...(inputs.audit?.(stage, scope) ?? []),
  ];
}

/** The partition key of a staged row (alias sf_row), for its quarantine row. */
function rowPartition(dialect: SqlDialect, spec: IncrementalSpec): string | undefined {
  return spec.partition ? partitionKeySql(dialect, `sf_row.${dialect.quoteIdentifier(spec.partition.field)}`, spec.partition) : undefined;
}

/** Which quarantine rows an incremental run replaces: those of the partitions or keys it writes. */
function singleScope(dialect: SqlDialect, spec: IncrementalSpec, stage: Relation): QuarantineScope {
  const partitionKey = rowPartition(dialect, spec);
  if (spec.strategy === 'insert_overwrite') {
    if (!spec.partition) return { clear: 'all' };
    const key = partitionKeySql(dialect, dialect.quoteIdentifier(spec.partition.field), spec.partition);
    return { clear: `sf_partition in (select distinct ${key} from ${dialect.renderRelation(stage)})`, partitionKey };
  }
  if (spec.uniqueKey.length && spec.strategy !== 'append') {
    const keys = spec.uniqueKey.map((k) => dialect.quoteIdentifier(k));
    const tuple = keys.length === 1 ? keys[0]! : `(${keys.join(', ')})`;
    return { clear: `${tuple} in (select ${keys.join(', ')} from ${dialect.renderRelation(stage)})`, partitionKey };
  }
  return { clear: undefined, partitionKey };
}

function fullUnit(inputs: IncrementalInputs, spec: IncrementalSpec, sql: string, keepsLedger: boolean): PlanUnit {
  const { dialect, model, existing } = inputs;
  const stage = stageRelation(model.relation);
  const actions: StepAction[] = [
    dialect.dropRelation(stage, 'table'),
    ...stageAudited(dialect, stage, sql, inputs.audit, { clear: 'all', partitionKey: rowPartition(dialect, spec) }),
    ...dialect.swapTable(stage, model.relation, existing),
    ...keyIndex(dialect, model.relation, spec),
    ...dialect.configIndexes(model.relation, model.settings.indexes ?? []),
  ];
  const part = spec.partition;
  if (part && keepsLedger) {
    actions.push({
      kind: 'deferred',
      describe: [model.relation],
      build: (facts) => {
        const [table] = facts.columns;
        requireColumns(dialect, model, table!, [part.field], 'partition_by');
        return ledgerWrite(dialect, { model: model.node.name, target: model.relation, spec: part, columns: names(table!), keys: 'all', unit: facts.unit });
      },
    });
  }
  return { label: existing ? 'full refresh' : 'first build', actions };
}

/** A first build of a batched model: the table, empty, with the model's columns. */
function prepareUnit(inputs: IncrementalInputs, firstBatchSql: string): PlanUnit {
  const { dialect, model, existing } = inputs;
  const stage = stageRelation(model.relation);
  return {
    label: 'prepare',
    actions: [
      ...stageActions({ ...inputs, audit: undefined }, stage, `select * from (\n${firstBatchSql}\n) as sf_columns_only where 1 = 0`, { clear: undefined }),
      ...dialect.swapTable(stage, model.relation, existing),
      ...dialect.configIndexes(model.relation, model.settings.indexes ?? []),
      ledgerClear(dialect, model.relation),
    ],
  };
}

function singleUnit(inputs: IncrementalInputs, spec: IncrementalSpec, sql: string, window: BatchWindow | undefined): PlanUnit {
  const { dialect, model } = inputs;
  const stage = stageRelation(model.relation);
  const part = spec.partition;
  const overwrite = spec.strategy === 'insert_overwrite' && part !== undefined;
  const stageKeysQuery = overwrite ? keysQuery(dialect, stage, part, spec.partitions) : undefined;
  return {
    label: window ? `from ${window.start}` : undefined,
    window,
    actions: [
      // Before the stage: the model's SQL may look up `this` by key (a table built before sf indexed keys).
      ...keyIndex(dialect, model.relation, spec),
      // The partitions to replace are read before the audit, so a partition whose new rows are
      // all quarantined is still replaced (emptied), not left with its old rows.
      ...stageActions({ ...inputs, audit: undefined }, stage, sql, { clear: undefined }),
      {
        kind: 'deferred',
        describe: [stage, model.relation],
        queries: stageKeysQuery ? [stageKeysQuery] : [],
        build: (facts) => {
          const [staged, table] = facts.columns as [ColumnInfo[], ColumnInfo[]];
          requireColumns(dialect, model, staged, spec.uniqueKey, 'unique_key');
          if (part && spec.strategy === 'insert_overwrite') requireColumns(dialect, model, staged, [part.field], 'partition_by');
          requireColumns(dialect, model, staged, spec.updateColumns ?? [], 'merge_update_columns');
          const columns = reconcileColumns(dialect, model.relation, staged, table, spec.onSchemaChange);
          const keys = (facts.values[0] ?? []).filter((k): k is string => k !== null);
          const odd = part ? keys.filter((k) => !isPartitionKey(k, part)) : [];
          if (odd.length) {
            throw new ModelError(`partition_by column '${part!.field}' holds values that are not ${part!.kind === 'time' ? 'dates or timestamps' : 'integers'} (partition keys ${odd.slice(0, 3).join(', ')})`
              + (part!.kind === 'time'
                ? `\nhint: partition by a date or timestamp column, or use partition_by={'field': ..., 'data_type': 'int64', 'range': {...} }`
                : "\nhint: an int64 partition_by needs an integer column"));
          }
          const audit = inputs.audit?.(stage, singleScope(dialect, spec, stage)) ?? [];
          const publish = publishStatements({ dialect, target: model.relation, stage, spec, insert: columns.insert, keys });
          // Changed columns change every row's checksum: the whole ledger is written again.
          const ledger = overwrite
            ? ledgerWrite(dialect, { model: model.node.name, target: model.relation, spec: part, columns: columns.final, keys: columns.statements.length ? 'all' : keys, unit: facts.unit })
            : [];
          return [...columns.statements, ...audit, ...publish, ...ledger, dialect.dropRelation(stage, 'table')];
        },
      },
    ],
  };
}

/** One partition's batch: replace exactly its window, whatever the staged rows hold outside it. */
function windowUnit(inputs: IncrementalInputs, spec: IncrementalSpec, w: { start: string; end: string; partition: string }, sql: string, index: number): PlanUnit {
  const { dialect, model } = inputs;
  const part = spec.partition!;
  const stage = stageRelation(model.relation, `__sf_b${index}`);
  const column = dialect.quoteIdentifier(part.field);
  const inWindow = dialect.timeRange(column, w.start, w.end);
  return {
    label: w.partition,
    window: w,
    partitions: [w.partition],
    actions: [
      ...stageActions(inputs, stage, sql, { clear: `sf_partition = ${dialect.stringLiteral(w.partition)}`, partitionKey: rowPartition(dialect, spec) }, inWindow),
      {
        kind: 'deferred',
        describe: [stage, model.relation],
        build: (facts) => {
          const [staged, table] = facts.columns as [ColumnInfo[], ColumnInfo[]];
          requireColumns(dialect, model, staged, [part.field], spec.strategy === 'microbatch' ? 'event_time' : 'partition_by');
          const columns = reconcileColumns(dialect, model.relation, staged, table, spec.onSchemaChange);
          return [
            ...columns.statements,
            dialect.deleteWhere(model.relation, inWindow),
            dialect.insertSelect(model.relation, stage, columns.insert, inWindow),
            ...ledgerWrite(dialect, { model: model.node.name, target: model.relation, spec: part, columns: columns.final, keys: columns.statements.length ? 'all' : [w.partition], unit: facts.unit }),
            dialect.dropRelation(stage, 'table'),
          ];
        },
      },
    ],
  };
}

/** The unique_key's index where the engine needs one, once the table has every key column. */
function keyIndex(dialect: SqlDialect, table: Relation, spec: IncrementalSpec): StepAction[] {
  if (spec.strategy === 'append' || dialect.keyIndex(table, spec.uniqueKey).length === 0) return [];
  return [{
    kind: 'deferred',
    describe: [table],
    build: (facts) => {
      const has = (k: string) => facts.columns[0]!.some((c) => dialect.sameIdentifier(c.name, k));
      return spec.uniqueKey.every(has) ? dialect.keyIndex(table, spec.uniqueKey) : [];
    },
  }];
}

/** The partition keys of the staged rows, or (static) of the listed partitions. */
function keysQuery(dialect: SqlDialect, stage: Relation, part: PartitionSpec, listed: readonly string[] | undefined): string {
  const column = dialect.quoteIdentifier(part.field);
  const key = partitionKeySql(dialect, column, part);
  if (!listed) return `select distinct ${key} from ${dialect.renderRelation(stage)}`;
  // A listed partition may be a date, a timestamp or a plain string literal: read it as a timestamp.
  const value = (expr: string) => (part.kind === 'time' ? dialect.adaptModelSql(`cast(${expr} as timestamp)`) : expr);
  const values = listed.map((expr) => `select ${value(expr)} as ${column}`).join(' union all ');
  return `select distinct ${key} from (${values}) as sf_listed_partitions`;
}

function requireColumns(dialect: SqlDialect, model: CompiledModel, columns: readonly ColumnInfo[], wanted: readonly string[], setting: string): void {
  const missing = wanted.filter((w) => !columns.some((c) => dialect.sameIdentifier(c.name, w)));
  if (missing.length) {
    throw new ModelError(`${setting} names ${missing.map((m) => `'${m}'`).join(', ')}, which the model '${model.node.name}' does not output`
      + `\nhint: its columns are ${columns.map((c) => c.name).join(', ')}; fix the setting or select the column`);
  }
}

const names = (cols: readonly ColumnInfo[]) => cols.map((c) => c.name);
