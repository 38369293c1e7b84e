// Column-level lineage: for each output column of a model's compiled SQL, the columns of the
// relations it reads that the column is computed from. The SQL is parsed by a real parser of
// the engine's dialect: DuckDB's own (json_serialize_sql, see duckdb-ast.ts) for DuckDB, and
// node-sql-parser's SQLite or PostgreSQL grammar for the others, the next in the list when one
// fails. Names are resolved through CTEs, subqueries, joins, unions and `*` (with EXCLUDE). A
// model whose SQL does not parse gets the parsers' reason, never a guess.
import { createRequire } from 'node:module';
import type { Parser } from 'node-sql-parser/build/postgresql.js';

const require = createRequire(import.meta.url);

export interface ColumnRef {
  /** `schema.name`, lower-cased, as the SQL names the relation. */
  readonly relation: string;
  readonly column: string;
}

export type ModelLineage =
  | { readonly ok: true; readonly grammar: string; readonly columns: Readonly<Record<string, readonly ColumnRef[]>> }
  | { readonly ok: false; readonly reason: string };

export type Grammar = 'DuckDB' | 'PostgreSQL' | 'SQLite';

/** One SELECT as both ASTs describe it. */
interface SelectParts {
  readonly ctes: readonly (readonly [string, unknown])[];
  readonly columns: readonly { readonly expr: unknown; readonly alias?: string | undefined }[];
  readonly from: readonly From[];
  /** Selects combined with it by UNION, INTERSECT or EXCEPT, position by position. */
  readonly combined: readonly unknown[];
}
type From =
  | { readonly kind: 'table'; readonly schema?: string | undefined; readonly table: string; readonly alias?: string | undefined }
  | { readonly kind: 'subquery'; readonly node: unknown; readonly alias?: string | undefined };
type Expr =
  | { readonly kind: 'column'; readonly table?: string | undefined; readonly column: string }
  | { readonly kind: 'star'; readonly table?: string | undefined; readonly exclude: readonly string[] }
  | { readonly kind: 'subquery'; readonly node: unknown }
  | { readonly kind: 'other'; readonly children: readonly unknown[] };

/** How to read one parser's AST. */
export interface AstReader {
  select(node: unknown): SelectParts;
  expr(node: unknown): Expr;
}

type Node = Record<string, unknown>;

/** SQL the walker cannot follow exactly: the model gets this as its reason, not a guess. */
class Unfollowed extends Error {}
const unfollowed = (what: string): never => {
  throw new Unfollowed(what);
};
const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : v && typeof v === 'object' && typeof (v as Node)['value'] === 'string' ? (v as Node)['value'] as string : undefined);
const objects = (n: Node) => Object.values(n).filter((v) => v !== null && typeof v === 'object');

/** node-sql-parser's AST (its PostgreSQL and SQLite grammars). */
const NODE_SQL_PARSER: AstReader = {
  select(node) {
    const n = node as Node;
    return {
      ctes: ((n['with'] as Node[] | null) ?? []).map((c) => [str(c['name']) ?? '', ((c['stmt'] as Node | undefined)?.['ast'] ?? c['stmt'])] as const),
      columns: (Array.isArray(n['columns']) ? n['columns'] as Node[] : []).map((c) => ({ expr: c['expr'], alias: str(c['as']) })),
      from: ((n['from'] as Node[] | null) ?? []).map((f): From => {
        if (f['expr'] && !(f['expr'] as Node)['ast']) unfollowed('a table function or VALUES in FROM');
        const sub = (f['expr'] as Node | undefined)?.['ast'];
        return sub ? { kind: 'subquery', node: sub, alias: str(f['as']) } : { kind: 'table', schema: str(f['db']), table: str(f['table']) ?? '', alias: str(f['as']) };
      }),
      combined: n['_next'] ? [n['_next']] : [],
    };
  },
  expr(node) {
    const n = node as Node;
    if (n['type'] === 'column_ref') {
      const c = n['column'];
      const column = typeof c === 'string' ? c : str((c as Node | undefined)?.['expr']) ?? '';
      return column === '*' ? { kind: 'star', table: str(n['table']), exclude: [] } : { kind: 'column', table: str(n['table']), column };
    }
    if (n['ast'] && typeof n['ast'] === 'object') return { kind: 'subquery', node: n['ast'] };
    return { kind: 'other', children: objects(n) };
  },
};

