// Step 4: the DAG of models and seeds. A model depends on what it refs, and on the seed that
// fills a source it reads (ShopFlow's raw sources are seeds), so `+model` reaches the seeds.
import { alg, Graph } from '@dagrejs/graphlib';
import { relationKey } from '../adapters/types.js';
import { sourceRelation } from '../config/sources.js';
import type { ResolvedSource } from '../config/types.js';
import type { CompiledModel, CompiledProject, CompiledSeed } from '../compiler/types.js';
import { UserError } from '../util/errors.js';
import { callPattern, lineOf } from '../compiler/template-errors.js';
import { NameHeap } from './name-heap.js';

export type GraphNode =
  | { readonly kind: 'seed'; readonly name: string; readonly seed: CompiledSeed }
  | { readonly kind: 'model'; readonly name: string; readonly model: CompiledModel };

/** Node name -> the names at the other end of its edges. */
type Adjacency = ReadonlyMap<string, readonly string[]>;

export class ProjectGraph {
  readonly #parents: Adjacency;
  readonly #children: Adjacency;
  readonly #nodes: ReadonlyMap<string, GraphNode>;
  /** Node names, every node after all its parents; ties broken by name for stable output. */
  readonly order: readonly string[];

  /** Disabled models: not in the graph, but named when a selector asks for one. */
  readonly disabled: ReadonlySet<string>;

  constructor(parents: Adjacency, children: Adjacency, nodes: ReadonlyMap<string, GraphNode>, order: readonly string[], disabled: Iterable<string> = []) {
    this.#parents = parents;
    this.#children = children;
    this.#nodes = nodes;
    this.order = order;
    this.disabled = new Set(disabled);
  }

  has(name: string): boolean {
    return this.#nodes.has(name);
  }

  node(name: string): GraphNode {
    const node = this.#nodes.get(name);
    if (!node) throw new Error(`no graph node ${name}`);
    return node;
  }

  get nodes(): readonly GraphNode[] {
    return this.order.map((n) => this.node(n));
  }

