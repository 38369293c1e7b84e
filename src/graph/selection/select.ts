import type { GraphNode, ProjectGraph } from '../graph.js';
import { UserError } from '../../util/errors.js';
import { didYouMean } from '../../util/suggest.js';
import { parseSelection, type SelectorPart } from './parse.js';

export interface SelectOptions {
  readonly select?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
}

/** Names of the selected nodes (all when nothing is selected), minus the excluded ones. */
export function selectNodes(graph: ProjectGraph, options: SelectOptions): Set<string> {
  const all = new Set(graph.order);
  const selected = options.select?.length ? evaluate(graph, options.select) : all;
  if (options.exclude?.length) for (const n of evaluate(graph, options.exclude)) selected.delete(n);
  return selected;
}

function evaluate(graph: ProjectGraph, terms: readonly string[]): Set<string> {
  const result = new Set<string>();
  const names = new Set(graph.order);
  for (const intersection of parseSelection(terms, (n) => names.has(n))) {
    let current: Set<string> | undefined;
    for (const part of intersection) {
      const matched = matchPart(graph, part);
      current = current ? new Set([...current].filter((n) => matched.has(n))) : matched;
    }
    for (const n of current ?? []) result.add(n);
  }
  return result;
}

function matchPart(graph: ProjectGraph, part: SelectorPart): Set<string> {
  const base = graph.nodes.filter((node) => matches(node, part)).map((n) => n.name);
  if (base.length === 0) throw nothingMatched(graph, part);
  const result = new Set(base);
  for (const name of base) {
    if (part.parents) for (const n of graph.reach(name, 'up', part.parents)) result.add(n);
    if (part.children) for (const n of graph.reach(name, 'down', part.children)) result.add(n);
  }
  return result;
}

function matches(node: GraphNode, part: SelectorPart): boolean {
  switch (part.method) {
    case 'name':
      return globToRegExp(part.value).test(node.name);
    case 'tag':
      return node.kind === 'model' && node.model.settings.tags.includes(part.value);
    case 'path': {
      const path = node.kind === 'model' ? node.model.node.path : node.seed.node.path;
      const want = part.value.replace(/^\.\//, '').replace(/\/+$/, '');
      return path === want || path.startsWith(`${want}/`);
    }
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${body}$`);
}

function nothingMatched(graph: ProjectGraph, part: SelectorPart): UserError {
  if (part.method === 'name' && graph.disabled.has(part.value)) {
    return new UserError('SELECTION', `model '${part.value}' is disabled (enabled: false), so there is nothing to select`, {
      hint: 'enable it (config(enabled=true), or the folder default in the config) to build it',
    });
  }
  const names = graph.order;
  const tags = new Set(graph.nodes.flatMap((n) => (n.kind === 'model' ? n.model.settings.tags : [])));
  const hint = part.method === 'name'
    ? didYouMean(part.value, names) ?? 'run `sf ls` to list the nodes'
    : part.method === 'tag'
      ? didYouMean(part.value, tags) ?? `known tags: ${[...tags].sort().join(', ') || '(none)'}`
      : 'paths are relative to the project directory, e.g. path:models/staging';
  return new UserError('SELECTION', `selector '${part.raw}' matches no model or seed`, { hint });
}
