// DuckDB parses its own dialect: json_serialize_sql() returns a statement's AST as JSON. An
// in-memory database does it (no warehouse needed, nothing is run), for lineage.ts.
import { DuckDBInstance } from '@duckdb/node-api';

export interface DuckdbParse {
  /** The query node of the one SELECT statement. */
  readonly node?: unknown;
  readonly error?: string | undefined;
}

export async function parseWithDuckdb(sqls: readonly string[]): Promise<DuckdbParse[]> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const conn = await instance.connect();
    const parsed: DuckdbParse[] = [];
    for (const text of sqls) {
      const reader = await conn.runAndReadAll('select json_serialize_sql($1::varchar) as ast', [text]);
      const ast = JSON.parse(String(reader.getRowObjects()[0]!['ast'])) as { error?: boolean; error_message?: string; statements?: { node: { type: string } }[] };
      if (ast.error) parsed.push({ error: (ast.error_message ?? 'parse error').split('\n')[0] });
      else if (ast.statements?.length !== 1 || !['SELECT_NODE', 'SET_OPERATION_NODE'].includes(ast.statements[0]!.node.type)) parsed.push({ error: 'not a single SELECT statement' });
      else parsed.push({ node: ast.statements[0]!.node });
    }
    conn.closeSync();
    return parsed;
  } finally {
    instance.closeSync();
  }
}
