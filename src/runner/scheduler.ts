// Runs a plan's steps in dependency order. Units (one transaction each: a table build, one
// batch) run in parallel up to `threads`, capped by the engine and by each step's concurrency.
// A failed step skips its descendants; unrelated steps go on; a failed batch does not stop the
// other batches of its step.
//
// Each step holds its model's lock (adapter.acquireLock) while it writes, so two sf processes
// never interleave on one model. Units are idempotent, so one that fails on a transient engine
// error (a write conflict, a dropped connection, SQLITE_BUSY) is run again after a backoff with
// jitter, up to `retries` times.
import { hostname } from 'node:os';
import { sql } from 'kysely';
import { LockTimeout, ModelError, NOTHING_TO_REFRESH, relationKey, type Adapter, type HeldLock, type LockHolder, type UnitContext } from '../adapters/types.js';
import { ledgerMarkFailed } from '../plan/ledger.js';
import { stepNode, type ExecutionPlan, type PlanStep, type PlanUnit } from '../plan/types.js';
import type { BatchResult, RunEvent, StepResult } from './events.js';
import { AmbiguousCommit, executeUnit } from './execute-unit.js';
import { isUserError, UserError } from '../util/errors.js';
import { Semaphore } from './semaphore.js';
import { cancelRunningQueries } from './interrupts.js';
import { pointAtCompiled, statementOfError } from './sql-lines.js';

export interface RunOptions {
  readonly threads: number;
  readonly onEvent?: (event: RunEvent) => void;
  /** Retries of a unit after a transient error (default 3). */
  readonly retries?: number;
  readonly now?: () => Date;
  readonly runId?: string;
  /** How long a step waits for another process holding its model (default 60 s). */
  readonly lockTimeoutMs?: number;
  /** First backoff delay; doubles each retry, with jitter (default 200 ms). */
  readonly backoffMs?: number;
  /**
   * Plans a step again from the warehouse as it is once the step holds its lock: another
   * process may have written the model since the plan was made (created its table, built
   * partitions).
   */
  readonly replan?: (step: PlanStep) => Promise<PlanStep>;
  /** Once the schemas exist, before any step starts (dbt's on-run-start hooks). */
  readonly afterSetup?: () => Promise<void>;
  /** This process, as others waiting for its locks see it (default: made here). */
  readonly holder?: LockHolder;
  /** True once the run is being interrupted: no further step starts. */
  readonly stop?: () => boolean;
  /**
   * Stop after the first failure (--fail-fast): nothing more starts, and what is running is
   * cancelled and rolled back (reported as skipped).
   */
  readonly failFast?: boolean;
}

/** Checks write no model: nothing to lock. */
const NO_LOCK: HeldLock = { release: NOTHING_TO_REFRESH, refresh: NOTHING_TO_REFRESH };

