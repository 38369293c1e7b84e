// The plan as readable SQL text: for golden tests and `sf build --dry-run`-style review.
import type { ExecutionPlan } from './types.js';

export function renderPlan(plan: ExecutionPlan): string {
  const out: string[] = [];
  if (plan.setup.length) out.push('-- setup', ...plan.setup.map((s) => `${s.sql};`), '');
  for (const step of plan.steps) {
    const deps = step.dependsOn.length ? ` (after ${step.dependsOn.join(', ')})` : '';
    out.push(`-- ${step.kind} ${step.relation.schema}.${step.relation.name}${deps}`, 'begin;');
    for (const action of step.actions) {
      if ('kind' in action) {
        const cols = action.columns.map((c) => `${c.name} ${c.type}`).join(', ');
        out.push(`-- load csv ${action.path.split('/').slice(-2).join('/')} into ${action.relation.schema}.${action.relation.name} (${cols})`);
      } else {
        out.push(`${action.sql};`);
      }
    }
    out.push('commit;', '');
  }
  return out.join('\n');
}
