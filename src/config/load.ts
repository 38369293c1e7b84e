// Find and load the project's config file with jiti (TypeScript, no build step), then validate.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { UserError, UserErrors } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { escapeRegExp } from '../util/regex.js';
import { blankComments, configIssues, lineOfPath } from './errors.js';
import { configSchema } from './schema.js';
import { installedPackages } from '../dbt/packages.js';
import { DBT_PROJECT_FILE, isDbtProject, loadDbtProject, type DbtLoadOptions } from '../dbt/project.js';
import { resolveSources } from './sources.js';
import { DEFAULT_PATHS, type ResolvedConfig, type SfConfig } from './types.js';

const CONFIG_NAMES = ['sf.config.ts', 'sf.config.mts', 'sf.config.js', 'sf.config.mjs'];

/** The package's name on the registry: what a config imports `defineConfig` from. */
export const PACKAGE_NAME = 'sf-transform';

/** `sf.config.*`, else the one `*.config.ts|js` that imports from sf-transform (e.g. shopflow.config.ts). */
export function findConfigFile(projectDir: string): string {
  for (const name of CONFIG_NAMES) if (existsSync(join(projectDir, name))) return join(projectDir, name);
  let entries: string[] = [];
  if (existsSync(projectDir) && statSync(projectDir).isFile()) {
    const file = basename(projectDir);
    throw new UserError('CONFIG_NOT_FOUND', `--project-dir ${projectDir} is a file, not a directory`, {
      hint: /\.config\.(ts|mts|js|mjs)$/.test(file)
        ? `pass its folder: --project-dir ${dirname(projectDir)} (or --config ${file} from there)`
        : 'pass the folder holding the project\'s config file',
    });
  }
  try {
    entries = readdirSync(projectDir);
  } catch {
    throw new UserError('CONFIG_NOT_FOUND', `project directory ${projectDir} does not exist`, {
      hint: 'pass --project-dir <dir> pointing at a folder with a config file, or create one with `sf init <dir>`',
    });
  }
  const candidates = entries
    .filter((f) => /\.config\.(ts|mts|js|mjs)$/.test(f))
    .filter((f) => /from\s+['"]sf(-transform)?['"]/.test(readFileSync(join(projectDir, f), 'utf8')));
  if (candidates.length === 1) return join(projectDir, candidates[0]!);
  if (candidates.length > 1) {
    throw new UserError('CONFIG_NOT_FOUND', `several config files in ${projectDir}: ${candidates.join(', ')}`, {
      hint: 'name the one to use with --config <file>',
    });
  }
  // A dbt project runs as it is (dbt/project.ts).
  if (isDbtProject(projectDir)) return join(projectDir, DBT_PROJECT_FILE);
  throw new UserError('CONFIG_NOT_FOUND', `no sf config file (or dbt_project.yml) in ${projectDir}`, {
    hint: "create sf.config.ts exporting defineConfig({...}) from 'sf-transform', or run `sf init <dir>`",
  });
}

/**
 * The nearest folder at or above `start` holding a config, as git and dbt find their project
 * from any subfolder; undefined when there is none up to the root.
 */
export function findProjectDir(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    try {
      findConfigFile(dir);
      return dir;
    } catch {
      if (dirname(dir) === dir) return undefined;
    }
  }
}

/** How a dbt project's profile is chosen (--profiles-dir, --profile, --target) and what its templates read. */
export type DbtOptions = Omit<DbtLoadOptions, 'env' | 'cliVars'> & Partial<Pick<DbtLoadOptions, 'env' | 'cliVars'>>;

export async function loadConfig(projectDir: string, configFile?: string, dbt: DbtOptions = {}): Promise<ResolvedConfig> {
  const dir = resolve(projectDir);
  const path = configFile ? resolve(dir, configFile) : findConfigFile(dir);
  if (!existsSync(path)) throw new UserError('CONFIG_NOT_FOUND', `config file ${configFile ?? path} does not exist${configFile ? ` in ${dir}` : ''}`);
  if (statSync(path).isDirectory()) {
    throw new UserError('CONFIG_NOT_FOUND', `--config ${configFile} is a folder, not a config file`, { hint: 'name the file, e.g. --config sf.config.ts (or --project-dir for the folder)' });
  }
  if (basename(path) === DBT_PROJECT_FILE) {
    return deepFreeze(loadDbtProject(dirname(path), { ...dbt, env: dbt.env ?? process.env, cliVars: dbt.cliVars ?? {} }));
  }
  // `import { defineConfig } from 'sf-transform'` in the config resolves to this build's config module
  // (or its source, under tests): light, so loading a config pulls in no engine code.
  const built = fileURLToPath(new URL('./types.js', import.meta.url));
  const sfEntry = existsSync(built) ? built : built.replace(/\.js$/, '.ts');
  // 'sf' too: the name configs used before the package had its registry name (and the shared
  // benchmark generator still writes).
  const jiti = createJiti(import.meta.url, { alias: { [PACKAGE_NAME]: sfEntry, sf: sfEntry }, moduleCache: false });
  let raw: unknown;
  try {
    const mod = await jiti.import<Record<string, unknown>>(path);
    // No default export: say so, rather than validate the module's other exports as a config.
    raw = mod && typeof mod === 'object' && 'default' in mod ? mod['default'] : undefined;
  } catch (err) {
    throw configThrew(err, dir, path);
  }
  return resolveConfig(raw, dir, path);
}

/**
 * A config that failed to load (a syntax error, or code that threw): the message with the
 * config's relative path and line, no machine paths.
 */
function configThrew(err: unknown, projectDir: string, configPath: string): UserError {
  const file = relative(projectDir, configPath);
  const message = err instanceof Error ? err.message : String(err);
  // The first stack frame in the config (a throw), or the position a parse error names.
  const frame = new RegExp(`${escapeRegExp(configPath)}:(\\d+):\\d+`).exec(`${message}\n${err instanceof Error ? err.stack ?? '' : ''}`);
  const clean = message.replace(new RegExp(`\\s*${escapeRegExp(configPath)}:\\d+:\\d+\\s*`, 'g'), ' ').replaceAll(configPath, file).replaceAll(projectDir, '.').trim();
  return new UserError('CONFIG_INVALID', `cannot load the config: ${clean}`, {
    location: { file, line: frame ? Number(frame[1]) : undefined },
    hint: 'the file must be valid TypeScript that runs and does `export default defineConfig({...})`',
    cause: err,
  });
}

export function resolveConfig(raw: unknown, projectDir: string, configPath: string): ResolvedConfig {
  const file = relative(projectDir, configPath);
  const source = () => (existsSync(configPath) ? readFileSync(configPath, 'utf8') : '');
  if (raw === undefined || raw === null || typeof raw !== 'object') {
    throw new UserError('CONFIG_INVALID', raw === undefined ? 'the config file has no default export' : `the config file's default export is a ${typeof raw}, not an object`, {
      location: { file }, hint: 'end it with `export default defineConfig({ name: ..., targets: { ... } })`',
    });
  }
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) UserErrors.throwIfAny(configIssues(parsed.error, configSchema, source(), file, raw));
  const c = parsed.data as SfConfig;
  const targetNames = Object.keys(c.targets);
  const defaultTarget = c.defaultTarget ?? targetNames[0]!;
  if (!c.targets[defaultTarget]) {
    throw new UserError('CONFIG_INVALID', `defaultTarget '${defaultTarget}' is not one of the targets (${targetNames.join(', ')})`, {
      location: { file, line: lineOfPath(blankComments(source()), ['defaultTarget']) },
      hint: didYouMean(defaultTarget, targetNames),
    });
  }
  const { sources, errors } = resolveSources(Object.entries(c.sources ?? {}).map(([name, s]) => ({ ...s, name, file: relative(projectDir, configPath) })));
  if (errors.length) throw errors[0]!;
  // dbt packages installed beside the config (dbt_packages/, packages.yml) serve sf projects too.
  const warnings: string[] = [];
  const packages = installedPackages(projectDir, c.name, undefined, warnings);
  return deepFreeze({
    projectDir,
    configPath,
    paths: DEFAULT_PATHS,
    seedFolders: {},
    testFolders: {},
    warnings,
    packages,
    name: c.name,
    targets: c.targets,
    defaultTarget,
    models: c.models ?? {},
    vars: c.vars ?? {},
    sources,
    seeds: { schema: c.seeds?.schema, columnTypes: c.seeds?.columnTypes ?? {}, delimiter: c.seeds?.delimiter ?? ',' },
  });
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
