// The adapter interface. Two halves: `SqlDialect` is pure (quoting, SQL builders, capability
// flags) and loads no driver, so compile/ls/plan use it freely; `Adapter` adds the
// connection (a Kysely instance over the engine's driver) and introspection.
import type { WarehouseAnswers, WarehouseQuestion } from '../compiler/warehouse.js';
import type { Kysely } from 'kysely';
import type { EngineName, IndexConfig } from '../config/types.js';

export interface Relation {
  readonly schema: string;
  readonly name: string;
}

export type RelationKind = 'table' | 'view';

/** What exists in the warehouse, keyed by `relationKey()`. */
export type WarehouseState = ReadonlyMap<string, RelationKind>;

export function relationKey(rel: Relation): string {
  return `${rel.schema}.${rel.name}`.toLowerCase();
}

export interface Capabilities {
  /** DDL (create/drop/rename) rolls back with the transaction. */
  readonly transactionalDdl: boolean;
  /** Most statements sf may run at once against this engine. */
  readonly maxConcurrency: number;
  /** Relations live in schemas; where false, schemas are folded into the relation name. */
  readonly schemas: boolean;
  /** `create or replace view` exists. */
  readonly createOrReplaceView: boolean;
  /** `merge into ... using ... when matched ... when not matched` exists. */
  readonly nativeMerge: boolean;
  /** The catalog keeps each column's declared type (SQLite keeps affinities only). */
  readonly typedColumns: boolean;
  /** Unquoted and quoted identifiers match regardless of case (`Name` = `name`). */
  readonly caseInsensitiveIdentifiers: boolean;
  /** `alter table add column if not exists` / `drop column if exists` exist. */
  readonly alterIfExists: boolean;
  /** Longest identifier in bytes; longer ones are cut (PostgreSQL: 63). None: no practical limit. */
  readonly maxIdentifierBytes?: number | undefined;
}

export interface ColumnSpec {
  readonly name: string;
  /** Portable type name: integer, bigint, decimal(p,s), double, boolean, date, timestamp, text. */
  readonly type: string;
}

/** A statement, plus what to read from its result. */
export interface Statement {
  readonly sql: string;
  /** `affected`: the rows the statement wrote; `scalar`: the first column of its first row. */
  readonly rows?: 'affected' | 'scalar';
}

/** A CSV to bulk-load into an existing, empty table: the adapter picks its fastest path. */
export interface CsvLoad {
  readonly kind: 'csv-load';
  readonly relation: Relation;
  /** Where to read it. */
  readonly path: string;
  /** As errors name it: the project's relative path (`seeds/people.csv`). */
  readonly file: string;
  readonly columns: readonly ColumnSpec[];
  readonly delimiter: string;
  /**
   * Columns whose type was inferred from the file's first rows: the loader checks every value
   * against `rule` (seed-types.ts) and throws SampleTooNarrow at the first that does not fit.
   */
  readonly sampled?: readonly SampledColumn[];
}

export interface SampledColumn {
  readonly name: string;
  /** The type inferred from the sample, or 'empty' when the sample had no value. */
  readonly rule: string;
}

/** A column as the engine's catalog has it. */
export interface ColumnInfo {
  readonly name: string;
  /** The engine's own type name (`INTEGER`, `character varying(20)`, `NUM` on SQLite). */
  readonly type: string;
}

/** What the runner knows about the unit of work it is running, for the ledger's rows. */
export interface UnitContext {
  readonly runId: string;
  readonly attempt: number;
  /** ISO-8601, UTC. */
  readonly startedAt: string;
  readonly now: () => string;
  /** True once the run stops (--fail-fast after a failure): the unit rolls back instead of committing. */
  readonly stopped?: () => boolean;
}

export interface DeferredFacts {
  /** The columns of each relation in `describe`, in order; empty when it does not exist. */
  readonly columns: readonly (readonly ColumnInfo[])[];
  /** For each query in `queries`: the first column of every row, as text (NULL as null). */
  readonly values: readonly (readonly (string | null)[])[];
  readonly unit: UnitContext;
}

/**
 * Statements that depend on what only exists once the transaction has started: the columns of
 * the staged rows, the partitions they fall in. `build` is pure; the runner reads the facts
 * inside the transaction and runs what it returns. It throws a `ModelError` to fail the step
 * (nothing has been published: the transaction rolls back).
 */
export interface Deferred {
  readonly kind: 'deferred';
  readonly describe: readonly Relation[];
  readonly queries?: readonly string[] | undefined;
  readonly build: (facts: DeferredFacts) => readonly StepAction[];
}

