// Ctrl-C (SIGINT) or SIGTERM during build, run or seed. Every write is a transaction, so
// stopping the process rolls back whatever is in flight (the engines guarantee it; the crash
// suite proves it under SIGKILL). What this adds is the account: a line naming what was
// interrupted and that it was left as it was, run_results.json with the interrupted nodes
// marked (so `sf retry` picks them up), and exit 130 / 143. A second signal exits at once.
import { writeRunResults, type RunArgs } from '../artifacts/write.js';
import type { ExecutionPlan, PlanStep } from '../plan/types.js';
import type { RunEvent, StepResult } from '../runner/events.js';
import { interruptRunningQueries } from '../runner/interrupts.js';
import type { LoadedProject } from '../session/project.js';
import type { Printer } from './printer.js';

export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export interface RunWatch {
  /** Feed every run event. */
  readonly onEvent: (event: RunEvent) => void;
  readonly onPlan: (plan: ExecutionPlan) => void;
  /** The results to record: finished, interrupted (running when the signal came), not started. */
  resultsNow(signal: string, interrupted: readonly string[]): StepResult[];
  /** Names of the steps running now. */
  inFlight(): string[];
  /** `main.fact_sales` for a step name. */
  labelOf(name: string): string;
}

export function watchRun(now: () => Date = () => new Date()): RunWatch {
  let plan: ExecutionPlan | undefined;
  const finished = new Map<string, StepResult>();
  const running = new Map<string, PlanStep>();
  const started = new Map<string, string>();
  const shown = new Map<string, string>();
  const label = (step: PlanStep) => shown.get(step.name) ?? `${step.relation.schema}.${step.relation.name}`;
  return {
    onPlan: (p) => { plan = p; },
    onEvent: (event) => {
      if (event.type === 'start') {
        shown.set(event.step.name, event.relation);
        running.set(event.step.name, event.step);
        started.set(event.step.name, now().toISOString());
      } else if (event.type === 'finish') {
        running.delete(event.step.name);
        finished.set(event.step.name, event.result);
      }
    },
    inFlight: () => [...running.keys()],
    labelOf: (name) => {
      const step = plan?.steps.find((s) => s.name === name);
      return step ? label(step) : name;
    },
    resultsNow: (signal, interrupted) => (plan?.steps ?? []).map((step): StepResult => {
      const done = finished.get(step.name);
      if (done && !interrupted.includes(step.name) && !done.message?.startsWith('not started')) return done;
      const base = { name: step.name, kind: step.kind, relation: label(step), seconds: 0, attempts: 0, compiledPath: step.compiledPath };
      return interrupted.includes(step.name)
        ? { ...base, status: 'error', startedAt: started.get(step.name)!, message: `interrupted by ${signal}: its transaction rolled back; the table is as it was` }
        : { ...base, status: 'skipped', startedAt: now().toISOString(), message: `not started: the run was interrupted by ${signal}` };
    }),
  };
}

/** Installs the handlers; returns their removal. `stop` runs once, on the first signal. */
export function onSignals(stop: (signal: keyof typeof SIGNAL_EXIT) => void | Promise<void>): () => void {
  let stopping = false;
  const handler = (signal: keyof typeof SIGNAL_EXIT) => {
    if (stopping) process.exit(SIGNAL_EXIT[signal]); // the second one: at once
    stopping = true;
    void stop(signal);
  };
  const int = () => handler('SIGINT');
  const term = () => handler('SIGTERM');
  process.on('SIGINT', int);
  process.on('SIGTERM', term);
  return () => {
    process.off('SIGINT', int);
    process.off('SIGTERM', term);
  };
}

/**
 * For the real CLI process (`owns`): on the first signal, stop what runs, write the run's
 * account (run_results.json, one line on stderr) and exit 130 / 143.
 */
export function accountForInterrupts(owns: boolean, p: Printer, project: LoadedProject, command: string, args: RunArgs) {
  const watch = watchRun();
  const t0 = performance.now();
  let runId = '';
  let stopping = false;
  const remove = owns ? onSignals(async (signal) => {
    stopping = true;
    const inFlight = watch.inFlight();
    // Stop what runs; the run's own account is replaced by this one, written last.
    await interruptRunningQueries();
    const results = watch.resultsNow(signal, inFlight);
    if (results.length) writeRunResults(project, command, results, (performance.now() - t0) / 1000, new Date(), { runId, args });
    const done = results.filter((r) => r.status === 'success').length;
    const names = inFlight.map((n) => watch.labelOf(n));
    p.err(`\nInterrupted by ${signal}: ${names.length ? `${names.join(', ')} stopped mid-write; their transactions roll back and they keep their previous state` : 'nothing was being written'}. `
      + `${done} of ${results.length} nodes had finished${results.length ? ' (target/run_results.json; sf retry runs the rest)' : ''}.`);
    process.exit(SIGNAL_EXIT[signal]);
  }) : () => {};
  return {
    watch,
    remove,
    stopping: () => stopping,
    onPlan: (plan: ExecutionPlan, id: string) => { watch.onPlan(plan); runId = id; },
  };
}
