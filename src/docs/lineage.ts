// Column-level lineage: for each output column of a model's compiled SQL, the columns of the
// relations it reads that the column is computed from. The SQL is parsed by node-sql-parser
// (the engine's grammar: PostgreSQL's for PostgreSQL and DuckDB, whose own parser derives from
// PostgreSQL's; SQLite's for SQLite, PostgreSQL's if that fails); names are resolved through
// CTEs, subqueries, joins and `*`. A model whose SQL does not parse gets the parser's reason,
// never a guess.
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

export type Grammar = 'PostgreSQL' | 'SQLite';

const parsers = new Map<Grammar, Parser>();
function parserFor(grammar: Grammar): Parser {
  let p = parsers.get(grammar);
  if (!p) {
    const file = grammar === 'SQLite' ? 'node-sql-parser/build/sqlite.js' : 'node-sql-parser/build/postgresql.js';
    p = new (require(file) as { Parser: new () => Parser }).Parser();
    parsers.set(grammar, p);
  }
  return p;
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
type Node = Record<string, unknown>;

/**
 * The lineage of a model's SQL. `columnsOf` gives a relation's columns (from the warehouse's
 * catalog) to expand `*` and place unqualified names; `defaultSchema` qualifies bare names.
 */
export function modelLineage(sql: string, grammars: readonly Grammar[], defaultSchema: string, columnsOf: (relation: string) => readonly string[] | undefined): ModelLineage {
  let lastError = '';
  for (const grammar of grammars) {
    let ast: unknown;
    try {
      ast = parserFor(grammar).astify(sql, { database: grammar });
    } catch (err) {
      lastError = (err as Error).message.split('\n')[0]!;
      continue;
    }
    const statements = (Array.isArray(ast) ? ast : [ast]) as Node[];
    const select = statements.find((s) => s && s['type'] === 'select');
    if (!select || statements.length !== 1) return { ok: false, reason: 'not a single SELECT statement' };
    const walker = new Walker(defaultSchema.toLowerCase(), columnsOf);
    const outputs = walker.select(select, new Map(), []);
    const columns: Record<string, ColumnRef[]> = {};
    for (const o of outputs) columns[o.name] = unique(o.sources);
    return { ok: true, grammar, columns };
  }
  return { ok: false, reason: `the SQL does not parse (${grammars.join(', then ')} grammar): ${lastError}` };
}

class Walker {
  constructor(readonly defaultSchema: string, readonly columnsOf: (relation: string) => readonly string[] | undefined) {}

  /** The output columns of a SELECT (and of the selects it is unioned with, position by position). */
  select(node: Node, ctes: ReadonlyMap<string, readonly Output[]>, outer: readonly ScopeItem[][]): Output[] {
    const withCtes = new Map(ctes);
    for (const cte of (node['with'] as Node[] | null) ?? []) {
      const name = nameOf((cte['name'] as Node | undefined)?.['value'] ?? cte['name']);
      const inner = ((cte['stmt'] as Node | undefined)?.['ast'] ?? cte['stmt']) as Node;
      if (name && inner) withCtes.set(name.toLowerCase(), this.select(inner, withCtes, outer));
    }
    const scope = this.scope((node['from'] as Node[] | null) ?? [], withCtes, outer);
    const chain = [scope, ...outer];
    const outputs: Output[] = [];
    for (const col of (node['columns'] as Node[] | string | null) ?? []) {
      if (typeof col === 'string') continue;
      const expr = col['expr'] as Node;
      const star = expr?.['type'] === 'column_ref' && columnName(expr) === '*';
      if (star) {
        const table = nameOf(expr['table'])?.toLowerCase();
        for (const item of scope.filter((s) => !table || s.alias === table)) outputs.push(...this.expand(item));
        continue;
      }
      const name = (nameOf(col['as']) ?? (expr?.['type'] === 'column_ref' ? columnName(expr) : undefined) ?? `column_${outputs.length + 1}`).toLowerCase();
      outputs.push({ name, sources: this.refs(expr, chain, withCtes) });
    }
    // UNION / INTERSECT / EXCEPT: each position also reads the next select's column there.
    const next = node['_next'] as Node | undefined;
    if (next) {
      const more = this.select(next, withCtes, outer);
      return outputs.map((o, i) => ({ name: o.name, sources: [...o.sources, ...(more[i]?.sources ?? [])] }));
    }
    return outputs;
  }

  private scope(from: readonly Node[], ctes: ReadonlyMap<string, readonly Output[]>, outer: readonly ScopeItem[][]): ScopeItem[] {
    return from.map((f) => {
      const sub = (f['expr'] as Node | undefined)?.['ast'] as Node | undefined;
      if (sub) return { alias: String(f['as'] ?? '').toLowerCase(), outputs: this.select(sub, ctes, outer) };
      const table = String(f['table'] ?? '').toLowerCase();
      const alias = String(f['as'] ?? f['table'] ?? '').toLowerCase();
      const db = f['db'] ? String(f['db']).toLowerCase() : undefined;
      if (!db && ctes.has(table)) return { alias, outputs: ctes.get(table) };
      return { alias, relation: `${db ?? this.defaultSchema}.${table}` };
    });
  }

  private expand(item: ScopeItem): Output[] {
    if (item.outputs) return [...item.outputs];
    return (this.columnsOf(item.relation!) ?? []).map((c) => ({ name: c.toLowerCase(), sources: [{ relation: item.relation!, column: c.toLowerCase() }] }));
  }

  /** Every column an expression reads, resolved through the scopes, innermost first. */
  private refs(expr: unknown, chain: readonly ScopeItem[][], ctes: ReadonlyMap<string, readonly Output[]>): ColumnRef[] {
    const found: ColumnRef[] = [];
    const visit = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(visit);
      if (!n || typeof n !== 'object') return;
      const node = n as Node;
      if (node['type'] === 'column_ref') {
        found.push(...this.resolve(node, chain));
        return;
      }
      // A subquery in an expression: its columns, its own scope over ours.
      if (node['ast'] && typeof node['ast'] === 'object') {
        for (const o of this.select(node['ast'] as Node, ctes, chain)) found.push(...o.sources);
        return;
      }
      for (const v of Object.values(node)) visit(v);
    };
    visit(expr);
    return found;
  }

  private resolve(ref: Node, chain: readonly ScopeItem[][]): ColumnRef[] {
    const column = columnName(ref)?.toLowerCase();
    if (!column || column === '*') return [];
    const table = nameOf(ref['table'])?.toLowerCase();
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

function columnName(ref: Node): string | undefined {
  const c = ref['column'];
  if (typeof c === 'string') return c;
  const value = ((c as Node | undefined)?.['expr'] as Node | undefined)?.['value'];
  return typeof value === 'string' ? value : undefined;
}

function nameOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Node)['value'] === 'string') return (v as Node)['value'] as string;
  return undefined;
}

function unique(refs: readonly ColumnRef[]): ColumnRef[] {
  const seen = new Map<string, ColumnRef>();
  for (const r of refs) seen.set(`${r.relation}.${r.column}`, r);
  return [...seen.values()].sort((a, b) => `${a.relation}.${a.column}`.localeCompare(`${b.relation}.${b.column}`));
}
