// The user-facing shape of `<project>.config.ts`. `defineConfig` only types it; `resolveConfig`
// validates it (schema.ts) into a frozen ResolvedConfig.
import type { DbtPackage } from '../dbt/packages.js';
import type { SourceDefaults } from '../parser/properties.js';

export type Materialization = 'view' | 'table' | 'ephemeral' | 'incremental';
export const MATERIALIZATIONS: readonly Materialization[] = ['view', 'table', 'ephemeral', 'incremental'];

/** dbt's incremental strategy names. */
export type IncrementalStrategy = 'append' | 'merge' | 'delete+insert' | 'insert_overwrite' | 'microbatch';
export const INCREMENTAL_STRATEGIES: readonly IncrementalStrategy[] = ['append', 'merge', 'delete+insert', 'insert_overwrite', 'microbatch'];

export type OnSchemaChange = 'ignore' | 'fail' | 'append_new_columns' | 'sync_all_columns';
export const ON_SCHEMA_CHANGE: readonly OnSchemaChange[] = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'];

/** The width of a time partition (and of a batch). */
export type Granularity = 'hour' | 'day' | 'month' | 'year';
export const GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'month', 'year'];

/** dbt's object form of `partition_by`. */
export interface PartitionByConfig {
  /** The column whose value picks the partition. */
  field: string;
  /** `date` (default), `timestamp` (`datetime` is an alias) or `int64` (needs `range`). */
  data_type?: 'date' | 'timestamp' | 'datetime' | 'int64';
  /** For date and timestamp: `day` (default), `hour`, `month`, `year`. */
  granularity?: Granularity;
  /** For int64: buckets of `interval` from `start` (inclusive) to `end` (exclusive). */
  range?: { start: number; end: number; interval: number };
}

/** Settings a model can take, from folder defaults in the config or `config(...)` in its SQL. */
export interface ModelSettings {
  /** How the model is built: `view` (default), `table` (staged then swapped in), `ephemeral` (inlined as a CTE). */
  materialized?: Materialization;
  /** Tags for `--select tag:<name>`; folder and model tags add up. */
  tags?: string[];
  /** Schema the relation is built in (default: the target's schema). */
  schema?: string;
  /** Relation name (default: the file name). */
  alias?: string;
  /** `false` leaves the model out of the project. */
  enabled?: boolean;
  /** dbt's hooks: SQL templates run in each transaction that writes the model, before and after it; they add up across levels. */
  pre_hook?: string[];
  post_hook?: string[];

  // Incremental models (dbt's names and meanings; see the README, "Incremental models").
  /** How new rows are written: append, merge, delete+insert, insert_overwrite, microbatch. */
  incremental_strategy?: IncrementalStrategy;
  /** Column(s) identifying a row for merge and delete+insert; `''` and `[]` mean none. */
  unique_key?: string | string[];
  /** The partition column: a date column's name, or dbt's object form. */
  partition_by?: string | PartitionByConfig;
  /** Static insert_overwrite: the partitions to replace, as SQL literals (`"'2026-06-01'"`). */
  partitions?: string[];
  /** merge: only these columns are updated on matched rows. */
  merge_update_columns?: string[];
  /** merge: every column but these is updated on matched rows. */
  merge_exclude_columns?: string[];
  /** SQL conditions added to the merge's match or the delete of delete+insert. */
  incremental_predicates?: string[];
  /** dbt's older spelling of `incremental_predicates`. */
  predicates?: string[];
  /** What to do when the model's columns differ from the table's. */
  on_schema_change?: OnSchemaChange;
  /** `false`: never rebuilt by --full-refresh; `true`: always rebuilt. */
  full_refresh?: boolean;
  /** The column telling when a row happened: filters this model when a batched model reads it. */
  event_time?: string;
  /** microbatch: the width of one batch. */
  batch_size?: Granularity;
  /** microbatch: the first batch's start, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (UTC). */
  begin?: string;
  /** Already-built partitions re-run by an incremental run, for late-arriving rows (default 1). */
  lookback?: number;
  /** `false`: run this model's batches one at a time. */
  concurrent_batches?: boolean;
  /** Most batches of this model run at once (default: the run's threads). */
  batch_concurrency?: number;
  /** dbt-postgres' indexes of a table or incremental model (created on PostgreSQL only). */
  indexes?: IndexConfig[];
  /** Above this share of quarantined rows (0..1), the model or batch fails and publishes nothing. */
  max_quarantine_rate?: number;
}

export interface DuckDBTarget {
  type: 'duckdb';
  /** Database file, relative to the project directory, or `:memory:`. */
  path: string;
  /** Schema for models (default `main`). */
  schema?: string;
  /** Upper bound on parallel nodes for this target. */
  threads?: number;
  /** Seconds to wait for another process holding the file (default 60). */
  lockTimeout?: number;
  /** Retries of a step that failed on a transient error (default 3). */
  retries?: number;
  /** `sf estimate`'s limits on this target (its flags override them). */
  limits?: TargetLimits;
}

