// The back half: select -> inspect seeds -> open the target -> read its state (relations, the
// partition ledger) -> plan -> run -> artifacts. Every user mistake is raised before the
// database is opened, or (template errors of a run-time render) before anything is written.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DEFAULT_LOCK_TIMEOUT_S, openAdapter } from '../adapters/registry.js';
import type { Adapter } from '../adapters/types.js';
import { isUserError, UserError } from '../util/errors.js';
import { writeCompiled, writeCompiledSql, writeManifest, writeRunResults, type RunArgs } from '../artifacts/write.js';
import { STATIC_CONTEXT } from '../compiler/types.js';
import type { WarehouseAnswers } from '../compiler/warehouse.js';
import { withWarehouseAnswers } from './warehouse-answers.js';
import { selectNodes, type SelectOptions } from '../graph/selection/select.js';
import { inspectSeeds } from '../parser/seed-csv.js';
import { SF_SCHEMA, ledgerKey } from '../plan/ledger.js';
import type { BatchRequest } from '../plan/materializations/batches.js';
import { buildPlan } from '../plan/plan.js';
import type { ExecutionPlan } from '../plan/types.js';
import type { RunEvent, StepResult } from '../runner/events.js';
import { runPlan } from '../runner/scheduler.js';
import { readLedger } from './ledger-state.js';
import type { ModelTest } from '../plan/quality/audit.js';
import { buildChecks, keepBuildFailures, splitLateTests, testsByNode } from './checks.js';
import { selectTests } from './test.js';
import type { LoadedProject } from './project.js';
import { explainUnbuilt } from './unbuilt.js';
import { runProjectHooks } from './run-hooks.js';

export type RunCommand = 'seed' | 'run' | 'build';

export interface RunRequest extends SelectOptions {
  readonly command: RunCommand;
  readonly threads?: number | undefined;
  readonly onEvent?: ((event: RunEvent) => void) | undefined;
  /** True once the run is being interrupted: no further step starts. */
  readonly stop?: (() => boolean) | undefined;
  /** Stop at the first failure, cancelling what runs (--fail-fast). */
  readonly failFast?: boolean | undefined;
  /** The plan, once made (and the run's id): for an account of an interrupted run. */
  readonly onPlan?: ((plan: ExecutionPlan, runId: string) => void) | undefined;
  /** Called once every project error has been checked for, before the target is opened. */
  readonly onValid?: (() => void) | undefined;
  /** Told when the run has to wait for another process (a held DuckDB file). */
  readonly onNotice?: ((message: string) => void) | undefined;
  readonly now?: (() => Date) | undefined;
  readonly fullRefresh?: boolean | undefined;
  /** Partitions to build: `--start`/`--end` (end included) or dbt's event-time flags (end excluded). */
  readonly range?: BatchRequest['range'];
  /** Fill the ledger's gaps (`--missing`, `sf backfill`). */
  readonly missing?: boolean | undefined;
  /** Model -> partitions to build again (`sf retry`). */
  readonly retry?: ReadonlyMap<string, readonly string[]> | undefined;
  readonly lockTimeoutSeconds?: number | undefined;
  /** Warning tests and stale-source warnings fail their node, as errors do. */
  readonly warnError?: boolean | undefined;
  /** Recorded in run_results.json so `sf retry` can repeat the command. */
  readonly args?: RunArgs | undefined;
}

export interface RunOutcome {
  readonly plan: ExecutionPlan;
  readonly results: readonly StepResult[];
  readonly elapsedSeconds: number;
  readonly runId: string;
}

export const DEFAULT_THREADS = 4;

/** Which node kinds a command builds. */
const KINDS: Record<RunCommand, readonly ('seed' | 'model')[]> = { seed: ['seed'], run: ['model'], build: ['seed', 'model'] };

