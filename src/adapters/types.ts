// The adapter interface. Two halves: `SqlDialect` is pure (quoting, SQL builders, capability
// flags) and loads no driver, so compile/ls/plan use it freely; `Adapter` adds the
// connection (a Kysely instance over the engine's driver) and introspection.
import type { Kysely } from 'kysely';
import type { EngineName } from '../config/types.js';

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
  readonly path: string;
  readonly columns: readonly ColumnSpec[];
  readonly delimiter: string;
}

export type StepAction = Statement | CsvLoad;

export interface SqlDialect {
  readonly engine: EngineName;
  readonly capabilities: Capabilities;
  readonly defaultSchema: string;
  quoteIdentifier(name: string): string;
  /** The relation as SQL text: `"main"."orders"`. */
  renderRelation(rel: Relation): string;
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
}

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
  describeError(err: unknown): EngineErrorInfo;
  /** Engine version and the connection settings in effect, secrets left out (for `sf debug`). */
  info(): Promise<{ readonly version: string; readonly settings: Readonly<Record<string, string>> }>;
  close(): Promise<void>;
}
