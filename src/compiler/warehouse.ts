// What dbt templates ask the warehouse while they render: run_query(), {% call statement %} with
// load_result(), adapter.get_columns_in_relation(), adapter.get_relation() / load_relation().
// Rendering is synchronous and the engines answer asynchronously, so a render that needs an
// answer it does not have stops with NeedsWarehouse; the caller gets the answer and renders
// again with it (every answer so far kept), until the render completes.
//
// As in dbt, the first render of a model (the one that finds its refs and config) runs with
// `execute` false: nothing is asked, run_query gives None. A model that read `execute` or asked
// the warehouse there is rendered again with `execute` true: at compile time when it asks
// nothing, else when its step starts (its parents built), or by `sf compile` on a connection.
import nunjucks from 'nunjucks';
import type { ColumnInfo, SqlDialect } from '../adapters/types.js';
import { pyTuple } from './py-print.js';
import { dynamicGlobal } from './dynamic-globals.js';

/** A question for the warehouse: a query's rows, or a relation's columns (none: it does not exist). */
export type WarehouseQuestion =
  | { readonly kind: 'query'; readonly sql: string }
  | { readonly kind: 'columns'; readonly schema: string; readonly name: string };

export interface QueryAnswer {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** Answers by questionKey(): what a render has been told so far. */
export type WarehouseAnswers = Map<string, QueryAnswer | readonly ColumnInfo[]>;

export function questionKey(q: WarehouseQuestion): string {
  return q.kind === 'query' ? `query\u0000${q.sql}` : `columns\u0000${q.schema}\u0000${q.name}`;
}

/** Thrown out of a render that needs an answer it does not have. */
export class NeedsWarehouse extends Error {
  override readonly name = 'NeedsWarehouse';
  constructor(readonly question: WarehouseQuestion, readonly what: string) {
    super(`${what} needs the warehouse`);
  }
}

/** The render's side of it: set per render by the compiler. */
export interface WarehouseRender {
  /** Answers so far; undefined: the first render (`execute` false). */
  readonly answers: WarehouseAnswers | undefined;
  /** `statement` results by name, for load_result(). */
  readonly results: Map<string, unknown>;
  /** Marks the render as one that must be rendered again with `execute` true. */
  markLive(): void;
  /** SQL with ref()/source() placeholders made relation names, as the engine runs it. */
  resolve(sql: string): string;
  /** Text with ref()/source() placeholders made relation names (an error message). */
  names(text: string): string;
  /**
   * A hook's render: statements the adapter's methods make (drop_relation, ...) run where the
   * hook runs, before its own SQL. Elsewhere they run as the render asks, as run_query does.
   */
  readonly emit?: ((sql: string) => void) | undefined;
}

/** A relation as dbt's adapter methods take it: schema and identifier (or name). */
interface RelationArg {
  readonly schema?: unknown;
  readonly identifier?: unknown;
  readonly name?: unknown;
  /** Set by Relation.incorporate(type=...): 'table' or 'view'. */
  readonly type?: unknown;
}

/** dbt's Column: name, data_type, and its type tests. */
function column(info: ColumnInfo, dialect: SqlDialect): object {
  const type = info.type.toLowerCase();
  const isString = /char|text|string|clob/.test(type);
  const size = /\((\d+)\)/.exec(type);
  return {
    name: info.name, column: info.name, data_type: info.type, dtype: info.type,
    quoted: dialect.quoteIdentifier(info.name),
    is_string: () => isString,
    is_number: () => /int|numeric|decimal|real|double|float|number/.test(type),
    is_numeric: () => /numeric|decimal/.test(type),
    is_integer: () => /int/.test(type) && !/interval/.test(type),
    is_float: () => /real|double|float/.test(type),
    // dbt's default for an unbounded text column: 256 characters.
    string_size: () => (isString ? (size ? Number(size[1]) : 256) : undefined),
    toString: () => `<Column ${info.name} (${info.type})>`,
  };
}

/**
 * A relation as dbt's Relation reads in templates (schema, identifier, metadata for
 * dbt_utils' checks), printing as the engine writes it, or as `text` (a test's `where` subquery).
 */
export function relationObject(dialect: SqlDialect, rel: { schema: string; name: string }, text = dialect.renderRelation(rel)): object {
  return {
    schema: rel.schema, identifier: rel.name, name: rel.name, table: rel.name, database: null, is_cte: false,
    metadata: { type: 'BaseRelation' },
    render: () => text,
    toString: () => text,
    incorporate: incorporate,
  };
}

/** dbt's Relation.incorporate(type=..., path=...): the same relation, knowing its type. */
export function incorporate(this: object, ...args: unknown[]): object {
  const kw = args[args.length - 1] as { __keywords?: boolean; type?: unknown } | undefined;
  return kw?.__keywords && kw.type !== undefined ? Object.assign(Object.create(this) as object, { type: String(kw.type) }) : this;
}

/** dbt's agate Table, as templates use it: rows by index or column name, columns with values(). */
export function agateTable(answer: QueryAnswer): unknown[] {
  // Each row and the column list read by index and by name (the names not enumerated).
  const byName = <T>(list: T[], value: (i: number) => unknown): T[] => {
    answer.columns.forEach((name, i) => Object.defineProperty(list, name, { value: value(i), enumerable: false }));
    return list;
  };
  const rows = answer.rows.map((r) => byName([...r], (i) => r[i]));
  const columns = answer.columns.map((name, i) => ({ name, values: () => rows.map((r) => r[i]) }));
  byName(columns, (i) => columns[i]);
  // agate's columns also read as a mapping: keys(), values(), items() (dbt_utils.get_query_results_as_dict).
  Object.defineProperties(columns, {
    keys: { value: () => [...answer.columns], enumerable: false },
    values: { value: () => [...columns], enumerable: false },
    items: { value: () => answer.columns.map((name, i) => pyTuple([name, columns[i]])), enumerable: false },
  });
  return Object.assign([...rows], { rows, columns, column_names: [...answer.columns], print_table: () => '' });
}

/**
 * Installs run_query, statement, load_result, execute, api.Relation and the adapter's warehouse
 * methods (merged into `adapter`). `current` is the render in progress.
 */
export function installWarehouseGlobals(env: nunjucks.Environment, dialect: SqlDialect, adapter: Record<string, unknown>, current: () => WarehouseRender): void {
  // Read at each use: false in a first render, true in one with answers.
  dynamicGlobal('execute', () => {
    const render = current();
    render.markLive();
    return render.answers !== undefined;
  });
  /** The answer, or undefined on the first render; NeedsWarehouse when the warehouse must be asked. */
  const ask = <T>(question: () => WarehouseQuestion, what: string): T | undefined => {
    const render = current();
    render.markLive();
    if (!render.answers) return undefined;
    const q = question();
    const answer = render.answers.get(questionKey(q));
    if (answer === undefined) throw new NeedsWarehouse(q, what);
    return answer as T;
  };
  const runQuery = (sql: unknown) => {
    const answer = ask<QueryAnswer>(() => ({ kind: 'query', sql: current().resolve(String(sql)).trim() }), 'run_query()');
    return answer ? agateTable(answer) : null;
  };
  env.addGlobal('run_query', runQuery);
  // {% call statement('name', fetch_result=True) %} SQL {% endcall %}: runs it; load_result('name') reads it.
  env.addGlobal('statement', (...args: unknown[]) => {
    const last = args[args.length - 1] as { __keywords?: boolean; caller?: () => unknown; name?: unknown } | undefined;
    const kw = last && typeof last === 'object' && last.__keywords ? last : undefined;
    const name = String((kw ? args.slice(0, -1) : args)[0] ?? kw?.name ?? 'main');
    const sql = kw?.caller ? String(kw.caller()) : '';
    const answer = sql.trim() ? ask<QueryAnswer>(() => ({ kind: 'query', sql: current().resolve(sql).trim() }), `statement('${name}')`) : undefined;
    if (answer) {
      current().results.set(name, {
        // Rows as the tuples dbt gives (`[(9,)]` when printed).
        data: answer.rows.map((r) => pyTuple([...r])), table: agateTable(answer),
        response: { _message: 'OK', rows_affected: answer.rows.length, code: 'OK' },
      });
    }
    return '';
  });
  env.addGlobal('load_result', (name: unknown) => current().results.get(String(name)) ?? null);

  const relationOf = (rel: RelationArg) => ({ schema: String(rel.schema ?? dialect.defaultSchema), name: String(rel.identifier ?? rel.name) });
  const columnsOf = (rel: RelationArg, what: string): ColumnInfo[] | undefined => {
    return ask<ColumnInfo[]>(() => ({ kind: 'columns', ...relationOf(rel) }), what);
  };
  Object.assign(adapter, {
    get_columns_in_relation: (rel: RelationArg) => (columnsOf(rel, 'adapter.get_columns_in_relation()') ?? []).map((c) => column(c, dialect)),
    get_relation: (...args: unknown[]) => {
      const kw = args[args.length - 1] as Record<string, unknown> | undefined;
      const named = kw && typeof kw === 'object' && kw['__keywords'] ? kw : {};
      const [, schema = named['schema'], identifier = named['identifier']] = args.filter((a) => a !== named);
      const rel = { schema, identifier };
      const cols = columnsOf(rel, 'adapter.get_relation()');
      return cols?.length ? createRelation(relationOf(rel).schema, relationOf(rel).name) : null;
    },
  });
  // dbt's adapter methods that change the warehouse (dbt_utils' integration tests drop a seed
  // in its post-hook): in a hook, statements run with it; in a model's render, at once.
  const change = (sql: string, what: string): string => {
    const render = current();
    if (render.emit) render.emit(sql);
    else ask<QueryAnswer>(() => ({ kind: 'query', sql }), what);
    return '';
  };
  const kindOf = (rel: RelationArg) => (rel.type === 'view' ? 'view' : 'table');
  Object.assign(adapter, {
    drop_relation: (rel: RelationArg) => change(dialect.dropRelation(relationOf(rel), kindOf(rel)).sql, 'adapter.drop_relation()'),
    truncate_relation: (rel: RelationArg) => change(`delete from ${dialect.renderRelation(relationOf(rel))}`, 'adapter.truncate_relation()'),
    rename_relation: (from: RelationArg, to: RelationArg) =>
      change(`alter ${kindOf(from)} ${dialect.renderRelation(relationOf(from))} rename to ${dialect.quoteIdentifier(relationOf(to).name)}`, 'adapter.rename_relation()'),
  });
  const loadRelation = (rel: RelationArg) => (columnsOf(rel, 'load_relation()')?.length ? rel : null);
  Object.assign(adapter, { load_relation: loadRelation });
  env.addGlobal('load_relation', loadRelation);

  const createRelation = (schema: string, identifier: string) => relationObject(dialect, { schema, name: identifier });
  // dbt's exceptions and log(): an error stops the render at its line; log prints nothing.
  env.addGlobal('exceptions', {
    raise_compiler_error: (message: unknown) => {
      throw new Error(current().names(String(message)));
    },
    warn: () => '',
  });
  env.addGlobal('log', () => '');
  // dbt's should_store_failures(): sf keeps a test's failing rows after it counts them, so the
  // test's own query need not select them.
  env.addGlobal('should_store_failures', () => false);
  env.addGlobal('api', {
    Relation: {
      // dbt names an ephemeral model's CTE with this prefix (sf inlines them under their own names).
      add_ephemeral_prefix: (name: unknown) => `__dbt__cte__${String(name)}`,
      create: (...args: unknown[]) => {
        const kw = (args[args.length - 1] ?? {}) as Record<string, unknown>;
        const named = kw['__keywords'] ? kw : {};
        const [, schema = named['schema'], identifier = named['identifier']] = args.filter((a) => a !== named);
        return createRelation(String(schema ?? dialect.defaultSchema), String(identifier));
      },
    },
  });
}
