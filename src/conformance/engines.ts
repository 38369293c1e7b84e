// The engines the conformance suite runs every case against, and the little it needs to know
// about each: how to make an isolated target, and how to read the warehouse's own catalog
// (independently of the adapter's introspection, which is under test).
//
// Isolation: DuckDB and SQLite get a database file inside the test project's temp dir;
// PostgreSQL gets a fresh database per project (CREATE DATABASE costs ~30 ms), so a project
// may use any schema, including fixed ones such as ShopFlow's `raw`, without colliding with
// test files running in parallel.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import pg from 'pg';
import type { EngineName, TargetConfig } from '../config/types.js';
import type { Relation, SqlDialect } from '../adapters/types.js';

export const ENGINES = ['duckdb', 'sqlite', 'postgres'] as const satisfies readonly EngineName[];

/** The schema models are built in on engines with schemas (DuckDB's default; a named one on PostgreSQL). */
export const PG_SCHEMA = 'sf_conformance';

export interface EngineTarget {
  readonly target: TargetConfig;
  /** Drops what the target created outside the project dir (the PostgreSQL database). */
  dispose(): Promise<void>;
}

/**
 * A target for `engine` that nothing else uses. `pgUrl` is the test server (`inject('pgUrl')`);
 * `schema` overrides the model schema (PostgreSQL and DuckDB).
 */
export async function createEngineTarget(engine: EngineName, pgUrl: string, schema?: string): Promise<EngineTarget> {
  switch (engine) {
    case 'duckdb':
      return { target: { type: 'duckdb', path: 'target/conformance.duckdb', ...(schema ? { schema } : {}) }, dispose: async () => {} };
    case 'sqlite':
      return { target: { type: 'sqlite', path: 'target/conformance.sqlite' }, dispose: async () => {} };
    case 'postgres': {
      const url = new URL(pgUrl);
      const database = `sfc_${process.pid}_${randomBytes(5).toString('hex')}`;
      await onPgServer(pgUrl, `create database ${quoteIdent(database)}`);
      let dropped: Promise<void> | undefined;
      return {
        target: {
          type: 'postgres',
          host: url.hostname,
          port: Number(url.port || 5432),
          user: decodeURIComponent(url.username || 'postgres'),
          database,
          schema: schema ?? PG_SCHEMA,
        },
        dispose: () => (dropped ??= onPgServer(pgUrl, `drop database if exists ${quoteIdent(database)} with (force)`)),
      };
    }
  }
}

// Not src/testing/pg.ts: importing it from here would compile src/testing/ into dist/.
async function onPgServer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export type CatalogKind = 'table' | 'view';

export interface CatalogEntry {
  /** Absent where the engine has no schemas (SQLite's `main`). */
  readonly schema?: string;
  readonly name: string;
  readonly kind: CatalogKind;
}

/** Every user table and view, straight from the engine's catalog. */
export async function readCatalog(engine: EngineName, db: Kysely<any>): Promise<CatalogEntry[]> {
  if (engine === 'sqlite') {
    const r = await sql<{ name: string; type: string }>`
      select name, type from sqlite_master
      where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\'
      order by name`.execute(db);
    return r.rows.map((row) => ({ name: row.name, kind: row.type === 'view' ? 'view' : 'table' }));
  }
  const r = await sql<{ table_schema: string; table_name: string; table_type: string }>`
    select table_schema, table_name, table_type from information_schema.tables
    where table_schema not in ('information_schema', 'pg_catalog')
      and table_catalog = current_database()
    order by table_schema, table_name`.execute(db);
  return r.rows.map((row) => ({
    schema: row.table_schema,
    name: row.table_name,
    kind: row.table_type === 'VIEW' ? 'view' : 'table',
  }));
}

/** The identifiers of a relation as the dialect renders it: `"raw"."orders"` -> ['raw', 'orders']. */
export function renderedParts(dialect: SqlDialect, rel: Relation): string[] {
  const text = dialect.renderRelation(rel);
  const parts: string[] = [];
  const token = /"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|([^."`\s]+)/g;
  for (const m of text.matchAll(token)) parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2] ?? m[3]!);
  return parts;
}

/** The catalog entry the dialect's rendering of `rel` names, if any. */
export function findInCatalog(catalog: readonly CatalogEntry[], dialect: SqlDialect, rel: Relation): CatalogEntry | undefined {
  const parts = renderedParts(dialect, rel);
  const name = parts[parts.length - 1]!;
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  return catalog.find((e) => e.name === name && (schema === undefined || e.schema === undefined || e.schema === schema));
}

export interface CatalogColumn {
  readonly name: string;
  /** The engine's own type name, lower-cased (`decimal(18,2)`, `numeric`, `varchar`, ...). */
  readonly type: string;
}

/** A relation's columns in order, from the engine's catalog. */
export async function readColumns(engine: EngineName, db: Kysely<any>, dialect: SqlDialect, rel: Relation): Promise<CatalogColumn[]> {
  const parts = renderedParts(dialect, rel);
  const name = parts[parts.length - 1]!;
  if (engine === 'sqlite') {
    const r = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name}) order by cid`.execute(db);
    return r.rows.map((c) => ({ name: c.name, type: c.type.toLowerCase() }));
  }
  const schema = parts[parts.length - 2] ?? dialect.defaultSchema;
  const r = await sql<{ column_name: string; data_type: string }>`
    select column_name, data_type from information_schema.columns
    where table_schema = ${schema} and table_name = ${name}
    order by ordinal_position`.execute(db);
  return r.rows.map((c) => ({ name: c.column_name, type: c.data_type.toLowerCase() }));
}

/**
 * The portable family of an engine's column type, on engines whose catalog keeps real types
 * (DuckDB, PostgreSQL); SQLite keeps only affinities, so callers check storage classes there.
 */
export function typeFamily(catalogType: string): string {
  const t = catalogType.toLowerCase();
  if (t === 'integer' || t === 'int4' || t === 'int') return 'integer';
  if (t === 'bigint' || t === 'int8') return 'bigint';
  if (t.startsWith('decimal') || t.startsWith('numeric')) return 'decimal';
  if (t === 'boolean' || t === 'bool') return 'boolean';
  if (t === 'date') return 'date';
  if (t === 'timestamp' || t === 'timestamp without time zone') return 'timestamp';
  if (t === 'double' || t === 'double precision' || t === 'float8') return 'double';
  if (t === 'text' || t === 'varchar' || t.startsWith('character') || t.startsWith('varchar')) return 'text';
  return t;
}