export interface SQLiteTarget {
  type: 'sqlite';
  /** Database file, relative to the project directory (its folder is created), or `:memory:`. */
  path: string;
  /** Ignored beyond 1: SQLite writes one statement at a time. */
  threads?: number;
  /** Seconds to wait for another process writing the same model (default 60). */
  lockTimeout?: number;
  /** Retries of a step that failed on a transient error (default 3). */
  retries?: number;
  /** `sf estimate`'s limits on this target (its flags override them). */
  limits?: TargetLimits;
}

export type PostgresSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/**
 * A PostgreSQL server. Secrets never go in the config: the password comes from the
 * environment (`SF_PG_PASSWORD`, else pg's own `PGPASSWORD`), or a whole connection URL from
 * the variable named by `urlEnv`. Unset host/port/user/database fall back to PGHOST, PGPORT,
 * PGUSER, PGDATABASE, then localhost, 5432, the OS user, the user name.
 */
export interface PostgresTarget {
  type: 'postgres';
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  /** Schema for models (default `public`). */
  schema?: string;
  /** Upper bound on parallel nodes, and the connection pool's size (default 4). */
  threads?: number;
  /** TLS: `disable`, `require` (encrypted, certificate not checked), `verify-ca`/`verify-full` (checked). */
  sslmode?: PostgresSslMode;
  /**
   * Name of an environment variable holding a connection URL (`postgres://user:pass@host/db`),
   * used instead of host/port/user/database. The name must be `DATABASE_URL` or start with
   * `SF_SECRET_`, so its value is masked in everything sf prints.
   */
  urlEnv?: string;
  /**
   * Name of an environment variable holding the password, over SF_PG_PASSWORD and PGPASSWORD
   * (a secret name: SF_SECRET_*, DBT_ENV_SECRET_*). Set by a dbt profile's `password`.
   */
  passwordEnv?: string;
  /** Seconds to wait for another process writing the same model (default 60). */
  lockTimeout?: number;
  /** Retries of a step that failed on a transient error (default 3). */
  retries?: number;
  /** `sf estimate`'s limits on this target (its flags override them). */
  limits?: TargetLimits;
}

/** What `sf estimate` measures against: see the README's "Estimating capacity". */
export interface TargetLimits {
  /** Rows per second one node sustains (default: 200,000 DuckDB, 50,000 PostgreSQL, 20,000 SQLite). */
  nodeRowsPerSecond?: number;
  /** Seconds a model's daily build may take (default 3,600). */
  buildBudgetSeconds?: number;
  /** Bytes a model's year of rows may take, as stored (default 1e12). */
  storageBudgetBytes?: number;
}

export type TargetConfig = DuckDBTarget | SQLiteTarget | PostgresTarget;
export type EngineName = TargetConfig['type'];

/** dbt's freshness thresholds: how old a source's newest row may be. */
export interface FreshnessThreshold {
  count: number;
  period: 'minute' | 'hour' | 'day';
}

export interface FreshnessRule {
  warn_after?: FreshnessThreshold;
  error_after?: FreshnessThreshold;
  /** SQL condition limiting the rows looked at, e.g. `order_ts > current_date - 3`. */
  filter?: string;
}

/** A source table with settings; a plain string names a table with none. */
export interface SourceTableConfig {
  name: string;
  /** The table's name in the warehouse, when it differs from `name`. */
  identifier?: string;
  /** Its time column: batched models reading it see only the batch's rows. */
  event_time?: string;
  /** Column (or SQL expression) telling when a row was loaded, for freshness. */
  loaded_at_field?: string;
  /** Over the source's own rule, key by key; `null` turns freshness off for this table. */
  freshness?: FreshnessRule | null;
}

export interface SourceConfig {
  /** Schema the source tables live in (default: the source's name). */
  schema?: string;
  /** Defaults for the tables. */
  loaded_at_field?: string;
  freshness?: FreshnessRule;
  tables: (string | SourceTableConfig)[];
}

export interface ResolvedSourceTable {
  readonly name: string;
  readonly identifier: string;
  readonly eventTime?: string | undefined;
  readonly loadedAtField?: string | undefined;
  /** Set when the table has a loaded_at_field and a warn or error threshold. */
  readonly freshness?: FreshnessRule | undefined;
  /** Where it was declared, relative to the project: the config file, or a property file and line. */
  readonly file: string;
  readonly line?: number | undefined;
}

