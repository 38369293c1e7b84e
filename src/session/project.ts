// The front half of the spine, shared by every command: config -> files -> manifest ->
// compiled SQL -> graph. Opens no database.
import { dialectFor } from '../adapters/registry.js';
import type { SqlDialect } from '../adapters/types.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig, TargetConfig } from '../config/types.js';
import { compileProject } from '../compiler/compile.js';
import type { CompiledProject } from '../compiler/types.js';
import { buildGraph, linkSourcesToSeeds, type ProjectGraph } from '../graph/graph.js';
import { parseProject } from '../parser/parse.js';
import type { Manifest } from '../parser/nodes.js';
import { discoverProject } from '../project/discover.js';
import { UserError } from '../util/errors.js';
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
  const config = await loadConfig(options.projectDir, options.configFile);
  const targetName = options.target ?? config.defaultTarget;
  const target = config.targets[targetName];
  if (!target) {
    throw new UserError('BAD_ARGUMENT', `no target named '${targetName}'`, {
      location: { file: config.configPath },
      hint: didYouMean(targetName, Object.keys(config.targets)) ?? `targets: ${Object.keys(config.targets).join(', ')}`,
    });
  }
  const dialect = dialectFor(target.type, 'schema' in target ? target.schema : undefined);
  const manifest = parseProject(config, discoverProject(config));
  const compiled = linkSourcesToSeeds(
    compileProject({ config, manifest, dialect, targetName, cliVars: options.vars, env: options.env }),
    config.sources,
  );
  return { config, targetName, target, dialect, manifest, compiled, graph: buildGraph(compiled) };
}
