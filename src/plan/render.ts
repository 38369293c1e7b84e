// The plan as readable SQL text: for golden tests and review. A deferred action (statements
// that depend on what the transaction finds) is rendered with the facts `factsFor` gives it,
// or as a comment naming what it would read.
import type { Deferred, DeferredFacts, StepAction } from '../adapters/types.js';
import type { ExecutionPlan, PlanStep, PlanUnit } from './types.js';

export type FactsFor = (step: PlanStep, unit: PlanUnit, deferred: Deferred) => DeferredFacts | undefined;

export function renderPlan(plan: ExecutionPlan, factsFor?: FactsFor): string {
  const out: string[] = [];
  if (plan.setup.length) out.push('-- setup', ...plan.setup.map((s) => `${s.sql};`), '');
  for (const step of plan.steps) {
    const deps = step.dependsOn.length ? ` (after ${step.dependsOn.join(', ')})` : '';
    const how = step.how ? ` [${step.how}]` : '';
    out.push(`-- ${step.kind} ${step.relation.schema}.${step.relation.name}${how}${deps}`);
    for (const unit of [...(step.prepare ? [step.prepare] : []), ...step.units]) {
      if (unit.label) out.push(`-- unit ${unit.label}`);
      out.push('begin;');
      for (const action of unit.actions) renderAction(out, action, (d) => factsFor?.(step, unit, d));
      out.push('commit;', '');
    }
  }
  return out.join('\n');
}

function renderAction(out: string[], action: StepAction, facts: (d: Deferred) => DeferredFacts | undefined): void {
  if (!('kind' in action)) {
    out.push(`${action.sql};`);
    return;
  }
  if (action.kind === 'note' || action.kind === 'fail') {
    out.push(`-- ${action.kind}: ${action.message}`);
    return;
  }
  if (action.kind === 'test-result') {
    out.push(`-- test ${action.name}: ${action.status} (${action.failures} failing)`);
    return;
  }
  if (action.kind === 'csv-load') {
    const cols = action.columns.map((c) => `${c.name} ${c.type}`).join(', ');
    out.push(`-- load csv ${action.path.split('/').slice(-2).join('/')} into ${action.relation.schema}.${action.relation.name} (${cols})`);
    return;
  }
  if (action.kind === 'rendered') {
    out.push('-- then, a data test rendered in the transaction, asking the warehouse what its template reads');
    return;
  }
  const given = facts(action);
  if (!given) {
    out.push(`-- then, from the columns of ${action.describe.map((r) => `${r.schema}.${r.name}`).join(', ')}${action.queries?.length ? ' and the staged partitions' : ''}:`);
    return;
  }
  for (const next of action.build(given)) renderAction(out, next, facts);
}