export async function runPlan(plan: ExecutionPlan, adapter: Adapter, options: RunOptions): Promise<StepResult[]> {
  const limit = Math.max(1, Math.min(options.threads, adapter.dialect.capabilities.maxConcurrency));
  const slots = new Semaphore(limit);
  const emit = options.onEvent ?? (() => {});
  const now = options.now ?? (() => new Date());
  const runId = options.runId ?? now().toISOString();
  const holder: LockHolder = options.holder ?? { pid: process.pid, host: hostname(), runId, startedAt: now().toISOString() };
  const total = plan.steps.length;
  await setUp(plan, adapter, options);
  await options.afterSetup?.();
  const results = new Map<string, StepResult>();
  const pending = [...plan.steps];
  const running = new Map<string, Promise<void>>();
  let started = 0;
  const display = (step: PlanStep) => adapter.dialect.displayRelation(step.relation);
  /** The step whose failure stopped the run (--fail-fast). */
  let haltedBy: string | undefined;
  const halt = (step: PlanStep) => {
    if (!options.failFast || haltedBy) return;
    haltedBy = step.name;
    void cancelRunningQueries();
  };
  const haltNote = () => `--fail-fast stopped the run after '${stepNode(haltedBy!).name}' failed`;

  const skip = (step: PlanStep, failedParent: string, why = `skipped: upstream '${failedParent}' did not succeed`) => {
    const index = ++started;
    const result: StepResult = {
      name: step.name, kind: step.kind, relation: display(step), status: 'skipped', startedAt: now().toISOString(),
      seconds: 0, message: why, attempts: 0,
    };
    results.set(step.name, result);
    emit({ type: 'finish', index, total, step, result });
  };

  /** One unit with retries; never throws. */
  const runUnit = async (step: PlanStep, unit: PlanUnit): Promise<BatchResult> => {
    const startedAt = now().toISOString();
    const t0 = performance.now();
    const maxAttempts = (options.retries ?? 3) + 1;
    const label = unit.label ?? step.name;
    for (let attempt = 1; ; attempt++) {
      if (haltedBy) return { label, window: unit.window, status: 'skipped', startedAt, seconds: 0, attempts: attempt - 1, message: `not started: ${haltNote()}` };
      const ctx: UnitContext = { runId, attempt, startedAt, now: () => now().toISOString(), stopped: () => haltedBy !== undefined };
      try {
        const { rows, notes, tests } = await executeUnit(adapter, unit, ctx);
        return {
          label: unit.label ?? step.name, window: unit.window, status: 'success', rows, startedAt, seconds: seconds(t0), attempts: attempt,
          ...(notes.length ? { warnings: notes } : {}),
          ...(tests.length ? { tests } : {}),
        };
      } catch (err) {
        // A commit that did not answer may or may not have landed. Every write but an append
        // replaces what it writes (a table, partitions, keys), so running it again is safe and
        // is what the user would do; an append could land twice, so it stops and says so.
        const described = err instanceof ModelError
          ? { message: err.message, retryable: false }
          : err instanceof AmbiguousCommit
            ? { message: err.message, retryable: !/^append\b/.test(step.how ?? '') }
            : adapter.describeError(err);
        const info = { ...described, message: pointAtCompiled(described.message, statementOfError(err), step.compiledSql) };
        // Stopped by another step's failure: rolled back, not failed on its own.
        if (haltedBy) return { label, window: unit.window, status: 'skipped', startedAt, seconds: seconds(t0), attempts: attempt, message: `${haltNote()}: rolled back, left as it was` };
        if (info.retryable && attempt < maxAttempts) {
          const delayMs = backoff(options.backoffMs ?? 200, attempt);
          emit({ type: 'retry', step, unit, attempt, delayMs, message: info.message });
          await new Promise((r) => setTimeout(r, delayMs));
          continue;
        }
        if (step.ledger && unit.partitions?.length) {
          const marks = ledgerMarkFailed(adapter.dialect, { model: step.ledger.model, target: step.relation, keys: unit.partitions, unit: ctx, error: info.message });
          for (const s of marks) await sql.raw(s.sql).execute(adapter.db).catch(() => {});
        }
        const tests = err instanceof ModelError && err.tests.length ? { tests: err.tests } : {};
        halt(step);
        return { label: unit.label ?? step.name, window: unit.window, status: 'error', startedAt, seconds: seconds(t0), attempts: attempt, message: info.message, ...tests };
      }
    }
  };

  /** Runs a step under its model's lock; returns its result and the step as finally planned. */
  const runStep = async (planned: PlanStep, index: number): Promise<{ step: PlanStep; result: StepResult }> => {
    let step = planned;
    let startedAt = now().toISOString();
    // Reset when a one-unit step gets its thread: its time is its own, not its wait for one.
    let t0 = performance.now();
    const base = () => ({ name: step.name, kind: step.kind, relation: display(step), startedAt, compiledPath: step.compiledPath, how: step.how });
    let lock: HeldLock = NO_LOCK;
    try {
      if (!step.readOnly) {
        const timeoutMs = options.lockTimeoutMs ?? 60_000;
        lock = await adapter.acquireLock(relationKey(step.relation), holder, timeoutMs,
          (who) => emit({ type: 'wait', step, holder: who, timeoutSeconds: timeoutMs / 1000 }));
      }
    } catch (err) {
      // A lock that could not be taken (timeout, or the engine failing) fails this step only.
      emit({ type: 'start', index, total, step, relation: display(step) });
      const message = err instanceof LockTimeout ? err.message : `cannot take the lock on ${relationKey(step.relation)}: ${adapter.describeError(err).message}`;
      halt(step);
      return { step, result: { ...base(), status: 'error', seconds: seconds(t0), attempts: 0, message } };
    }
    try {
      try {
        if (options.replan && !step.readOnly) step = await options.replan(step);
      } catch (err) {
        emit({ type: 'start', index, total, step, relation: display(step) });
        const message = err instanceof UserError ? err.format() : isUserError(err) ? err.message : adapter.describeError(err).message;
        halt(step);
        return { step, result: { ...base(), status: 'error', seconds: seconds(t0), attempts: 0, message } };
      }
      const batches: BatchResult[] = [];
      let rows = 0;
      const report = (r: BatchResult) => {
        batches.push(r);
        void lock.refresh().catch(() => {});
        rows += r.rows ?? 0;
        if (step.batched) emit({ type: 'batch', step, done: batches.length, total: step.units.length + (step.prepare ? 1 : 0), result: r, rows, elapsedSeconds: seconds(t0) });
      };
      if (!step.batched) {
        // The start line is printed when the step gets a thread, not while it waits for one.
        report(await slots.run(() => {
          const unit = step.units[0]!;
          // --fail-fast stopped the run while this step waited: it never starts.
          if (haltedBy) return runUnit(step, unit);
          t0 = performance.now();
          startedAt = now().toISOString();
          emit({ type: 'start', index, total, step, relation: display(step) });
          return runUnit(step, unit);
        }));
      } else {
        emit({ type: 'start', index, total, step, relation: display(step) });
        const prepared = step.prepare ? await slots.run(() => runUnit(step, step.prepare!)) : undefined;
        if (prepared) report(prepared);
        if (prepared && prepared.status !== 'success') {
          for (const unit of step.units) {
            report({ label: unit.label ?? step.name, window: unit.window, status: 'skipped', startedAt: now().toISOString(), seconds: 0, attempts: 0, message: `skipped: '${step.prepare!.label}' failed` });
          }
        } else {
          const perStep = new Semaphore(step.concurrency);
          await Promise.all(step.units.map((unit) => perStep.run(async () => report(await slots.run(() => runUnit(step, unit))))));
        }
      }
      const failed = batches.filter((b) => b.status !== 'success');
      const attempts = Math.max(1, ...batches.map((b) => b.attempts));
      const hasRows = batches.some((b) => b.rows !== undefined);
      const result: StepResult = {
        ...base(),
        // Only skipped (--fail-fast stopped it): skipped; any batch failed: error.
        status: failed.some((b) => b.status === 'error') ? 'error' : failed.length ? 'skipped' : 'success',
        rows: hasRows ? rows : undefined,
        seconds: batches.every((b) => b.attempts === 0) ? 0 : seconds(t0),
        attempts,
        message: failed.length === 0 ? undefined : step.batched
          ? `${failed.length} of ${batches.length} batches failed: ${failed.map((b) => b.label).join(', ')}\n${failed.find((b) => b.status === 'error')?.message ?? failed[0]!.message}`
          : failed[0]!.message,
        batches: step.batched ? orderLike(batches, step) : undefined,
        ...(batches.some((b) => b.warnings) ? { warnings: batches.flatMap((b) => b.warnings ?? []) } : {}),
        ...(batches.some((b) => b.tests) ? { tests: batches.flatMap((b) => b.tests ?? []) } : {}),
      };
      return { step, result };
    } finally {
      await lock.release().catch(() => {});
    }
  };

  while (pending.length || running.size) {
    for (let i = 0; i < pending.length; ) {
      const step = pending[i]!;
      const failed = step.dependsOn.find((d) => results.has(d) && results.get(d)!.status !== 'success');
      if (failed) {
        pending.splice(i, 1);
        skip(step, failed);
        continue;
      }
      if (options.stop?.() || haltedBy) {
        pending.splice(i, 1);
        skip(step, '', `not started: ${haltedBy ? haltNote() : 'the run was interrupted'}`);
        continue;
      }
      if (step.dependsOn.every((d) => results.get(d)?.status === 'success')) {
        pending.splice(i, 1);
        const index = ++started;
        running.set(step.name, runStep(step, index).then((done) => {
          results.set(step.name, done.result);
          running.delete(step.name);
          emit({ type: 'finish', index, total, step: done.step, result: done.result });
        }));
        continue;
      }
      i++;
    }
    if (running.size) await Promise.race(running.values());
    else if (pending.length) {
      // Only reachable if a step depends on something outside the plan: a bug in planning.
      throw new Error(`steps wait on steps that are not in the plan: ${pending.map((s) => s.name).join(', ')}`);
    }
  }
  return plan.steps.map((s) => results.get(s.name)!);
}