  parents(name: string): readonly string[] {
    return [...(this.#parents.get(name) ?? [])].sort();
  }

  children(name: string): readonly string[] {
    return [...(this.#children.get(name) ?? [])].sort();
  }

  /** Ancestors (or descendants) up to `depth` edges away; Infinity for all. */
  reach(name: string, direction: 'up' | 'down', depth = Infinity): Set<string> {
    const found = new Set<string>();
    let frontier = [name];
    for (let d = 0; d < depth && frontier.length; d++) {
      const next: string[] = [];
      for (const n of frontier) {
        for (const m of direction === 'up' ? this.parents(n) : this.children(n)) {
          if (!found.has(m)) {
            found.add(m);
            next.push(m);
          }
        }
      }
      frontier = next;
    }
    return found;
  }
}

export function buildGraph(project: CompiledProject): ProjectGraph {
  // Plain maps, not a graph library: at 10,000 models its edge bookkeeping cost ~0.4 s.
  const nodes = new Map<string, GraphNode>();
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  const add = (name: string) => {
    if (parents.has(name)) return;
    parents.set(name, []);
    children.set(name, []);
  };
  for (const seed of project.seeds) {
    nodes.set(seed.node.name, { kind: 'seed', name: seed.node.name, seed });
    add(seed.node.name);
  }
  for (const model of project.models) {
    nodes.set(model.node.name, { kind: 'model', name: model.node.name, model });
    add(model.node.name);
  }
  for (const model of project.models) {
    for (const ref of new Set(model.refs)) {
      add(ref);
      parents.get(model.node.name)!.push(ref);
      children.get(ref)!.push(model.node.name);
    }
  }
  return new ProjectGraph(parents, children, nodes, topologicalOrder(parents, children, nodes), project.disabled);
}

/** Connect models to the seeds that fill the sources they read (needs the source schemas). */
export function linkSourcesToSeeds(
  project: CompiledProject,
  sources: Readonly<Record<string, ResolvedSource>>,
): CompiledProject {
  const seedByRelation = new Map(project.seeds.map((s) => [relationKey(s.relation), s.node.name]));
  const models = project.models.map((m) => {
    const seeded = m.sources
      .map((s) => seedByRelation.get(relationKey(sourceRelation(sources, s.source, s.table))))
      .filter((n): n is string => n !== undefined && !m.refs.includes(n));
    return seeded.length ? { ...m, refs: [...m.refs, ...seeded] } : m;
  });
  return { ...project, models };
}

function topologicalOrder(parents: Adjacency, children: Adjacency, nodes: ReadonlyMap<string, GraphNode>): string[] {
  // Kahn's algorithm taking the smallest ready name first: deterministic order; leftovers
  // mean a cycle.
  const indegree = new Map<string, number>([...parents].map(([n, p]) => [n, p.length]));
  const ready = new NameHeap();
  for (const [n, d] of indegree) if (d === 0) ready.push(n);
  const order: string[] = [];
  while (ready.size) {
    const n = ready.pop()!;
    order.push(n);
    for (const m of children.get(n) ?? []) {
      const d = indegree.get(m)! - 1;
      indegree.set(m, d);
      if (d === 0) ready.push(m);
    }
  }
  if (order.length < parents.size) {
    // Only now a graph library: its cycle search names the loop.
    const graph = new Graph({ directed: true });
    for (const [n, ps] of parents) {
      graph.setNode(n);
      for (const p of ps) graph.setEdge(p, n);
    }
    throw cycleError(graph, (name) => {
      const node = nodes.get(name);
      return node?.kind === 'model' ? node.model.node : node?.kind === 'seed' ? { path: node.seed.node.path } : undefined;
    });
  }
  return order;
}

/** A node's file, and a model's template (to find the line of a ref()). */
type Locate = (name: string) => { readonly path: string; readonly rawSql?: string } | undefined;

/**
 * The first cycle among models that ref each other (`refs`: a model's name to what it refs),
 * found before the whole project compiles, so it is reported with the other errors.
 */
export function cycleAmong(refs: ReadonlyMap<string, readonly string[]>, locate: Locate): UserError | undefined {
  const graph = new Graph();
  for (const [reader, read] of refs) {
    graph.setNode(reader);
    for (const r of read) if (refs.has(r)) graph.setEdge(r, reader);
  }
  return alg.isAcyclic(graph) ? undefined : cycleError(graph, locate);
}

function cycleError(graph: Graph, locate: Locate): UserError {
  const component = alg.findCycles(graph).map((c: string[]) => c.sort())
    .sort((a: string[], b: string[]) => a[0]!.localeCompare(b[0]!))[0]!;
  const chain = cyclePath(graph, component);
  // Edges point from a node to its readers, so chain[1] is the model whose ref() closes the loop.
  const reader = locate(chain[1]!);
  const location = reader?.rawSql !== undefined
    ? { file: reader.path, line: lineOf(reader.rawSql, callPattern('ref', chain[0]!)) }
    : { file: locate(chain[0]!)?.path ?? chain[0]! };
  return new UserError('CYCLE', `dependency cycle: ${chain.join(' -> ')}`, {
    location,
    hint: 'each arrow means "is read by"; remove one ref() in the chain to break it',
  });
}

/** One cycle through the strongly connected `component`, as a closed chain a -> b -> a. */
function cyclePath(graph: Graph, component: readonly string[]): string[] {
  const inside = new Set(component);
  const start = component[0]!;
  const path = [start];
  const visited = new Set([start]);
  const walk = (n: string): boolean => {
    for (const m of (graph.successors(n) ?? []).sort()) {
      if (m === start) return path.push(start), true;
      if (!inside.has(m) || visited.has(m)) continue;
      visited.add(m);
      path.push(m);
      if (walk(m)) return true;
      path.pop();
    }
    return false;
  };
  walk(start);
  return path;
}
