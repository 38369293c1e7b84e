// Step 1 after config: find the project's files. Pure file listing, no parsing.
import { listFiles } from '../util/fs.js';
import type { ResolvedConfig } from '../config/types.js';

export const PROJECT_DIRS = { models: 'models', seeds: 'seeds', macros: 'macros', tests: 'tests' } as const;

export interface ProjectFiles {
  readonly models: readonly string[];
  readonly seeds: readonly string[];
  readonly macros: readonly string[];
  readonly tests: readonly string[];
  /** dbt property files: .yml and .yaml files under models/ and seeds/. */
  readonly properties: readonly string[];
}

export function discoverProject(config: ResolvedConfig): ProjectFiles {
  const root = config.projectDir;
  return {
    models: listFiles(root, PROJECT_DIRS.models, '.sql'),
    seeds: listFiles(root, PROJECT_DIRS.seeds, '.csv').filter((p) => !p.slice('seeds/'.length).includes('/')),
    // tests/generic/ holds generic test definitions (as in dbt): macros, not singular tests.
    macros: [...listFiles(root, PROJECT_DIRS.macros, '.sql'), ...listFiles(root, `${PROJECT_DIRS.tests}/generic`, '.sql')],
    tests: listFiles(root, PROJECT_DIRS.tests, '.sql').filter((p) => !p.startsWith(`${PROJECT_DIRS.tests}/generic/`)),
    properties: [PROJECT_DIRS.models, PROJECT_DIRS.seeds].flatMap((dir) => listFiles(root, dir, ['.yml', '.yaml'])).sort(),
  };
}
