// target/compiled/**, target/manifest.json and target/run_results.json. The JSON artifacts pass
// through redact() (an engine's message may quote a connection setting); compiled SQL is
// written exactly as it runs, since compile refuses SQL that would hold a secret.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LoadedProject } from '../session/project.js';
import { stepNode, type ExecutionPlan, type PlanStep } from '../plan/types.js';
import type { BatchResult, StepResult } from '../runner/events.js';
import type { TestOutcome } from '../adapters/types.js';
import type { TestResult } from '../session/test.js';
import type { FreshnessResult } from '../session/freshness.js';

/** The command line a run came from, so `sf retry` can repeat it. */
export interface RunArgs {
  readonly command: string;
  readonly select?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
  readonly target?: string | undefined;
  readonly vars?: Readonly<Record<string, unknown>> | undefined;
  readonly fullRefresh?: boolean | undefined;
  readonly threads?: number | undefined;
  readonly warnError?: boolean | undefined;
}
import { writeFileEnsuringDir } from '../util/fs.js';
import { redact } from '../util/secrets.js';
import { compiledPath, targetDir } from './paths.js';

export const SF_VERSION = '0.1.0';

/** `live`: SQL of models that asked the warehouse while rendering, over their first render's. */
export function writeCompiled(project: LoadedProject, live: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const paths = new Map<string, string>();
  for (const model of project.compiled.models) paths.set(model.node.name, compiledPath(project.config.name, model.node.path));
  // No compiled folder yet (a first compile, after sf clean): nothing to compare with.
  const fresh = !existsSync(join(project.config.projectDir, compiledPath(project.config.name, '')));
  // Each folder made once, not once per file (10,000 models share a few folders).
  for (const dir of new Set([...paths.values()].map((rel) => dirname(join(project.config.projectDir, rel))))) mkdirSync(dir, { recursive: true });
  for (const model of project.compiled.models) {
    // Exactly the SQL that runs: compile refuses SQL holding a secret, so nothing is masked.
    // A file that already says it is left alone: reading is far cheaper than writing.
    const path = join(project.config.projectDir, paths.get(model.node.name)!);
    const text = `${live.get(model.node.name) ?? model.sql}\n`;
    if (fresh || readIfExists(path) !== text) writeFileSync(path, text);
  }
  return paths;
}

/** A model's compiled SQL once it is known at run time (a model that asks the warehouse while it renders). */
export function writeCompiledSql(project: LoadedProject, model: string, sql: string): void {
  const node = project.compiled.models.find((m) => m.node.name === model);
  if (node) writeFileSync(join(project.config.projectDir, compiledPath(project.config.name, node.node.path)), `${sql}\n`);
}

/** With a `plan` (a run's), each batched model lists the batches the run builds. */
export function writeManifest(project: LoadedProject, paths: ReadonlyMap<string, string>, generatedAt: Date, plan?: ExecutionPlan): void {
  const stepOf = new Map((plan?.steps ?? []).map((s) => [s.name, s]));
  const nodes: Record<string, unknown> = {};
  for (const node of project.graph.nodes) {
    if (node.kind === 'seed') {
      const { seed } = node;
      nodes[seed.node.id] = {
        kind: 'seed', name: seed.node.name, path: seed.node.path,
        relation: `${seed.relation.schema}.${seed.relation.name}`, column_types: seed.node.columnTypes,
        depends_on: [],
      };
    } else {
      const { model } = node;
      nodes[model.node.id] = {
        kind: 'model', name: model.node.name, path: model.node.path,
        relation: `${model.relation.schema}.${model.relation.name}`,
        config: model.settings,
        depends_on: project.graph.parents(model.node.name).map((p) => idOf(project, p)),
        sources: model.sources.map((s) => `${s.source}.${s.table}`),
        compiled_path: paths.get(model.node.name) ?? null,
        ...batchesOf(stepOf.get(model.node.name)),
      };
    }
  }
  const manifest = {
    metadata: {
      sf_version: SF_VERSION, project: project.config.name, target: project.targetName,
      engine: project.target.type, generated_at: generatedAt.toISOString(),
    },
    nodes,
    sources: project.config.sources,
    macros: project.manifest.macros.map((m) => m.path),
    tests: project.manifest.tests.map((t) => ({ id: t.id, path: t.path })),
  };
  writeJson(join(targetDir(project.config.projectDir), 'manifest.json'), manifest);
}