/** DuckDB's own AST (json_serialize_sql). */
export const DUCKDB_AST: AstReader = {
  select(node) {
    const n = node as Node;
    const ctes = (((n['cte_map'] as Node | undefined)?.['map'] as Node[] | undefined) ?? []).map((c) => {
      if (nonEmpty((c['value'] as Node)['aliases'])) unfollowed(`column names given to the CTE ${String(c['key'])}`);
      return [String(c['key']), ((c['value'] as Node)['query'] as Node)['node']] as const;
    });
    if (n['type'] === 'SET_OPERATION_NODE') {
      if (String(n['setop_type']).includes('BY_NAME')) unfollowed('UNION BY NAME');
      const left = DUCKDB_AST.select(n['left']);
      return { ...left, ctes: [...ctes, ...left.ctes], combined: [...left.combined, n['right']] };
    }
    const from = (f: Node | null | undefined): From[] => {
      if (!f) return [];
      if (f['type'] === 'JOIN') return [...from(f['left'] as Node), ...from(f['right'] as Node)];
      if (nonEmpty(f['column_name_alias'])) unfollowed('column names given to a relation in FROM');
      if (f['type'] === 'BASE_TABLE') return [{ kind: 'table', schema: str(f['schema_name']), table: String(f['table_name']), alias: str(f['alias']) }];
      if (f['type'] === 'SUBQUERY') return [{ kind: 'subquery', node: (f['subquery'] as Node)['node'], alias: str(f['alias']) }];
      if (f['type'] === 'EMPTY') return [];
      return unfollowed(`${String(f['type']).toLowerCase().replace(/_/g, ' ')} in FROM`);
    };
    return {
      ctes,
      columns: ((n['select_list'] as Node[] | undefined) ?? []).map((c) => ({ expr: c, alias: str(c['alias']) })),
      from: from(n['from_table'] as Node | undefined),
      combined: [],
    };
  },
  expr(node) {
    const n = node as Node;
    if (n['class'] === 'COLUMN_REF') {
      const names = n['column_names'] as string[];
      return { kind: 'column', table: names.length > 1 ? names[names.length - 2] : undefined, column: names[names.length - 1]! };
    }
    if (n['class'] === 'STAR') {
      if (n['columns'] || n['expr']) unfollowed('COLUMNS(...)');
      if (nonEmpty(n['replace_list']) || nonEmpty(n['rename_list'])) unfollowed('* REPLACE or * RENAME');
      const exclude = ((n['exclude_list'] as unknown[] | undefined) ?? []).map((e) => (typeof e === 'string' ? e : String(((e as Node)['column_names'] as string[] | undefined)?.at(-1) ?? '')));
      return { kind: 'star', table: str(n['relation_name']), exclude };
    }
    if (n['class'] === 'SUBQUERY') return { kind: 'subquery', node: (n['subquery'] as Node)['node'] };
    return { kind: 'other', children: objects(n) };
  },
};

const parsers = new Map<string, Parser>();
function parserFor(grammar: 'PostgreSQL' | 'SQLite'): Parser {
  let p = parsers.get(grammar);
  if (!p) {
    const file = grammar === 'SQLite' ? 'node-sql-parser/build/sqlite.js' : 'node-sql-parser/build/postgresql.js';
    p = new (require(file) as { Parser: new () => Parser }).Parser();
    parsers.set(grammar, p);
  }
  return p;
}

/**
 * The lineage of a model's SQL. `columnsOf` gives a relation's columns (from the warehouse's
 * catalog) to expand `*` and place unqualified names; `defaultSchema` qualifies bare names.
 * `duckdb` is DuckDB's parse of the same SQL (its select node, or its error), for 'DuckDB'.
 */