/** Something the unit reports without failing (a data test's warning). */
export interface Note {
  readonly kind: 'note';
  readonly message: string;
}

/** A data test's outcome, reported for run_results and JUnit. */
export interface TestOutcome {
  readonly kind: 'test-result';
  readonly name: string;
  readonly status: 'pass' | 'warn' | 'fail';
  readonly failures: number;
  /** Rows moved to the quarantine table (quarantine tests). */
  readonly quarantined?: number | undefined;
  readonly message?: string | undefined;
  readonly file: string;
  readonly line?: number | undefined;
}

/** Fails the unit once what it wrote is committed (a read-only check's stored failures). */
export interface FailAfterCommit {
  readonly kind: 'fail';
  readonly message: string;
}

export type StepAction = Statement | CsvLoad | Deferred | Note | TestOutcome | FailAfterCommit | Rendered;

/**
 * Actions from a template that asks the warehouse while it renders (a data test reading the
 * columns of the rows being written): rendered in the transaction, asking it, then run.
 */
export interface Rendered {
  readonly kind: 'rendered';
  readonly render: (answers: WarehouseAnswers) => readonly StepAction[];
  /** Where a question is really asked (a test of staged rows reading its model asks the stage). */
  readonly askAs?: ((q: WarehouseQuestion) => WarehouseQuestion) | undefined;
}

/** SQL an engine cannot run as written, and that sf cannot translate for it (SqlDialect.adaptModelSql). */
export class UntranslatableSql extends Error {
  override readonly name = 'UntranslatableSql';
  constructor(message: string, readonly construct: string, readonly line: number) {
    super(message);
  }
}

/** A model's output and its settings cannot work together (a key column is missing, ...). */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  /** Data test outcomes known when it failed. */
  tests: readonly TestOutcome[] = [];
}

export interface SqlDialect {
  readonly engine: EngineName;
  readonly capabilities: Capabilities;
  readonly defaultSchema: string;
  quoteIdentifier(name: string): string;
  /** The relation as SQL text: `"main"."orders"`. */
  renderRelation(rel: Relation): string;
  /** The relation as people see it in the engine, unquoted: `raw.orders`; SQLite `raw__orders`. */
  displayRelation(rel: Relation): string;
  /** The portable column type in this engine's words. */
  columnType(type: string): string;
  createSchema(schema: string): Statement[];
  dropRelation(rel: Relation, kind: RelationKind): Statement;
  /** Replace a view (whatever `existing` is) with one over `sql`. */
  createView(rel: Relation, sql: string, existing: RelationKind | undefined): Statement[];
  createTableAs(rel: Relation, sql: string): Statement[];
  createTable(rel: Relation, columns: readonly ColumnSpec[]): Statement[];
  /** Publish a fully built staging table as `target`, inside the caller's transaction. */
  swapTable(stage: Relation, target: Relation, existing: RelationKind | undefined): Statement[];
  /**
   * An index on an incremental table's unique_key, where the engine needs one for merges and
   * lookups of `this` by key not to be quadratic (SQLite has no hash join); none elsewhere.
   */
  keyIndex(rel: Relation, keys: readonly string[]): Statement[];
  /**
   * dbt-postgres' `indexes` of a table just built, each named after the table and what it
   * indexes, so a table built again gets the same names. DuckDB and SQLite: none (dbt's
   * adapters for them create none either).
   */
  configIndexes(rel: Relation, indexes: readonly IndexConfig[]): Statement[];