export function writeRunResults(
  project: LoadedProject,
  command: string,
  results: readonly StepResult[],
  elapsedSeconds: number,
  generatedAt: Date,
  run: { runId: string; args?: RunArgs | undefined } = { runId: '' },
): void {
  const runResults = {
    metadata: {
      sf_version: SF_VERSION, command, target: project.targetName, generated_at: generatedAt.toISOString(),
      invocation_id: run.runId,
    },
    args: run.args ?? { command },
    elapsed_time: round(elapsedSeconds),
    results: results.map((r) => ({
      unique_id: idOf(project, r.name),
      relation: r.relation,
      kind: r.kind,
      status: r.status,
      started_at: r.startedAt,
      execution_time: round(r.seconds),
      rows_affected: r.rows ?? null,
      attempts: r.attempts,
      message: r.message ?? null,
      compiled_path: r.compiledPath ?? null,
      ...(r.how ? { how: r.how } : {}),
      ...(r.warnings ? { warnings: r.warnings } : {}),
      ...(r.tests ? { tests: r.tests.map((t) => testOutcomeJson(project, t)) } : {}),
      ...(r.batches ? batchResults(project, r.batches) : {}),
    })),
  };
  writeJson(join(targetDir(project.config.projectDir), 'run_results.json'), runResults);
}

/** A batched step's batches as planned: partition and [start, end) window. */
function batchesOf(step: PlanStep | undefined) {
  if (!step?.batched) return {};
  return {
    batches: step.units.map((u) => ({ partition: u.window?.partition ?? u.label ?? null, start: u.window?.start ?? null, end: u.window?.end ?? null })),
  };
}

/** run_results.json of `sf test`: each test's status and failure count. */
export function writeTestResults(project: LoadedProject, results: readonly TestResult[], elapsedSeconds: number, generatedAt: Date): void {
  writeJson(join(targetDir(project.config.projectDir), 'run_results.json'), {
    metadata: { sf_version: SF_VERSION, command: 'test', target: project.targetName, generated_at: generatedAt.toISOString() },
    args: { command: 'test' },
    elapsed_time: round(elapsedSeconds),
    results: results.map((r) => ({
      unique_id: `test.${project.config.name}.${r.name}`,
      kind: r.kind,
      on: r.on,
      status: r.status,
      failures: r.failures,
      execution_time: round(r.seconds),
      message: r.message ?? null,
      declared_at: `${r.file}${r.line ? `:${r.line}` : ''}`,
    })),
  });
}

/** dbt's sources.json of `sf source freshness`. */
export function writeSourcesJson(project: LoadedProject, results: readonly FreshnessResult[], elapsedSeconds: number, generatedAt: Date): void {
  writeJson(join(targetDir(project.config.projectDir), 'sources.json'), {
    metadata: { sf_version: SF_VERSION, command: 'source freshness', target: project.targetName, generated_at: generatedAt.toISOString() },
    elapsed_time: round(elapsedSeconds),
    results: results.map((r) => ({
      unique_id: `source.${project.config.name}.${r.source}`,
      relation: r.relation,
      status: r.status,
      max_loaded_at: r.maxLoadedAt,
      snapshotted_at: r.snapshottedAt,
      max_loaded_at_time_ago_in_s: r.ageSeconds === null ? null : round(r.ageSeconds),
      criteria: r.criteria,
      message: r.message,
      execution_time: round(r.seconds),
    })),
  });
}

/** dbt's `batch_results` (successful and failed [start, end) windows) and sf's per-batch detail. */
function batchResults(project: LoadedProject, batches: readonly BatchResult[]) {
  const window = (b: BatchResult) => [b.window?.start ?? null, b.window?.end ?? null];
  return {
    batch_results: {
      successful: batches.filter((b) => b.status === 'success' && b.window).map(window),
      failed: batches.filter((b) => b.status !== 'success' && b.window).map(window),
    },
    batches: batches.map((b) => ({
      partition: b.window?.partition ?? b.label,
      start: b.window?.start ?? null,
      end: b.window?.end ?? null,
      status: b.status,
      rows_affected: b.rows ?? null,
      execution_time: round(b.seconds),
      attempts: b.attempts,
      message: b.message ?? null,
      ...(b.tests ? { tests: b.tests.map((t) => testOutcomeJson(project, t)) } : {}),
    })),
  };
}

/** A data test's outcome in a build: dbt's status and failures, sf's quarantined rows. */
function testOutcomeJson(project: LoadedProject, t: TestOutcome) {
  return {
    unique_id: `test.${project.config.name}.${t.name}`, status: t.status, failures: t.failures,
    quarantined: t.quarantined ?? 0, message: t.message ?? null, declared_at: `${t.file}${t.line ? `:${t.line}` : ''}`,
  };
}

function idOf(project: LoadedProject, name: string): string {
  const step = stepNode(name);
  if (step.check) return `${step.check}.${project.config.name}.${step.name}`;
  const node = project.graph.node(name);
  return node.kind === 'seed' ? node.seed.node.id : node.model.node.id;
}

function writeJson(path: string, value: unknown): void {
  writeFileEnsuringDir(path, `${redact(JSON.stringify(value, null, 2))}\n`);
}

const round = (s: number) => Math.round(s * 1000) / 1000;

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
