// Throwaway sf projects on one engine: write the files into a temp dir, run the CLI in-process,
// and read the warehouse back through the engine's own catalog and plain SQL.
//
// Configs are written as `import type { SfConfig } from 'sf-transform'`: the type import is erased, so
// loading one does not make jiti transpile sf's sources (~0.5 s a load under vitest). The
// ShopFlow case keeps the real `import { defineConfig } from 'sf-transform'`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { dialectFor, openAdapter, targetSchema } from '../adapters/registry.js';
import type { Adapter, Relation, SqlDialect } from '../adapters/types.js';
import { runCli } from '../cli/main.js';
import type { EngineName, SfConfig, TargetConfig } from '../config/types.js';
import { writeFileEnsuringDir } from '../util/fs.js';
import {
  createEngineTarget,
  findInCatalog,
  readCatalog,
  readColumns,
  type CatalogColumn,
  type CatalogEntry,
  type CatalogKind,
  type EngineTarget,
} from './engines.js';
import { normalizeValue } from './values.js';
import { SF_SCHEMA } from '../plan/ledger.js';

export const PROJECT_NAME = 'conformance';

/** A source `raw.events` (id, ts timestamp, amount) loaded from seeds/events.csv, with ts as its event_time. */
export const EVENTS_CONFIG: ProjectSpec['config'] = {
  sources: { raw: { schema: 'raw', tables: [{ name: 'events', event_time: 'ts' }] } },
  seeds: { schema: 'raw', columnTypes: { events: { id: 'integer', ts: 'timestamp', amount: 'integer' } } },
};
const SF_BIN = fileURLToPath(new URL('../../bin/sf.cjs', import.meta.url));

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly text: string;
}

export interface ChildRun {
  readonly child: ChildProcess;
  readonly done: Promise<ChildResult>;
  /** What it printed so far. */
  readonly output: () => string;
}

export interface ProjectSpec {
  /** Files by path relative to the project dir: `models/a.sql`, `seeds/x.csv`. */
  readonly files?: Readonly<Record<string, string>>;
  /** Config keys besides name and targets. */
  readonly config?: Omit<SfConfig, 'name' | 'targets' | 'defaultTarget'>;
  /** The whole config file, given the target to write into it (overrides `config`). */
  readonly configSource?: (target: TargetConfig) => string;
  /** Model schema on DuckDB and PostgreSQL (default: DuckDB's `main`, PostgreSQL's PG_SCHEMA). */
  readonly schema?: string;
}

export interface CliRun {
  readonly code: number;
  readonly out: readonly string[];
  readonly err: readonly string[];
  /** stdout and stderr, for assertion messages. */
  readonly text: string;
}

export class ConformanceProject {
  readonly engine: EngineName;
  readonly dir: string;
  readonly target: TargetConfig;
  readonly #engineTarget: EngineTarget;
  #dialect: SqlDialect | undefined;

  constructor(engine: EngineName, dir: string, engineTarget: EngineTarget) {
    this.engine = engine;
    this.dir = dir;
    this.#engineTarget = engineTarget;
    this.target = engineTarget.target;
  }

  /** The target's dialect, as the CLI picks it. */
  get dialect(): SqlDialect {
    return (this.#dialect ??= dialectFor(this.engine, targetSchema(this.target)));
  }

  write(path: string, content: string): void {
    writeFileEnsuringDir(join(this.dir, path), content);
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  exists(path: string): boolean {
    return existsSync(join(this.dir, path));
  }

  /** `sf <command> --project-dir <dir> --target <engine> <args>`, in-process. */
  async sf(command: string, ...args: string[]): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    // `source freshness`: a command and its subcommand.
    const code = await runCli(['node', 'sf', ...command.split(' '), '--project-dir', this.dir, '--target', this.engine, ...args], {
      out: (line = '') => out.push(line),
      err: (line = '') => err.push(line),
    });
    const text = [`$ sf ${command} ${args.join(' ')} (exit ${code}) on ${this.engine}`, ...out, ...err.map((l) => `stderr: ${l}`)].join('\n');
    return { code, out, err, text };
  }

  /**
   * `sf <command> ...` in a child process (the built CLI, bin/sf.cjs), for crash and concurrency
   * tests: the exit code, or the signal that ended it.
   */
  spawnSf(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildRun {
    const child = spawn(process.execPath, [SF_BIN, ...args, '--project-dir', this.dir, '--target', this.engine], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<ChildResult>((resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, text: `$ sf ${args.join(' ')} on ${this.engine}\n${out}` }));
    });
    return { child, done, output: () => out };
  }

  async withDb<T>(fn: (adapter: Adapter) => Promise<T>): Promise<T> {
    const adapter = await openAdapter(this.target, this.dir);
    try {
      return await fn(adapter);
    } finally {
      await adapter.close();
    }
  }

