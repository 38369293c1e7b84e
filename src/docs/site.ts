// target/docs/: the static site. index.html, app.js and style.css (assets/docs/), Cytoscape.js
// to draw the graph (copied from node_modules), and the data as a script that sets a global
// (sf-docs-data.js), so the page works opened from disk (a browser does not fetch JSON over
// file://) as well as served. The DAG is laid out here by dagre (layered, left to right).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dagre from '@dagrejs/dagre';
import type { ColumnInfo } from '../adapters/types.js';
import { redactWith, secretValues } from '../util/secrets.js';
import type { DocsData } from './data.js';

const require = createRequire(import.meta.url);
/** The site's own files: assets/docs/ at the package's root (from src/docs/ or dist/docs/). */
const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'docs');
const NODE_HEIGHT = 36;

export interface Positioned {
  readonly id: string;
  readonly x: number;
  readonly y: number;
}

/** Beyond this many nodes dagre's crossing minimization takes seconds, then minutes (0.5 s at 300 here). */
export const DAGRE_MAX_NODES = 400;

/** Layered layout of the DAG, sources on the left: dagre's, or by dependency depth for a large graph. */
export function layoutGraph(data: DocsData): Positioned[] {
  if (data.nodes.length > DAGRE_MAX_NODES) return layoutByDepth(data);
  const g = new dagre.graphlib.Graph();
  // tight-tree ranks about 4x faster than network-simplex here, to the same picture on dbt-like DAGs.
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 70, marginx: 20, marginy: 20, ranker: 'tight-tree' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of data.nodes) g.setNode(n.id, { width: Math.max(90, n.name.length * 7 + 30), height: NODE_HEIGHT });
  for (const n of data.nodes) for (const u of n.upstream) g.setEdge(u, n.id);
  dagre.layout(g);
  return data.nodes.map((n) => {
    const p = g.node(n.id);
    return { id: n.id, x: Math.round(p.x), y: Math.round(p.y) };
  });
}

/** A column per dependency depth (the longest path from a node without inputs), names in order: linear. */
function layoutByDepth(data: DocsData): Positioned[] {
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    depth.set(id, 0); // a cycle (there is none in a built project) stops here
    const d = Math.max(-1, ...(byId.get(id)?.upstream ?? []).map(depthOf)) + 1;
    depth.set(id, d);
    return d;
  };
  const columns = new Map<number, string[]>();
  for (const n of data.nodes) {
    const d = depthOf(n.id);
    const column = columns.get(d);
    if (column) column.push(n.id);
    else columns.set(d, [n.id]);
  }
  const width = Math.max(...data.nodes.map((n) => n.name.length * 7 + 30), 90) + 70;
  return [...columns].flatMap(([d, ids]) => ids.sort((a, b) => byId.get(a)!.name.localeCompare(byId.get(b)!.name))
    .map((id, i) => ({ id, x: 20 + d * width, y: 20 + i * (NODE_HEIGHT + 18) })));
}

/** dbt's catalog.json (v1): each relation's columns and types, as the warehouse reports them. */
export function catalogJson(data: DocsData, catalog: ReadonlyMap<string, readonly ColumnInfo[]>): unknown {
  const entry = (id: string) => {
    const node = data.nodes.find((n) => n.id === id)!;
    const [schema, ...rest] = node.relation.includes('.') ? node.relation.split('.') : ['', node.relation];
    return {
      unique_id: id,
      metadata: { type: node.materialized === 'view' ? 'VIEW' : 'BASE TABLE', schema, name: rest.join('.'), database: null, comment: null, owner: null },
      columns: Object.fromEntries(catalog.get(id)!.map((c, i) => [c.name, { type: c.type, index: i + 1, name: c.name, comment: null }])),
      stats: { has_stats: { id: 'has_stats', label: 'Has Stats?', value: false, include: false, description: 'Indicates whether there are statistics for this table' } },
    };
  };
  const ids = [...catalog.keys()];
  return {
    metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/catalog/v1.json', generated_at: data.generatedAt, sf_target: data.target.name },
    nodes: Object.fromEntries(ids.filter((id) => !id.startsWith('source.')).map((id) => [id, entry(id)])),
    sources: Object.fromEntries(ids.filter((id) => id.startsWith('source.')).map((id) => [id, entry(id)])),
    errors: null,
  };
}

/** Writes the site into `dir` (and catalog.json beside it); returns the files written. */
export function writeSite(dir: string, data: DocsData, catalog: ReadonlyMap<string, readonly ColumnInfo[]>, env: NodeJS.ProcessEnv = process.env): string[] {
  mkdirSync(join(dir, 'vendor'), { recursive: true });
  const secrets = secretValues(env);
  // Nothing the project or the warehouse says may carry a secret out: every string value written
  // is redacted (the data's own field names are left, so its shape holds), and column names,
  // which catalog.json also uses as keys, before they become keys.
  const clean = (v: unknown): unknown => (typeof v === 'string' ? redactWith(v, secrets)
    : Array.isArray(v) ? v.map(clean)
      : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x)])) : v);
  const text = (value: unknown) => JSON.stringify(clean(value));
  const columns = new Map([...catalog].map(([id, cols]) => [id, cols.map((c) => ({ ...c, name: redactWith(c.name, secrets) }))]));
  const written: string[] = [];
  const write = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    written.push(name);
  };
  write('sf-docs-data.js', `window.SF_DOCS = ${text({ ...data, layout: layoutGraph(data) })};\n`);
  write('catalog.json', `${text(catalogJson(data, columns))}\n`);
  for (const asset of ['index.html', 'app.js', 'style.css']) {
    copyFileSync(join(ASSETS, asset), join(dir, asset));
    written.push(asset);
  }
  copyFileSync(require.resolve('cytoscape/dist/cytoscape.min.js'), join(dir, 'vendor', 'cytoscape.min.js'));
  written.push('vendor/cytoscape.min.js');
  return written;
}
