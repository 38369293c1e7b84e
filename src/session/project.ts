// The front half of the spine, shared by every command: config -> files -> manifest ->
// compiled SQL -> graph. Opens no database.
import { basename } from 'node:path';
import { dialectFor } from '../adapters/registry.js';
import type { SqlDialect } from '../adapters/types.js';
import { deepFreeze, loadConfig } from '../config/load.js';
import { resolveSources } from '../config/sources.js';
import type { ResolvedConfig, TargetConfig } from '../config/types.js';
import { compileProject } from '../compiler/compile.js';
import type { CompiledProject } from '../compiler/types.js';
import { buildGraph, linkSourcesToSeeds, type ProjectGraph } from '../graph/graph.js';
import { parseProject } from '../parser/parse.js';
import type { Manifest } from '../parser/nodes.js';
import { discoverProject } from '../project/discover.js';
import { UserError, UserErrors } from '../util/errors.js';
import { seedHeaderErrors } from '../parser/seed-csv.js';
import { partialParsePath } from '../artifacts/paths.js';
import { didYouMean } from '../util/suggest.js';

export interface ProjectOptions {
  readonly projectDir: string;
  readonly configFile?: string | undefined;
  readonly target?: string | undefined;
  readonly vars?: Readonly<Record<string, unknown>> | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  /**
   * Check every seed's CSV as well when the project has other errors (build, seed), so they
   * all come out in one pass. A valid project's seeds are read when they load.
   */
  readonly seedErrors?: boolean | undefined;
  /** false: render every template, ignoring and not writing the render cache (`--no-partial-parse`). */
  readonly partialParse?: boolean | undefined;
  /** Settings and dependencies only: models' SQL is not rendered where it need not be (`sf ls`). */
  readonly listOnly?: boolean | undefined;
  /** dbt's flags.FULL_REFRESH and flags.WHICH in templates: --full-refresh and the command. */
  readonly fullRefresh?: boolean | undefined;
  readonly which?: string | undefined;
  /** A dbt project's profiles.yml folder (--profiles-dir) and profile (--profile). */
  readonly profilesDir?: string | undefined;
  readonly profile?: string | undefined;
}

export interface LoadedProject {
  readonly config: ResolvedConfig;
  readonly targetName: string;
  readonly target: Readonly<TargetConfig>;
  readonly dialect: SqlDialect;
  readonly manifest: Manifest;
  readonly compiled: CompiledProject;
  readonly graph: ProjectGraph;
}

export async function loadProject(options: ProjectOptions): Promise<LoadedProject> {
  const loaded = await loadConfig(options.projectDir, options.configFile, {
    profilesDir: options.profilesDir, profile: options.profile, target: options.target, cliVars: options.vars, env: options.env,
  });
  const targetName = options.target ?? loaded.defaultTarget;
  const target = loaded.targets[targetName];
  if (!target) {
    throw new UserError('BAD_ARGUMENT', `no target named '${targetName}'`, {
      location: { file: loaded.configPath },
      hint: didYouMean(targetName, Object.keys(loaded.targets)) ?? `targets: ${Object.keys(loaded.targets).join(', ')}`,
    });
  }
  const dialect = dialectFor(target.type, 'schema' in target ? target.schema : undefined);
  const vars = { ...loaded.vars, ...options.vars };
  const env = options.env ?? process.env;
  // Every stage runs as far as it can and adds its errors: all come out together.
  const errors: UserError[] = [];
  const manifest = parseProject(loaded, discoverProject(loaded), {
    vars, env, target: { name: targetName, type: target.type, schema: dialect.defaultSchema },
  }, errors);
  // Sources from property files join the config's; every later step sees them all.
  const merged = resolveSources(manifest.sources, loaded.sources);
  errors.push(...merged.errors);
  // --vars over the config's, for everything after loading (freshness reads sf_now).
  const config: ResolvedConfig = deepFreeze({ ...loaded, vars, sources: merged.sources });
  const compiled = collecting(errors, () => linkSourcesToSeeds(
    compileProject({
      config, manifest, dialect, targetName, cliVars: options.vars, env: options.env,
      cachePath: options.partialParse === false ? undefined : partialParsePath(config.projectDir, targetName),
      listOnly: options.listOnly,
      run: { fullRefresh: options.fullRefresh, which: options.which },
      database: target.type === 'postgres' ? target.database : target.type === 'duckdb' ? basename(target.path).replace(/\.[^.]*$/, '') : 'main',
    }),
    config.sources,
  ));
  const graph = compiled && collecting(errors, () => buildGraph(compiled));
  if (errors.length && options.seedErrors) {
    errors.push(...await seedHeaderErrors(config.projectDir, manifest.seeds));
  }
  UserErrors.throwIfAny(errors);
  return { config, targetName, target, dialect, manifest, compiled: compiled!, graph: graph! };
}

/** `run()`'s value, or undefined with its user errors added to `errors`. */
function collecting<T>(errors: UserError[], run: () => T): T | undefined {
  try {
    return run();
  } catch (err) {
    if (err instanceof UserErrors) errors.push(...err.errors);
    else if (err instanceof UserError) errors.push(err);
    else throw err;
    return undefined;
  }
}