export function modelLineage(sql: string, grammars: readonly Grammar[], defaultSchema: string, columnsOf: (relation: string) => readonly string[] | undefined,
  duckdb?: { readonly node?: unknown; readonly error?: string | undefined }): ModelLineage {
  const errors: string[] = [];
  for (const grammar of grammars) {
    let root: unknown;
    let reader: AstReader;
    if (grammar === 'DuckDB') {
      if (!duckdb?.node) {
        errors.push(`DuckDB: ${duckdb?.error ?? 'not parsed'}`);
        continue;
      }
      [root, reader] = [duckdb.node, DUCKDB_AST];
    } else {
      let ast: unknown;
      try {
        ast = parserFor(grammar).astify(sql, { database: grammar });
      } catch (err) {
        errors.push(`${grammar}: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      const statements = (Array.isArray(ast) ? ast : [ast]) as Node[];
      if (statements.length !== 1 || statements[0]?.['type'] !== 'select') return { ok: false, reason: 'not a single SELECT statement' };
      [root, reader] = [statements[0], NODE_SQL_PARSER];
    }
    let outputs: Output[];
    try {
      outputs = new Walker(reader, defaultSchema.toLowerCase(), columnsOf).select(root, new Map(), []);
    } catch (err) {
      if (err instanceof Unfollowed) return { ok: false, reason: `it uses ${err.message}, which column lineage does not follow` };
      throw err;
    }
    const columns: Record<string, ColumnRef[]> = {};
    for (const o of outputs) columns[o.name] = unique(o.sources);
    return { ok: true, grammar, columns };
  }
  return { ok: false, reason: `the SQL does not parse (${errors.join('; ')})` };
}

/** What one scope's FROM offers: base relations by alias, and derived tables' outputs. */
interface ScopeItem {
  readonly alias: string;
  readonly relation?: string | undefined;
  readonly outputs?: readonly Output[] | undefined;
}
interface Output {
  readonly name: string;
  readonly sources: readonly ColumnRef[];
}

class Walker {
  constructor(readonly ast: AstReader, readonly defaultSchema: string, readonly columnsOf: (relation: string) => readonly string[] | undefined) {}

  /** The output columns of a SELECT (and of the selects combined with it, position by position). */
  select(node: unknown, ctes: ReadonlyMap<string, readonly Output[]>, outer: readonly ScopeItem[][]): Output[] {
    const parts = this.ast.select(node);
    const withCtes = new Map(ctes);
    for (const [name, inner] of parts.ctes) if (name && inner) withCtes.set(name.toLowerCase(), this.select(inner, withCtes, outer));
    const scope = parts.from.map((f): ScopeItem => {
      const alias = (f.alias ?? (f.kind === 'table' ? f.table : '')).toLowerCase();
      if (f.kind === 'subquery') return { alias, outputs: this.select(f.node, withCtes, outer) };
      const table = f.table.toLowerCase();
      if (!f.schema && withCtes.has(table)) return { alias, outputs: withCtes.get(table) };
      return { alias, relation: `${(f.schema ?? this.defaultSchema).toLowerCase()}.${table}` };
    });
    const chain = [scope, ...outer];
    const outputs: Output[] = [];
    for (const col of parts.columns) {
      const e = this.ast.expr(col.expr);
      if (e.kind === 'star') {
        const table = e.table?.toLowerCase();
        const excluded = new Set(e.exclude.map((x) => x.toLowerCase()));
        for (const item of scope.filter((s) => !table || s.alias === table)) outputs.push(...this.expand(item).filter((o) => !excluded.has(o.name)));
        continue;
      }
      const name = (col.alias ?? (e.kind === 'column' ? e.column : undefined) ?? `column_${outputs.length + 1}`).toLowerCase();
      outputs.push({ name, sources: this.refs(col.expr, chain, withCtes) });
    }
    for (const other of parts.combined) {
      const more = this.select(other, withCtes, outer);
      outputs.forEach((o, i) => (outputs[i] = { name: o.name, sources: [...o.sources, ...(more[i]?.sources ?? [])] }));
    }
    return outputs;
  }

  private expand(item: ScopeItem): Output[] {
    if (item.outputs) return [...item.outputs];
    return (this.columnsOf(item.relation!) ?? []).map((c) => ({ name: c.toLowerCase(), sources: [{ relation: item.relation!, column: c.toLowerCase() }] }));
  }

  /** Every column an expression reads, resolved through the scopes, innermost first. */
  private refs(expr: unknown, chain: readonly ScopeItem[][], ctes: ReadonlyMap<string, readonly Output[]>): ColumnRef[] {
    if (Array.isArray(expr)) return expr.flatMap((x) => this.refs(x, chain, ctes));
    if (!expr || typeof expr !== 'object') return [];
    const e = this.ast.expr(expr);
    switch (e.kind) {
      case 'column': return this.resolve(e.table?.toLowerCase(), e.column.toLowerCase(), chain);
      case 'star': return [];
      // A subquery in an expression: its columns, its own scope over ours.
      case 'subquery': return this.select(e.node, ctes, chain).flatMap((o) => o.sources);
      case 'other': return e.children.flatMap((c) => this.refs(c, chain, ctes));
    }
  }

  private resolve(table: string | undefined, column: string, chain: readonly ScopeItem[][]): ColumnRef[] {
    for (const scope of chain) {
      const candidates = table ? scope.filter((s) => s.alias === table) : scope.filter((s) => this.offers(s, column));
      // An unqualified name over one relation whose columns are unknown: that relation.
      const picked = candidates.length ? candidates : !table && scope.length === 1 && this.offers(scope[0]!, column) === undefined ? scope : [];
      if (picked.length === 0) continue;
      return picked.flatMap((s) => (s.outputs ? s.outputs.filter((o) => o.name === column).flatMap((o) => o.sources) : [{ relation: s.relation!, column }]));
    }
    return [];
  }

  /** Whether a scope item has the column (undefined: a base relation whose columns are unknown). */
  private offers(item: ScopeItem, column: string): boolean | undefined {
    if (item.outputs) return item.outputs.some((o) => o.name === column);
    const known = this.columnsOf(item.relation!);
    return known ? known.some((c) => c.toLowerCase() === column) : undefined;
  }
}

function unique(refs: readonly ColumnRef[]): ColumnRef[] {
  const seen = new Map<string, ColumnRef>();
  for (const r of refs) seen.set(`${r.relation}.${r.column}`, r);
  return [...seen.values()].sort((a, b) => `${a.relation}.${a.column}`.localeCompare(`${b.relation}.${b.column}`));
}
