// The front half of the spine, shared by every command: config -> files -> manifest ->
// compiled SQL -> graph. Opens no database.
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
import { didYouMean } from '../util/suggest.js';

export interface ProjectOptions {
  readonly projectDir: string;
  readonly configFile?: string | undefined;
  readonly target?: string | undefined;
  readonly vars?: Readonly<Record<string, unknown>> | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
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
  const loaded = await loadConfig(options.projectDir, options.configFile);
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
  const manifest = parseProject(loaded, discoverProject(loaded), {
    vars, env, target: { name: targetName, type: target.type, schema: dialect.defaultSchema },
  });
  // Sources from property files join the config's; every later step sees them all.
  const merged = resolveSources(manifest.sources, loaded.sources);
  UserErrors.throwIfAny(merged.errors);
  // --vars over the config's, for everything after loading (freshness reads sf_now).
  const config: ResolvedConfig = deepFreeze({ ...loaded, vars, sources: merged.sources });
  const compiled = linkSourcesToSeeds(
    compileProject({ config, manifest, dialect, targetName, cliVars: options.vars, env: options.env }),
    config.sources,
  );
  return { config, targetName, target, dialect, manifest, compiled, graph: buildGraph(compiled) };
}
