// DuckDB at run time: open the file (one process at a time), introspect, bulk-load CSVs with
// read_csv, and explain errors.
//
// Locks: DuckDB lets one process hold a file, so that process is the only writer of every
// model in it. A second sf waits for the file up to the lock timeout, then stops naming the
// holder, read from `<file>.sf-holder.json`, which the holder writes when it opens the file.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { Kysely, sql } from 'kysely';
import type { DuckDBTarget } from '../../config/types.js';
import { UserError, errorMessage } from '../../util/errors.js';
import {
  describeHolder,
  NOTHING_TO_REFRESH,
  relationKey,
  type HeldLock,
  type Adapter,
  type ColumnInfo,
  type CsvLoad,
  type EngineErrorInfo,
  type LockHolder,
  type Relation,
  type RelationKind,
  type SqlDialect,
  type WarehouseState,
} from '../types.js';
import type { OpenOptions } from '../registry.js';
import { duckDBKyselyDialect } from './kysely-dialect.js';
import { fitsInferredSql, SampleTooNarrow, TOO_NARROW_MARKER } from '../seed-types.js';
import { badSeedValue, raggedRow, unclosedQuote } from '../seed-errors.js';

export async function openDuckDB(target: DuckDBTarget, projectDir: string, dialect: SqlDialect, options: OpenOptions): Promise<Adapter> {
  // Partition keys, windows and timestamptz values are UTC on every engine. DuckDB takes its
  // time zone from TZ (its TimeZone setting needs the ICU extension, not loadable offline);
  // sf itself only ever formats dates as UTC ISO text.
  process.env['TZ'] = 'UTC';
  const path = target.path === ':memory:' ? ':memory:' : isAbsolute(target.path) ? target.path : resolve(projectDir, target.path);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const holderFile = path === ':memory:' ? undefined : `${path}.sf-holder.json`;
  const deadline = Date.now() + options.lockTimeoutMs;
  let instance: DuckDBInstance | undefined;
  let waited = false;
  while (!instance) {
    try {
      instance = await DuckDBInstance.create(path);
    } catch (err) {
      const info = describeDuckDBError(err);
      if (info.lockedByPid === undefined) throw new UserError('CONNECTION', `cannot open DuckDB file ${target.path}: ${info.message}`);
      const holder = describeHolder({ ...readHolder(holderFile, info.lockedByPid), pid: info.lockedByPid });
      if (Date.now() >= deadline) {
        throw new UserError('TARGET_IN_USE', `target database ${target.path} is in use by ${holder}`, {
          hint: `DuckDB files are held by one process at a time; waited ${options.lockTimeoutMs / 1000} s (--lock-timeout): wait for that process or stop it`,
        });
      }
      if (!waited) options.onWait?.(`target database ${target.path} is in use by ${holder}; waiting up to ${options.lockTimeoutMs / 1000} s`);
      waited = true;
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
  }
  if (holderFile && options.holder) writeFileSync(holderFile, `${JSON.stringify(options.holder)}\n`);
  const db = new Kysely<any>({ dialect: duckDBKyselyDialect(instance) });
  return new DuckDBAdapter(dialect, db, instance, target.path, holderFile);
}

/** The holder file's details, if it was written by the process DuckDB names. */
function readHolder(file: string | undefined, pid: number): Partial<LockHolder> {
  if (!file) return {};
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return holder.pid === pid ? holder : {};
  } catch {
    return {};
  }
}

class DuckDBAdapter implements Adapter {
  readonly dialect: SqlDialect;
  readonly db: Kysely<any>;
  readonly #instance: DuckDBInstance;
  readonly #path: string;
  readonly #holderFile: string | undefined;

  constructor(dialect: SqlDialect, db: Kysely<any>, instance: DuckDBInstance, path: string, holderFile: string | undefined) {
    this.dialect = dialect;
    this.db = db;
    this.#instance = instance;
    this.#path = path;
    this.#holderFile = holderFile;
  }

  async describeColumns(db: Kysely<any>, rel: Relation): Promise<ColumnInfo[]> {
    const result = await sql<{ column_name: string; data_type: string }>`
      select column_name, data_type from information_schema.columns
      where lower(table_schema) = ${rel.schema.toLowerCase()} and lower(table_name) = ${rel.name.toLowerCase()}
      order by ordinal_position`.execute(db);
    return result.rows.map((r) => ({ name: r.column_name, type: r.data_type }));
  }