  /** Rows of a query, values normalized (see values.ts). */
  async query(text: string): Promise<Record<string, unknown>[]> {
    return this.withDb(async (a) => {
      const result = await sql.raw<Record<string, unknown>>(text).execute(a.db);
      return result.rows.map(normalizeRow);
    });
  }

  /** A model or seed relation in the given schema (default: the target's). */
  rel(name: string, schema?: string): Relation {
    return { schema: schema ?? this.dialect.defaultSchema, name };
  }

  /** The relation as SQL text, quoted as the engine needs. */
  sql(name: string, schema?: string): string {
    return this.dialect.renderRelation(this.rel(name, schema));
  }

  /** Every user relation, without sf's own state (the `sf` schema; `sf__*` on SQLite). */
  async catalog(): Promise<CatalogEntry[]> {
    const all = await this.withDb((a) => readCatalog(this.engine, a.db));
    return all.filter((e) => e.schema !== SF_SCHEMA && !(e.schema === undefined && e.name.startsWith(`${SF_SCHEMA}__`)));
  }

  /** `table`, `view`, or undefined when the relation does not exist. */
  async kindOf(rel: Relation): Promise<CatalogKind | undefined> {
    return findInCatalog(await this.catalog(), this.dialect, rel)?.kind;
  }

  /**
   * Catalog entries that none of `expected` names, ignoring schemas outside `schemas`
   * (default: the target's schema; SQLite has one namespace).
   */
  async unexpectedRelations(expected: readonly Relation[], schemas?: readonly string[]): Promise<CatalogEntry[]> {
    const inScope = new Set(schemas ?? [this.dialect.defaultSchema]);
    const catalog = await this.catalog();
    return catalog.filter((e) =>
      (e.schema === undefined || inScope.has(e.schema))
      && !expected.some((rel) => findInCatalog([e], this.dialect, rel)));
  }

  async columns(rel: Relation): Promise<CatalogColumn[]> {
    return this.withDb((a) => readColumns(this.engine, a.db, this.dialect, rel));
  }

  /** Every row and column of a relation, ordered by all its columns: for before/after comparisons. */
  async snapshot(rel: Relation): Promise<{ columns: string[]; rows: unknown[][] }> {
    return this.withDb(async (a) => {
      const columns = (await readColumns(this.engine, a.db, this.dialect, rel)).map((c) => c.name);
      if (columns.length === 0) throw new Error(`snapshot: ${this.dialect.renderRelation(rel)} has no columns (does it exist?)`);
      const order = columns.map((_, i) => `${i + 1}`).join(', ');
      const select = columns.map((c) => this.dialect.quoteIdentifier(c)).join(', ');
      const result = await sql.raw<Record<string, unknown>>(
        `select ${select} from ${this.dialect.renderRelation(rel)} order by ${order}`,
      ).execute(a.db);
      return { columns, rows: result.rows.map((r) => columns.map((c) => normalizeValue(r[c]))) };
    });
  }

  async dispose(): Promise<void> {
    try {
      await this.#engineTarget.dispose();
    } finally {
      if (!process.env['SF_CONFORMANCE_KEEP']) rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normalizeValue(v)]));
}

/** The config file of a test project: typed, without loading sf at runtime. */
export function configSource(engine: EngineName, target: TargetConfig, config: ProjectSpec['config'] = {}): string {
  const full: SfConfig = { name: PROJECT_NAME, targets: { [engine]: target }, ...config };
  return `import type { SfConfig } from 'sf-transform';\n\nconst config: SfConfig = ${JSON.stringify(full, null, 2)};\n\nexport default config;\n`;
}

/** Creates projects on one engine and disposes of them all (call `disposeAll` in afterAll). */
export class ProjectPool {
  readonly engine: EngineName;
  readonly #pgUrl: () => string;
  readonly #projects: ConformanceProject[] = [];

  constructor(engine: EngineName, pgUrl: () => string) {
    this.engine = engine;
    this.#pgUrl = pgUrl;
  }

  async create(spec: ProjectSpec = {}): Promise<ConformanceProject> {
    const dir = mkdtempSync(join(tmpdir(), `sf-conformance-${this.engine}-`));
    let engineTarget: EngineTarget;
    try {
      engineTarget = await createEngineTarget(this.engine, this.#pgUrl(), spec.schema);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const project = new ConformanceProject(this.engine, dir, engineTarget);
    this.#projects.push(project);
    project.write('sf.config.ts', spec.configSource
      ? spec.configSource(engineTarget.target)
      : configSource(this.engine, engineTarget.target, spec.config));
    for (const [path, content] of Object.entries(spec.files ?? {})) project.write(path, content);
    return project;
  }

  async disposeAll(): Promise<void> {
    const projects = this.#projects.splice(0);
    const results = await Promise.allSettled(projects.map((p) => p.dispose()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