export interface ResolvedSource {
  readonly schema: string;
  readonly tables: readonly string[];
  /** `event_time` per table that declares one. */
  readonly eventTime: Readonly<Record<string, string>>;
  readonly details: Readonly<Record<string, ResolvedSourceTable>>;
}

export type SeedColumnType = string;

export interface SeedsConfig {
  /** Schema seeds are loaded into (default: the target's schema). */
  schema?: string;
  /** Per seed, per column SQL type overriding inference, e.g. `{ orders: { order_ts: 'timestamp' } }`. */
  columnTypes?: Record<string, Record<string, SeedColumnType>>;
  /** Field delimiter (default `,`). */
  delimiter?: string;
}

export interface SfConfig {
  /** Project name; used in node ids (`model.<name>.<model>`). */
  name: string;
  targets: Record<string, TargetConfig>;
  /** Target used without `--target` (default: the first one). */
  defaultTarget?: string;
  /** Defaults per folder under `models/` (`'.'` = every model); the most specific folder wins. */
  models?: Record<string, ModelSettings>;
  /** Values for `var('name')`; `--vars` overrides them. */
  vars?: Record<string, unknown>;
  /** Tables sf reads but does not build, for `source('name', 'table')`. */
  sources?: Record<string, SourceConfig>;
  seeds?: SeedsConfig;
}

/** Identity function that gives `<project>.config.ts` its types. */
export function defineConfig(config: SfConfig): SfConfig {
  return config;
}

/** A seed's settings from dbt_project.yml's `seeds:` (dbt's names), per folder or file. */
export interface SeedSettings {
  schema?: string;
  alias?: string;
  column_types?: Record<string, string>;
  delimiter?: string;
  quote_columns?: boolean;
  enabled?: boolean;
  tags?: string[];
  /** dbt-postgres' indexes, checked against indexesSchema when the seed is parsed. */
  indexes?: unknown;
  pre_hook?: unknown;
  post_hook?: unknown;
}

/** Where a project's files are, relative to its directory (dbt's model-paths, seed-paths, ...). */
export interface ProjectPaths {
  readonly models: readonly string[];
  readonly seeds: readonly string[];
  readonly macros: readonly string[];
  readonly tests: readonly string[];
  /** dbt's snapshots: sf does not build them yet, and says so. */
  readonly snapshots: readonly string[];
}

export const DEFAULT_PATHS: ProjectPaths = { models: ['models'], seeds: ['seeds'], macros: ['macros'], tests: ['tests'], snapshots: ['snapshots'] };

export interface ResolvedConfig {
  readonly projectDir: string;
  readonly configPath: string;
  readonly paths: ProjectPaths;
  /** Per seed folder or file, relative to a seed path ('' for all): dbt_project.yml's seed configs. */
  readonly seedFolders: Readonly<Record<string, Readonly<SeedSettings>>>;
  /** Per folder or test under a model or seed path ('' for all): dbt_project.yml's test configs. */
  readonly testFolders: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Set for a dbt project (dbt_project.yml): relations are named as dbt names them. */
  readonly dbt?: { readonly profile: string; readonly profilesFile: string } | undefined;
  /** A dbt project's installed packages (dbt_packages/, packages.yml `local:`). */
  readonly packages?: readonly DbtPackage[] | undefined;
  /** dbt_project.yml's models: keys that are neither sf's nor dbt's, per folder: for config.get. */
  readonly modelCustom?: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined;
  /** dbt_project.yml's sources: configs by source (`raw`) and table (`raw/orders`), '' for all. */
  readonly sourceFolders?: Readonly<Record<string, Readonly<SourceDefaults>>> | undefined;
  /** dbt_project.yml's on-run-start / on-run-end hooks: SQL templates run when a build, run, seed or test starts and ends. */
  readonly onRunStart?: readonly string[] | undefined;
  readonly onRunEnd?: readonly string[] | undefined;
  /** dbt_project.yml's `dispatch:`: per macro namespace, the packages searched in order. */
  readonly dispatch?: Readonly<Record<string, readonly string[]>> | undefined;
  /** What the project's configuration says that sf ignores or does not apply, `file:line: ...`. */
  readonly warnings: readonly string[];
  readonly name: string;
  readonly targets: Readonly<Record<string, Readonly<TargetConfig>>>;
  readonly defaultTarget: string;
  readonly models: Readonly<Record<string, Readonly<ModelSettings>>>;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly sources: Readonly<Record<string, ResolvedSource>>;
  readonly seeds: Readonly<Required<Pick<SeedsConfig, 'columnTypes' | 'delimiter'>> & Pick<SeedsConfig, 'schema'>>;
}

/** One of dbt-postgres' `indexes`: its columns, whether unique, its method (btree by default). */
export interface IndexConfig {
  columns: string[];
  unique?: boolean;
  type?: string;
}