export async function runProject(project: LoadedProject, request: RunRequest): Promise<RunOutcome> {
  const t0 = performance.now();
  const now = request.now ?? (() => new Date());
  const runId = randomUUID();
  const { graph, config, target } = project;
  // A singular test named in --select (as dbt's build allows, and sf retry does) runs as a
  // check; the other terms select nodes.
  const testNames = new Set(project.compiled.tests.map((t) => t.node.name));
  const nodeTerms = request.select?.filter((s) => !testNames.has(s));
  const onlyTests = request.select?.length && nodeTerms?.length === 0;
  const selected = new Set(onlyTests ? [] :
    [...selectNodes(graph, { ...request, select: nodeTerms, exclude: request.exclude?.filter((s) => !testNames.has(s)) })]
      .filter((n) => KINDS[request.command].includes(graph.node(n).kind)),
  );
  const compiledPaths = writeCompiled(project);
  writeManifest(project, compiledPaths, now());

  // As in dbt, `seed` loads seeds without testing them; build tests seeds and models, run models.
  const allTests = request.command === 'seed' ? new Map<string, ModelTest[]>() : testsByNode(project, selected, request.warnError);
  // A test reading a node built after its own runs once both are (splitLateTests).
  const { tests, checks: late } = splitLateTests(project, allTests);
  // Sources and singular tests are checked in a build (as dbt's build runs tests; sf adds freshness).
  const checks = [...(request.command === 'build' ? buildChecks(project, selected, selectTests(project, request).singular, now(), request.warnError) : []), ...late];
  const seeds = [...selected].flatMap((name) => {
    const node = graph.node(name);
    return node.kind === 'seed' ? [node.seed.node] : [];
  });
  const seedTables = await inspectSeeds(config.projectDir, seeds);

  request.onValid?.();
  const lockTimeoutMs = (request.lockTimeoutSeconds ?? target.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_S) * 1000;
  const holder = { pid: process.pid, host: hostname(), runId, startedAt: now().toISOString() };
  const adapter = await openAdapter(target, config.projectDir, process.env, { lockTimeoutMs, holder, onWait: request.onNotice });
  try {
    const schemas = new Set<string>([SF_SCHEMA]);
    const ledgerKeys: string[] = [];
    for (const name of selected) {
      const node = graph.node(name);
      schemas.add(node.kind === 'seed' ? node.seed.relation.schema : node.model.relation.schema);
      if (node.kind === 'model' && node.model.settings.materialized === 'incremental') ledgerKeys.push(ledgerKey(node.model.relation));
    }
    const planRequest: BatchRequest = {
      fullRefresh: request.fullRefresh ?? false,
      range: request.range,
      missing: request.missing ?? false,
      retry: request.retry,
      now: now().toISOString().slice(0, 19).replace('T', ' '),
    };
    /**
     * Plans `nodes` from the warehouse as it is now: its relations and partition ledger. With
     * `answers`, models render with `execute` true, asking the warehouse what they need.
     */
    // A connection lost while reading is retried as a unit's statements are, then said in one line.
    const planFor = (nodes: ReadonlySet<string>, schemaList: readonly string[], ledgerKeys: readonly string[], asking?: { name: string; path: string }) => readRetrying(adapter, target.retries, async () => {
      const state = await adapter.introspect(schemaList);
      const ledger = ledgerKeys.length ? await readLedger(adapter, state, ledgerKeys) : new Map();
      const make = (answers?: WarehouseAnswers) => buildPlan({
        graph, selected: nodes, dialect: adapter.dialect, state, projectDir: config.projectDir,
        seedTables, compiledPaths,
        render: answers ? (name, ctx) => project.compiled.render(name, ctx, answers) : project.compiled.render,
        modelSql: answers ? (name) => project.compiled.render(name, STATIC_CONTEXT, answers) : undefined,
        ledger,
        request: planRequest,
        tests,
        checks: nodes === selected ? checks : [],
      });
      return asking ? withWarehouseAnswers(adapter, asking, make) : make();
    });
    const plan = await planFor(selected, [...schemas], ledgerKeys);
    const built = [...new Set(plan.steps.filter((s) => !s.readOnly).map((s) => s.relation.schema))].sort();
    request.onPlan?.(plan, runId);
    writeManifest(project, compiledPaths, now(), plan);
    const threads = request.threads ?? target.threads ?? DEFAULT_THREADS;
    const ran = await runPlan(plan, adapter, {
      threads, onEvent: request.onEvent, now, runId, holder, lockTimeoutMs, retries: target.retries, stop: request.stop, failFast: request.failFast,
      // As dbt: the schemas are created, then on-run-start runs; failing, nothing is built.
      afterSetup: async () => {
        const started = await runProjectHooks(adapter, project, 'start', { schemas: built });
        if (started) request.onNotice?.(`Ran ${started} on-run-start hook${started === 1 ? '' : 's'}.`);
      },
      // Once a step holds its model's lock, plan it again from what the warehouse holds now.
      // A model that asks the warehouse while it renders is rendered now, its parents built.
      replan: async (step) => {
        const node = graph.has(step.name) ? graph.node(step.name) : undefined;
        const asking = node?.kind === 'model' && node.model.asksWarehouse ? { name: step.name, path: node.model.node.path } : undefined;
        const again = await planFor(new Set([step.name]), [step.relation.schema, SF_SCHEMA], step.ledger ? [ledgerKey(step.relation)] : [], asking);
        const planned = again.steps[0]!;
        if (asking && planned.compiledSql !== undefined) writeCompiledSql(project, step.name, planned.compiledSql);
        return { ...planned, dependsOn: step.dependsOn };
      },
    });
    const results = await readRetrying(adapter, target.retries, () => explainUnbuilt(adapter, project, ran));
    await readRetrying(adapter, target.retries, () => keepBuildFailures(adapter, project, tests, results.filter((r) => r.status === 'success').map((r) => r.name)));
    const elapsedSeconds = (performance.now() - t0) / 1000;
    writeRunResults(project, request.command, results, elapsedSeconds, now(), { runId, args: request.args });
    const ended = await runProjectHooks(adapter, project, 'end', { schemas: built, results });
    if (ended) request.onNotice?.(`Ran ${ended} on-run-end hook${ended === 1 ? '' : 's'}.`);
    return { plan, results, elapsedSeconds, runId };
  } catch (err) {
    // A connection lost outside a unit, past its retries: one line, not a crash.
    if (isUserError(err) || !adapter.describeError(err).retryable) throw err;
    throw new UserError('QUERY_FAILED', adapter.describeError(err).message.split('\n')[0]!, { cause: err });
  } finally {
    await adapter.close();
  }
}

/** Reads of the warehouse outside a unit (planning, reporting): retried on a lost connection, then a user error. */
async function readRetrying<T>(adapter: Adapter, retries: number | undefined, read: () => Promise<T> | T): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (isUserError(err)) throw err;
      const info = adapter.describeError(err);
      if (!info.retryable) throw err;
      if (attempt <= (retries ?? 3)) {
        await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
        continue;
      }
      throw new UserError('QUERY_FAILED', `reading the warehouse failed ${attempt} times: ${info.message.split('\n')[0]}`, { cause: err });
    }
  }
}
