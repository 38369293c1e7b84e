// The relation a table, seed or incremental write is staged in before it is published.

/** `<name><suffix>`, kept within PostgreSQL's 63-byte identifiers (long names get a short hash). */
export function stageRelation<R extends { readonly schema: string; readonly name: string }>(rel: R, suffix = '__sf_stage'): { schema: string; name: string } {
  const name = rel.name.length + suffix.length <= 63 ? rel.name : `${rel.name.slice(0, 40)}_${hash(rel.name)}`;
  return { schema: rel.schema, name: `${name}${suffix}` };
}

function hash(text: string): string {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}