/** The plan's setup statements (schemas, sf's own tables), retried on transient errors too. */
async function setUp(plan: ExecutionPlan, adapter: Adapter, options: RunOptions): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      for (const statement of plan.setup) await sql.raw(statement.sql).execute(adapter.db);
      return;
    } catch (err) {
      const info = adapter.describeError(err);
      if (!info.retryable || attempt > (options.retries ?? 3)) {
        throw new UserError('CONNECTION', `cannot prepare the target for this run: ${info.message}`, {
          hint: `sf needs to create the schemas it builds in${plan.setup.some((s) => s.sql.includes('partitions')) ? ' and its partition ledger' : ''}: grant that, or create them first`,
        });
      }
      await new Promise((r) => setTimeout(r, backoff(options.backoffMs ?? 200, attempt)));
    }
  }
}

/** Exponential backoff with full jitter around the doubling base, capped at 10 s. */
export function backoff(baseMs: number, attempt: number): number {
  const exp = Math.min(10_000, baseMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + Math.random() * exp / 2);
}

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** Batch results in plan order (prepare first), whatever order they finished in. */
function orderLike(batches: readonly BatchResult[], step: PlanStep): BatchResult[] {
  const order = [...(step.prepare ? [step.prepare] : []), ...step.units].map((u) => u.label ?? step.name);
  return [...batches].sort((a, b) => order.indexOf(a.label) - order.indexOf(b.label));
}
