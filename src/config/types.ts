// The user-facing shape of `<project>.config.ts`. `defineConfig` only types it; `resolveConfig`
// validates it (schema.ts) into a frozen ResolvedConfig.

export type Materialization = 'view' | 'table' | 'ephemeral';
export const MATERIALIZATIONS: readonly Materialization[] = ['view', 'table', 'ephemeral'];

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
}

export interface DuckDBTarget {
  type: 'duckdb';
  /** Database file, relative to the project directory, or `:memory:`. */
  path: string;
  /** Schema for models (default `main`). */
  schema?: string;
  /** Upper bound on parallel nodes for this target. */
  threads?: number;
}

export interface SQLiteTarget {
  type: 'sqlite';
  /** Database file, relative to the project directory (its folder is created), or `:memory:`. */
  path: string;
  /** Ignored beyond 1: SQLite writes one statement at a time. */
  threads?: number;
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
}

export type TargetConfig = DuckDBTarget | SQLiteTarget | PostgresTarget;
export type EngineName = TargetConfig['type'];

export interface SourceConfig {
  /** Schema the source tables live in (default: the source's name). */
  schema?: string;
  tables: string[];
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

export interface ResolvedConfig {
  readonly projectDir: string;
  readonly configPath: string;
  readonly name: string;
  readonly targets: Readonly<Record<string, Readonly<TargetConfig>>>;
  readonly defaultTarget: string;
  readonly models: Readonly<Record<string, Readonly<ModelSettings>>>;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly sources: Readonly<Record<string, Readonly<Required<SourceConfig>>>>;
  readonly seeds: Readonly<Required<Pick<SeedsConfig, 'columnTypes' | 'delimiter'>> & Pick<SeedsConfig, 'schema'>>;
}
