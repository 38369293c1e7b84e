// One list of outcomes per command, for JUnit XML and GitHub Actions: a case per node built
// or checked, and a case per data test (per batch, for batched models) with its failures,
// quarantined rows and the file and line that declared it.
import type { JunitCase } from '../artifacts/junit.js';
import { splitSourceKey } from '../config/sources.js';
import { stepNode } from '../plan/types.js';
import type { TestOutcome } from '../adapters/types.js';
import type { StepResult } from '../runner/events.js';
import type { LoadedProject } from '../session/project.js';
import type { FreshnessResult } from '../session/freshness.js';
import type { TestResult } from '../session/test.js';

export interface Outcome extends JunitCase {
  readonly kind: 'node' | 'test';
  /** A test's node (its name, as node outcomes name it). */
  readonly on?: string | undefined;
  readonly failures?: number | undefined;
  readonly quarantined?: number | undefined;
}

export function runOutcomes(project: LoadedProject, results: readonly StepResult[]): Outcome[] {
  const out: Outcome[] = [];
  for (const r of results) {
    const { name } = stepNode(r.name);
    const where = declaredAt(project, r);
    // A singular test's step is its test: one case, with the step's time.
    if (r.kind === 'test' && r.tests?.length === 1) {
      out.push({ ...testOutcome(project, r.tests[0]!, name, undefined), seconds: r.seconds, ...where });
      continue;
    }
    out.push({
      kind: 'node', classname: `${r.kind}.${project.config.name}.${name}`, name, seconds: r.seconds, ...where,
      status: r.status === 'success' ? (r.warnings?.length ? 'warn' : 'pass') : r.status === 'skipped' ? 'skipped' : 'fail',
      message: r.status === 'success' ? r.warnings?.join('\n') : r.message,
    });
    const batches = r.batches?.filter((b) => b.tests) ?? [];
    const perBatch = batches.length ? batches.flatMap((b) => b.tests!.map((t) => [t, b.label] as const)) : (r.tests ?? []).map((t) => [t, undefined] as const);
    for (const [t, label] of perBatch) out.push(testOutcome(project, t, name, label));
  }
  return out;
}

function testOutcome(project: LoadedProject, t: TestOutcome, on: string, batch: string | undefined): Outcome {
  return {
    kind: 'test', on, classname: `test.${project.config.name}.${on}`, name: batch ? `${t.name} [${batch}]` : t.name, seconds: 0,
    status: t.status, failures: t.failures, quarantined: t.quarantined, message: t.message, file: t.file, line: t.line,
  };
}

export function testOutcomes(project: LoadedProject, results: readonly TestResult[]): Outcome[] {
  return results.map((r) => ({
    kind: 'test', on: r.on, classname: `test.${project.config.name}.${r.on}`, name: r.name, seconds: r.seconds, file: r.file, line: r.line,
    status: r.status === 'error' ? 'fail' : r.status, failures: r.failures,
    message: r.message === undefined ? undefined : `${r.message}${r.status === 'fail' || r.status === 'warn' ? ` (${r.failures} failing rows)` : ''}`,
  }));
}

export function freshnessOutcomes(project: LoadedProject, results: readonly FreshnessResult[]): Outcome[] {
  return results.map((r) => ({
    kind: 'node', classname: `source.${project.config.name}.${r.source}`, name: r.source, seconds: r.seconds,
    status: r.status === 'pass' ? 'pass' : r.status === 'warn' ? 'warn' : 'fail', message: `${r.source}: ${r.message}`,
    file: r.file, line: r.line,
  }));
}

/** The file (and line) behind a step: a model's or seed's file, a source's declaration, a singular test's file. */
function declaredAt(project: LoadedProject, r: StepResult): { file?: string; line?: number } {
  const step = stepNode(r.name);
  if (step.check === 'source') {
    const [source, table] = splitSourceKey(step.name);
    const detail = project.config.sources[source]?.details[table];
    return detail ? { file: detail.file, ...(detail.line ? { line: detail.line } : {}) } : {};
  }
  if (step.check === 'test') {
    const test = project.compiled.tests.find((t) => t.node.name === step.name);
    return test ? { file: test.node.path } : {};
  }
  if (!project.graph.has(r.name)) return {};
  const node = project.graph.node(r.name);
  return { file: node.kind === 'seed' ? node.seed.node.path : node.model.node.path };
}

/** A node that failed or warned because of its data tests: their outcomes say it better. */
export function explainedByItsTests(o: Outcome, outcomes: readonly Outcome[]): boolean {
  return o.kind === 'node' && (o.status === 'fail' || o.status === 'warn')
    && outcomes.some((t) => t.kind === 'test' && t.on === o.name && (t.status === o.status || (o.status === 'warn' && (t.quarantined ?? 0) > 0)));
}
