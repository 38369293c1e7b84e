// DuckDB at run time: open the file (one process at a time), introspect, bulk-load CSVs with
// read_csv, and explain errors.
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Kysely, sql } from 'kysely';
import type { DuckDBTarget } from '../../config/types.js';
import { UserError, errorMessage } from '../../util/errors.js';
import type { Adapter, CsvLoad, EngineErrorInfo, RelationKind, SqlDialect, WarehouseState } from '../types.js';
import { relationKey } from '../types.js';
import { duckDBKyselyDialect } from './kysely-dialect.js';

export async function openDuckDB(target: DuckDBTarget, projectDir: string, dialect: SqlDialect): Promise<Adapter> {
  const path = target.path === ':memory:' ? ':memory:' : isAbsolute(target.path) ? target.path : resolve(projectDir, target.path);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path);
  } catch (err) {
    const info = describeDuckDBError(err);
    if (info.lockedByPid !== undefined) {
      throw new UserError('TARGET_IN_USE', `target database ${target.path} is in use by PID ${info.lockedByPid}`, {
        hint: 'DuckDB files are held by one process at a time: wait for that process or stop it',
      });
    }
    throw new UserError('CONNECTION', `cannot open DuckDB file ${target.path}: ${info.message}`);
  }
  const db = new Kysely<any>({ dialect: duckDBKyselyDialect(instance) });
  return new DuckDBAdapter(dialect, db, instance, target.path);
}

class DuckDBAdapter implements Adapter {
  readonly dialect: SqlDialect;
  readonly db: Kysely<any>;
  readonly #instance: DuckDBInstance;
  readonly #path: string;

  constructor(dialect: SqlDialect, db: Kysely<any>, instance: DuckDBInstance, path: string) {
    this.dialect = dialect;
    this.db = db;
    this.#instance = instance;
    this.#path = path;
  }

  async introspect(schemas: readonly string[]): Promise<WarehouseState> {
    const state = new Map<string, RelationKind>();
    if (schemas.length === 0) return state;
    const result = await sql<{ table_schema: string; table_name: string; table_type: string }>`
      select table_schema, table_name, table_type from information_schema.tables
      where lower(table_schema) in (${sql.join(schemas.map((s) => s.toLowerCase()))})`.execute(this.db);
    for (const row of result.rows) {
      state.set(relationKey({ schema: row.table_schema, name: row.table_name }), row.table_type === 'VIEW' ? 'view' : 'table');
    }
    return state;
  }

  async loadCsv(db: Kysely<any>, load: CsvLoad): Promise<number> {
    const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const columns = load.columns.map((c) => `${literal(c.name)}: ${literal(this.dialect.columnType(c.type))}`).join(', ');
    const query = `insert into ${this.dialect.renderRelation(load.relation)}
select * from read_csv(${literal(load.path)}, header = true, auto_detect = false, delim = ${literal(load.delimiter)},
  quote = '"', escape = '"', columns = {${columns}}, nullstr = '', allow_quoted_nulls = false)`;
    const result = await sql.raw(query).execute(db);
    return Number(result.numAffectedRows ?? 0n);
  }

  async info(): Promise<{ version: string; settings: Record<string, string> }> {
    const result = await sql<{ version: string; threads: string; memory_limit: string }>`
      select version() as version, current_setting('threads') as threads, current_setting('memory_limit') as memory_limit`.execute(this.db);
    const row = result.rows[0]!;
    return { version: `DuckDB ${row.version}`, settings: { path: this.#path, threads: String(row.threads), memory_limit: String(row.memory_limit) } };
  }

  describeError(err: unknown): EngineErrorInfo {
    return describeDuckDBError(err);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    this.#instance.closeSync();
  }
}

function describeDuckDBError(err: unknown): EngineErrorInfo {
  const message = errorMessage(err);
  const pid = /Conflicting lock is held in .*\(PID (\d+)\)/.exec(message);
  const retryable = /write-write conflict|Transaction conflict|Catalog write-write/i.test(message);
  return { message, lockedByPid: pid ? Number(pid[1]) : undefined, retryable };
}
