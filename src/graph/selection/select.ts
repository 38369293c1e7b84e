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
  if (part.method === 'resource_type' && part.value === 'test') {
    throw new UserError('SELECTION', `'${part.raw}': tests are not selected apart from what they test in sf`, {
      hint: 'a data test runs with the model or seed it checks: `sf run` builds without tests, `sf test` runs only tests, `sf build` both',
    });
  }
  const base = graph.nodes.filter((node) => matches(node, part)).map((n) => n.name);
  let children = part.children;
  if (part.method === 'source') {
    // A source is not built: `source:raw+` is what reads it (its children) and their descendants.
    if (base.length && children === 0) {
      throw new UserError('SELECTION', `'${part.raw}' selects a source, which sf does not build`, { hint: `add + to select what reads it: ${part.raw}+` });
    }
    children -= 1;
  }
  if (base.length === 0) {
    // A valid resource type the project has none of matches nothing, as in dbt.
    if (part.method === 'resource_type' && RESOURCE_TYPES.includes(part.value)) return new Set();
    throw nothingMatched(graph, part);
  }
  const result = new Set(base);
  for (const name of base) {
    if (part.parents) for (const n of graph.reach(name, 'up', part.parents)) result.add(n);
    if (children || part.at) for (const n of graph.reach(name, 'down', part.at ? Infinity : children)) result.add(n);
  }
  if (part.at) for (const name of [...result]) for (const n of graph.reach(name, 'up')) result.add(n);
  return result;
}

/** dbt's resource types: the ones sf builds are models and seeds. */
const RESOURCE_TYPES = ['model', 'seed', 'snapshot', 'analysis', 'source', 'exposure', 'metric', 'semantic_model', 'saved_query', 'unit_test', 'function'];

function matches(node: GraphNode, part: SelectorPart): boolean {
  const path = node.kind === 'model' ? node.model.node.path : node.seed.node.path;
  switch (part.method) {
    case 'name':
      return globToRegExp(part.value).test(node.name);
    case 'tag':
      return (node.kind === 'model' ? node.model.settings.tags : node.seed.node.tags ?? []).some((t) => globToRegExp(part.value).test(t));
    case 'path': {
      const want = part.value.replace(/^\.\//, '').replace(/\/+$/, '');
      return path === want || path.startsWith(`${want}/`) || (want.includes('*') && globToRegExp(want).test(path));
    }
    case 'file': {
      const file = path.split('/').pop()!;
      const re = globToRegExp(part.value);
      return re.test(file) || re.test(file.replace(/\.[^.]*$/, ''));
    }
    case 'fqn': {
      const fqn = fqnOf(node);
      const want = part.value.split('.');
      const prefixOf = (of: readonly string[]) => want.length <= of.length && want.every((w, i) => globToRegExp(w).test(of[i]!));
      return (want.length === 1 && globToRegExp(part.value).test(node.name)) || prefixOf(fqn) || prefixOf(fqn.slice(1));
    }
    case 'resource_type':
      return node.kind === part.value;
    case 'package':
      return globToRegExp(part.value).test(packageOf(node));
    case 'source': {
      const [source, table = '*'] = part.value.split('.');
      if (node.kind !== 'model') return false;
      return node.model.sources.some((s) => globToRegExp(source!).test(s.source) && globToRegExp(table).test(s.table));
    }
    default: {
      const key = part.method.slice('config.'.length);
      const settings: Record<string, unknown> = node.kind === 'model'
        ? { ...node.model.settings }
        : { materialized: 'seed', tags: node.seed.node.tags ?? [], schema: node.seed.node.schema, alias: node.seed.node.alias };
      const value = settings[key];
      return (Array.isArray(value) ? value : [value]).some((v) => v !== undefined && v !== null && globToRegExp(part.value).test(String(v)));
    }
  }
}

/** dbt's fqn: the package, the folders under the resource's own folder, the name. */
function fqnOf(node: GraphNode): string[] {
  const path = node.kind === 'model' ? node.model.node.path : node.seed.node.path;
  return [packageOf(node), ...path.split('/').slice(1, -1), node.name];
}

function packageOf(node: GraphNode): string {
  return (node.kind === 'model' ? node.model.node.id : node.seed.node.id).split('.')[1]!;
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
  const tags = new Set(graph.nodes.flatMap((n) => (n.kind === 'model' ? n.model.settings.tags : n.seed.node.tags ?? [])));
  const sources = new Set(graph.nodes.flatMap((n) => (n.kind === 'model' ? n.model.sources.flatMap((s) => [s.source, `${s.source}.${s.table}`]) : [])));
  const hints: Partial<Record<string, string>> = {
    name: didYouMean(part.value, names) ?? 'run `sf ls` to list the nodes',
    tag: didYouMean(part.value, tags) ?? `known tags: ${[...tags].sort().join(', ') || '(none)'}`,
    path: 'paths are relative to the project directory, e.g. path:models/staging',
    resource_type: `resource types: ${RESOURCE_TYPES.join(', ')}`,
    source: didYouMean(part.value, sources) ?? `sources read by models: ${[...sources].sort().join(', ') || '(none)'}`,
  };
  const hint = hints[part.method] ?? 'run `sf ls` to list the nodes';
  return new UserError('SELECTION', `selector '${part.raw}' matches no model or seed`, { hint });
}
