// What a relationships test's `to:` names: `ref('x')`, `source('a', 'b')`, or a bare model name.
import type { Relation } from '../../adapters/types.js';
import { sourceRelation } from '../../config/sources.js';
import type { ResolvedSource } from '../../config/types.js';
import type { ProjectGraph } from '../../graph/graph.js';
import type { GenericTestDeclaration } from '../../parser/properties.js';
import { UserError } from '../../util/errors.js';

export function testTarget(
  graph: ProjectGraph,
  sources: Readonly<Record<string, ResolvedSource>>,
  t: GenericTestDeclaration,
): (Relation & { node?: string }) | UserError {
  const to = String(t.args['to']);
  const ref = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(to) ?? /^\s*([A-Za-z0-9_]+)\s*$/.exec(to);
  const src = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(to);
  if (src) {
    const source = sources[src[1]!];
    if (source?.tables.includes(src[2]!)) return sourceRelation(sources, src[1]!, src[2]!);
  } else if (ref && graph.has(ref[1]!)) {
    const node = graph.node(ref[1]!);
    return { ...(node.kind === 'seed' ? node.seed.relation : node.model.relation), node: ref[1]! };
  }
  return new UserError('PROPERTIES', `relationships test ${t.name}: 'to: ${to}' names no model, seed or declared source`, {
    location: { file: t.file, line: t.line }, hint: "write to: ref('model_name') or to: source('source', 'table')",
  });
}
