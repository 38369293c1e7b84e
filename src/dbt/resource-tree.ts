// The `models:` and `seeds:` blocks of dbt_project.yml: nested resource paths (the project or a
// package, then folders, then file names) with configs at any level. A `+key` is always a
// config; a key without `+` is a config when its value is not a mapping, and a resource path
// (folder or file) when it is, as dbt reads them. The result: per path relative to the
// resource folder ('' for all of them), the configs set there, each with its line.
import { isMap, isScalar, type LineCounter, type Node, type YAMLMap, type Document } from 'yaml';

import type { ConfigEntry } from './config-keys.js';

export interface ResourceTree {
  /** Configs per path under the project's resource folders: '' (all), 'staging', 'staging/stg_orders'. */
  readonly byPath: ReadonlyMap<string, readonly ConfigEntry[]>;
  /** Package names configured besides the project itself, with their lines. */
  readonly otherPackages: readonly { name: string; line: number }[];
}

export function readResourceTree(node: unknown, project: string, doc: Document, lines: LineCounter): ResourceTree {
  const byPath = new Map<string, ConfigEntry[]>();
  const otherPackages: { name: string; line: number }[] = [];
  const lineOf = (n: unknown) => ((n as Node | null)?.range ? lines.linePos((n as Node).range![0]).line : 1);
  const add = (path: string, entry: ConfigEntry) => byPath.set(path, [...(byPath.get(path) ?? []), entry]);
  const walk = (map: YAMLMap, path: string[]) => {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const value = pair.value;
      if (key.startsWith('+') || !isMap(value)) {
        add(path.join('/'), { key: key.replace(/^\+/, ''), value: value && typeof value === 'object' && 'toJS' in value ? (value as Node).toJS(doc) : value, line: lineOf(pair.key) });
      } else {
        walk(value, [...path, key]);
      }
    }
  };
  if (!isMap(node)) return { byPath, otherPackages };
  const everyPackage: ConfigEntry[] = [];
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value;
    if (key.startsWith('+') || !isMap(value)) {
      // Directly under models: / seeds: applies to every package, the project included.
      everyPackage.push({ key: key.replace(/^\+/, ''), value: value && typeof value === 'object' && 'toJS' in value ? (value as Node).toJS(doc) : value, line: lineOf(pair.key) });
    } else if (key === project) {
      walk(value, []);
    } else {
      otherPackages.push({ name: key, line: lineOf(pair.key) });
    }
  }
  // The project's own settings win over those for every package, wherever they are written.
  byPath.set('', [...everyPackage, ...(byPath.get('') ?? [])]);
  return { byPath, otherPackages };
}
