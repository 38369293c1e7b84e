// Ephemeral models are inlined into their consumers as CTEs named __sf_cte__<name>.

export function cteName(model: string): string {
  return `__sf_cte__${model.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Prefix `sql` with CTEs, merging into its own leading `with` if it has one. */
export function injectCtes(sql: string, ctes: readonly { name: string; sql: string }[]): string {
  if (ctes.length === 0) return sql;
  const defs = ctes.map((c) => `${c.name} as (\n${c.sql.trim()}\n)`).join(',\n');
  const lead = leadingTrivia(sql);
  const rest = sql.slice(lead.length);
  const withMatch = /^with(\s+recursive)?\s/i.exec(rest);
  if (withMatch) return `${lead}${withMatch[0]}${defs},\n${rest.slice(withMatch[0].length)}`;
  return `${lead}with ${defs}\n${rest}`;
}

/** Whitespace and comments before the first SQL token. */
function leadingTrivia(sql: string): string {
  const match = /^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/.exec(sql);
  return match ? match[0] : '';
}
