// Step 1 after config: find the project's files (where the config's paths say). Pure file
// listing, no parsing.
import { listFiles } from '../util/fs.js';
import type { ResolvedConfig } from '../config/types.js';

export interface ProjectFiles {
  readonly models: readonly string[];
  readonly seeds: readonly string[];
  readonly macros: readonly string[];
  /** Macro files of installed dbt packages (dbt_packages/), with the package's name. */
  readonly packageMacros: readonly { readonly package: string; readonly path: string }[];
  readonly tests: readonly string[];
  /** dbt property files: .yml and .yaml files under the model and seed paths. */
  readonly properties: readonly string[];
  /** dbt's docs blocks: .md files under the model paths. */
  readonly docs: readonly string[];
  /** dbt's Python models (.py under the model paths): sf skips them, saying so. */
  readonly pythonModels: readonly string[];
  /** dbt's snapshots (.sql under the snapshot paths): skipped, said once. */
  readonly snapshots: readonly string[];
}

export function discoverProject(config: ResolvedConfig): ProjectFiles {
  const root = config.projectDir;
  const under = (dirs: readonly string[], ext: string | readonly string[]) => [...new Set(dirs.flatMap((d) => listFiles(root, d, ext)))];
  const tests = under(config.paths.tests, '.sql');
  // <test path>/generic/ holds generic test definitions (as in dbt): macros, not singular tests.
  const generic = (p: string) => config.paths.tests.some((t) => p.startsWith(`${t}/generic/`));
  const packageMacros = (config.packages ?? []).flatMap((pkg) => [
    ...under(pkg.macroPaths, '.sql'),
    ...pkg.testPaths.flatMap((t) => listFiles(root, `${t}/generic`, '.sql')),
  ].map((path) => ({ package: pkg.name, path })));
  return {
    models: under(config.paths.models, '.sql'),
    seeds: under(config.paths.seeds, '.csv'),
    macros: [...under(config.paths.macros, '.sql'), ...tests.filter(generic)],
    packageMacros,
    tests: tests.filter((p) => !generic(p)),
    properties: under([...config.paths.models, ...config.paths.seeds], ['.yml', '.yaml']).sort(),
    docs: under(config.paths.models, '.md'),
    pythonModels: under(config.paths.models, '.py'),
    snapshots: under(config.paths.snapshots, '.sql'),
  };
}

/** `path` relative to the first of `roots` holding it, without its extension: `staging/stg_orders`. */
export function resourcePath(path: string, roots: readonly string[]): string {
  const root = roots.find((r) => path.startsWith(`${r}/`));
  return (root ? path.slice(root.length + 1) : path).replace(/\.[^./]+$/, '');
}
