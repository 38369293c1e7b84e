// Runs a plan's steps in dependency order, independent ones in parallel up to `threads`
// (capped by the engine). A failed step skips its descendants; unrelated steps go on.
// Steps are idempotent, so a retryable engine error (a write conflict) is retried with backoff.
import { sql } from 'kysely';
import type { Adapter } from '../adapters/types.js';
import type { ExecutionPlan, PlanStep } from '../plan/types.js';
import type { RunEvent, StepResult } from './events.js';
import { executeStep } from './execute-step.js';

export interface RunOptions {
  readonly threads: number;
  readonly onEvent?: (event: RunEvent) => void;
  readonly maxAttempts?: number;
  readonly now?: () => Date;
}

export async function runPlan(plan: ExecutionPlan, adapter: Adapter, options: RunOptions): Promise<StepResult[]> {
  for (const statement of plan.setup) await sql.raw(statement.sql).execute(adapter.db);
  const limit = Math.max(1, Math.min(options.threads, adapter.dialect.capabilities.maxConcurrency));
  const emit = options.onEvent ?? (() => {});
  const now = options.now ?? (() => new Date());
  const total = plan.steps.length;
  const results = new Map<string, StepResult>();
  const pending = [...plan.steps];
  const running = new Map<string, Promise<void>>();
  let started = 0;

  const skip = (step: PlanStep, failedParent: string) => {
    const index = ++started;
    const result: StepResult = {
      name: step.name, kind: step.kind, relation: display(step), status: 'skipped', startedAt: now().toISOString(),
      seconds: 0, message: `skipped: upstream '${failedParent}' did not succeed`, attempts: 0,
    };
    results.set(step.name, result);
    emit({ type: 'finish', index, total, step, result });
  };

  const launch = (step: PlanStep) => {
    const index = ++started;
    emit({ type: 'start', index, total, step });
    const task = runWithRetry(step, adapter, options.maxAttempts ?? 3, emit, now).then((result) => {
      results.set(step.name, result);
      running.delete(step.name);
      emit({ type: 'finish', index, total, step, result });
    });
    running.set(step.name, task);
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
      const ready = step.dependsOn.every((d) => results.get(d)?.status === 'success');
      if (ready && running.size < limit) {
        pending.splice(i, 1);
        launch(step);
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

async function runWithRetry(
  step: PlanStep,
  adapter: Adapter,
  maxAttempts: number,
  emit: (e: RunEvent) => void,
  now: () => Date,
): Promise<StepResult> {
  const startedAt = now();
  const base = { name: step.name, kind: step.kind, relation: display(step), startedAt: startedAt.toISOString(), compiledPath: step.compiledPath };
  const t0 = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const rows = await executeStep(adapter, step);
      return { ...base, status: 'success', rows, seconds: (performance.now() - t0) / 1000, attempts: attempt };
    } catch (err) {
      const info = adapter.describeError(err);
      if (info.retryable && attempt < maxAttempts) {
        emit({ type: 'retry', step, attempt, message: info.message });
        await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));
        continue;
      }
      return { ...base, status: 'error', seconds: (performance.now() - t0) / 1000, message: info.message, attempts: attempt };
    }
  }
}

function display(step: PlanStep): string {
  return `${step.relation.schema}.${step.relation.name}`;
}