  /** This process holds the whole file (see the header): no other process can write a model. */
  async acquireLock(): Promise<HeldLock> {
    return { release: NOTHING_TO_REFRESH, refresh: NOTHING_TO_REFRESH };
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

  /**
   * DuckDB reads the file itself. A sampled column is read as text and cast only when its
   * value fits the sample's type (seed-types.ts): DuckDB's casts would quietly round `1.5`
   * into an integer column or take `yes` as a boolean, where inference from every row says text.
   */
  async loadCsv(db: Kysely<any>, load: CsvLoad): Promise<number> {
    const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const rules = new Map((load.sampled ?? []).map((c) => [c.name, c.rule]));
    const columns = load.columns.map((c) => `${literal(c.name)}: ${literal(rules.has(c.name) ? 'VARCHAR' : this.dialect.columnType(c.type))}`).join(', ');
    const select = rules.size === 0 ? '*' : load.columns.map((c) => {
      const name = this.dialect.quoteIdentifier(c.name);
      const rule = rules.get(c.name);
      return rule ? `${fitsInferredSql(rule, this.dialect.columnType(c.type), name, c.name)} as ${name}` : name;
    }).join(', ');
    const query = `insert into ${this.dialect.renderRelation(load.relation)}
select ${select} from read_csv(${literal(load.path)}, header = true, auto_detect = false, delim = ${literal(load.delimiter)},
  quote = '"', escape = '"', columns = {${columns}}, nullstr = '', allow_quoted_nulls = false)`;
    try {
      const result = await sql.raw(query).execute(db);
      return Number(result.numAffectedRows ?? 0n);
    } catch (err) {
      const narrow = errorMessage(err).split(TOO_NARROW_MARKER)[1];
      if (narrow !== undefined) throw new SampleTooNarrow(narrow.split('\n')[0]!.trim());
      throw csvLoadError(err, load);
    }
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
    if (this.#holderFile) rmSync(this.#holderFile, { force: true });
  }
}

/**
 * read_csv's failure as sf words it: a refused value as on every engine (seed-errors.ts),
 * anything else as its first lines with the file's project path, without the option dump.
 */
function csvLoadError(err: unknown, load: CsvLoad): Error {
  const message = errorMessage(err);
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const refused = /Error when converting column "((?:[^"]|"")+)"\. Could not convert string "((?:[^"]|"")*)" to '/.exec(message);
  const spec = refused && load.columns.find((c) => c.name === refused[1]);
  // DuckDB doubles the quotes inside the value it names.
  const at = line ? Number(line) : undefined;
  if (spec) return new Error(badSeedValue(load.file, at, spec.name, spec.type, refused[2]!.replace(/""/g, '"')), { cause: err });
  if (/Expected Number of Columns: \d+ Found: \d+/.test(message)) return new Error(raggedRow(load.file, at, load.columns.length), { cause: err });
  if (/unterminated quote/i.test(message)) return new Error(unclosedQuote(load.file, at), { cause: err });
  const summary = message.split('\n').slice(0, 3).join('\n').split(load.path).join(load.file);
  return Object.assign(new Error(line ? `${load.file}:${line}: ${summary}` : summary, { cause: err }), { code: (err as { code?: unknown }).code });
}

/** DuckDB lists every overload of a function that did not bind (40 for `*`): the first few say enough. */
export function shortenCandidates(message: string): string {
  return message.replace(/(Candidate functions:\n)((?:\t[^\n]*(?:\n|$))+)/, (_all, head: string, list: string) => {
    const lines = list.replace(/\n$/, '').split('\n');
    if (lines.length <= 5) return head + list;
    return `${head}${lines.slice(0, 4).join('\n')}\n\t... and ${lines.length - 4} more\n`;
  });
}

function describeDuckDBError(err: unknown): EngineErrorInfo {
  const message = shortenCandidates(errorMessage(err));
  const pid = /Conflicting lock is held in .*\(PID (\d+)\)/.exec(message);
  const retryable = /write-write conflict|Transaction conflict|Catalog write-write/i.test(message);
  return { message, lockedByPid: pid ? Number(pid[1]) : undefined, retryable };
}