  /** A window bound (`YYYY-MM-DD HH:MM:SS`, UTC) as a literal that compares right with date and timestamp columns. */
  timeLiteral(iso: string): string;
  /** `column >= start [and column < end]`: a window of a date or timestamp column. */
  timeRange(column: string, start: string, end?: string): string;
  /** A plain text literal. */
  stringLiteral(text: string): string;
  /** A temporary table made by `create temp table "<name>"`, qualified so it never means a user's table. */
  tempRelation(name: string): string;
  /** The pseudo-column naming a table's row physically (stable in a transaction until the row is deleted). */
  readonly rowId: string;
  /** The engine's last word on a model's SQL (SQLite: `cast(x as date)` keeps a date). */
  adaptModelSql(sql: string): string;
  /** The name an unquoted identifier gets in the catalog (PostgreSQL folds it to lower case). */
  unquotedName(name: string): string;
  /** Whether two column names name the same column. */
  sameIdentifier(a: string, b: string): boolean;
  /** The text key of the time partition `column` falls in: `2026-06-01`, `2026-06-01 05:00:00`. */
  timePartitionKey(column: string, granularity: 'hour' | 'day' | 'month' | 'year'): string;
  /** Integer division, truncating. */
  intDivide(a: string, b: string): string;
  /** An integer expression as text. */
  intToText(expr: string): string;
  /** An order-independent checksum of the rows' values, as an aggregate expression yielding text. */
  checksum(columns: readonly string[]): string;
  /** One row, column `b`: the bytes the engine stores the relation (a table) in. */
  storedBytesSql(rel: Relation): string;
  /** A query yielding the integers 1..n as column `id` (the engine's own series). */
  seriesSql(n: number): string;
  addColumn(rel: Relation, column: ColumnInfo): Statement;
  dropColumn(rel: Relation, column: string): Statement;
  alterColumnType(rel: Relation, column: ColumnInfo): Statement[];
  /** `insert into target (cols) select cols from source [as DBT_INTERNAL_SOURCE where ...]`. */
  insertSelect(target: Relation, source: Relation, columns: readonly string[], where?: string): Statement;
  /** `delete from target as DBT_INTERNAL_DEST where ...` (predicates may name the alias, as in dbt). */
  deleteWhere(target: Relation, condition: string): Statement;
  /**
   * Upsert `source` into `target` by `keys`: matched rows get `update` columns from the source,
   * the others are inserted with `insert` columns. `predicates` narrow the match (dbt's
   * incremental_predicates, naming DBT_INTERNAL_DEST / DBT_INTERNAL_SOURCE). One MERGE where the
   * engine has it, else insert-missing then update-matched, in the caller's transaction.
   */
  merge(target: Relation, source: Relation, m: MergeSpec): Statement[];
}

export interface MergeSpec {
  readonly keys: readonly string[];
  readonly insert: readonly string[];
  readonly update: readonly string[];
  readonly predicates: readonly string[];
}

/** The aliases dbt gives the two sides of a merge or delete, which predicates may name. */
export const DEST_ALIAS = 'DBT_INTERNAL_DEST';
export const SOURCE_ALIAS = 'DBT_INTERNAL_SOURCE';

/** Normalized engine error: what the engine said, without the driver's wrapping. */
export interface EngineErrorInfo {
  readonly message: string;
  /** A lock held by another process on an embedded database file. */
  readonly lockedByPid?: number | undefined;
  /** A transient conflict: re-running the (idempotent) step may succeed. */
  readonly retryable?: boolean | undefined;
}

export interface Adapter {
  readonly dialect: SqlDialect;
  readonly db: Kysely<any>;
  /** Tables and views that exist in the given schemas. */
  introspect(schemas: readonly string[]): Promise<WarehouseState>;
  /** Run a CSV load on `db` (a transaction or the pool). */
  loadCsv(db: Kysely<any>, load: CsvLoad): Promise<number>;
  /** A relation's columns as `db` (a transaction) sees them; empty when it does not exist. */
  describeColumns(db: Kysely<any>, rel: Relation): Promise<ColumnInfo[]>;
  /**
   * Hold the lock named `key` (a model's relation) against other sf processes on this target:
   * waits up to `timeoutMs` (telling `onWait` who holds it, once), then throws a `LockTimeout`
   * naming the holder.
   */
  acquireLock(key: string, holder: LockHolder, timeoutMs: number, onWait?: (holder: string) => void): Promise<HeldLock>;
  describeError(err: unknown): EngineErrorInfo;
  /** Engine version and the connection settings in effect, secrets left out (for `sf debug`). */
  info(): Promise<{ readonly version: string; readonly settings: Readonly<Record<string, string>> }>;
  close(): Promise<void>;
}

/** Who holds (or wants) a lock: shown to the process that waits for it. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly runId: string;
  /** ISO-8601. */
  readonly startedAt: string;
}

export interface HeldLock {
  release(): Promise<void>;
  /** Tell waiting processes the holder is alive (where the engine cannot tell by itself). */
  refresh(): Promise<void>;
}

/** A lock the engine itself guarantees (the process holds the file; PostgreSQL ends the session). */
export const NOTHING_TO_REFRESH = async () => {};

export class LockTimeout extends Error {
  override readonly name = 'LockTimeout';
}

export function describeHolder(h: Partial<LockHolder> & { detail?: string }): string {
  const parts = [h.pid !== undefined ? `PID ${h.pid}` : undefined, h.host ? `on ${h.host}` : undefined,
    h.startedAt ? `since ${h.startedAt}` : undefined, h.runId ? `(run ${h.runId})` : undefined, h.detail];
  return parts.filter(Boolean).join(' ');
}
