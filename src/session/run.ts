// The back half: select -> inspect seeds -> open the target -> read its state -> plan -> run
// -> artifacts. Every user mistake is raised before the database is opened.
import { openAdapter } from '../adapters/registry.js';
import { writeCompiled, writeManifest, writeRunResults } from '../artifacts/write.js';
import { selectNodes, type SelectOptions } from '../graph/selection/select.js';
import { inspectSeed, type SeedTable } from '../parser/seed-csv.js';
import { buildPlan } from '../plan/plan.js';
import type { ExecutionPlan } from '../plan/types.js';
import type { RunEvent, StepResult } from '../runner/events.js';
import { runPlan } from '../runner/scheduler.js';
import type { LoadedProject } from './project.js';

export type RunCommand = 'seed' | 'run' | 'build';

export interface RunRequest extends SelectOptions {
  readonly command: RunCommand;
  readonly threads?: number | undefined;
  readonly onEvent?: ((event: RunEvent) => void) | undefined;
  readonly now?: (() => Date) | undefined;
}

export interface RunOutcome {
  readonly plan: ExecutionPlan;
  readonly results: readonly StepResult[];
  readonly elapsedSeconds: number;
}

export const DEFAULT_THREADS = 4;

/** Which node kinds a command builds. */
const KINDS: Record<RunCommand, readonly ('seed' | 'model')[]> = { seed: ['seed'], run: ['model'], build: ['seed', 'model'] };

export async function runProject(project: LoadedProject, request: RunRequest): Promise<RunOutcome> {
  const t0 = performance.now();
  const now = request.now ?? (() => new Date());
  const { graph, config } = project;
  const selected = new Set(
    [...selectNodes(graph, request)].filter((n) => KINDS[request.command].includes(graph.node(n).kind)),
  );
  const compiledPaths = writeCompiled(project);
  writeManifest(project, compiledPaths, now());

  const seedTables = new Map<string, SeedTable>();
  for (const name of selected) {
    const node = graph.node(name);
    if (node.kind === 'seed') seedTables.set(name, inspectSeed(config.projectDir, node.seed.node, config.seeds.delimiter));
  }

  const adapter = await openAdapter(project.target, config.projectDir);
  try {
    const schemas = new Set<string>();
    for (const name of selected) {
      const node = graph.node(name);
      schemas.add(node.kind === 'seed' ? node.seed.relation.schema : node.model.relation.schema);
    }
    const state = await adapter.introspect([...schemas]);
    const plan = buildPlan({
      graph, selected, dialect: adapter.dialect, state, projectDir: config.projectDir,
      seedTables, seedDelimiter: config.seeds.delimiter, compiledPaths,
    });
    const threads = request.threads ?? project.target.threads ?? DEFAULT_THREADS;
    const results = await runPlan(plan, adapter, { threads, onEvent: request.onEvent, now });
    const elapsedSeconds = (performance.now() - t0) / 1000;
    writeRunResults(project, request.command, results, elapsedSeconds, now());
    return { plan, results, elapsedSeconds };
  } finally {
    await adapter.close();
  }
}
