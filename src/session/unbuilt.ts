// Which of the models and seeds a query reads are not in the warehouse yet, so sf can say
// "build it first" rather than pass on the engine's guess ("Table with name x does not exist!
// Did you mean ...?").
import { relationKey, type Adapter, type Relation } from '../adapters/types.js';
import type { StepResult } from '../runner/events.js';
import type { LoadedProject } from './project.js';

export interface Unbuilt {
  readonly name: string;
  readonly kind: 'model' | 'seed';
  readonly relation: Relation;
}

/** The relations `refs` read (through ephemeral models too) that do not exist in the target. */
export async function unbuiltInputs(adapter: Adapter, project: LoadedProject, refs: readonly string[]): Promise<Unbuilt[]> {
  const inputs = new Map<string, Unbuilt>();
  const visit = (name: string) => {
    const model = project.compiled.models.find((m) => m.node.name === name);
    if (model?.settings.materialized === 'ephemeral') {
      for (const r of model.refs) visit(r);
      return;
    }
    const seed = project.compiled.seeds.find((s) => s.node.name === name);
    if (model) inputs.set(name, { name, kind: 'model', relation: model.relation });
    else if (seed) inputs.set(name, { name, kind: 'seed', relation: seed.relation });
  };
  for (const r of refs) visit(r);
  if (inputs.size === 0) return [];
  const state = await adapter.introspect([...new Set([...inputs.values()].map((i) => i.relation.schema))]);
  return [...inputs.values()].filter((i) => !state.has(relationKey(i.relation)));
}

/** `reads main.a (model 'a'), which is not built yet`: the hint says how to build it first. */
export function describeUnbuilt(adapter: Adapter, missing: readonly Unbuilt[]): string {
  const list = missing.map((m) => `${adapter.dialect.displayRelation(m.relation)} (${m.kind} '${m.name}')`);
  return `reads ${list.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not built yet`;
}

/**
 * Failed models whose inputs are not built (a `sf run --select b` before `a` exists): the
 * engine's message is replaced by which input is missing and how to build it first.
 */
export async function explainUnbuilt(adapter: Adapter, project: LoadedProject, results: readonly StepResult[]): Promise<StepResult[]> {
  return Promise.all(results.map(async (r) => {
    if (r.status !== 'error' || !['view', 'table', 'incremental'].includes(r.kind)) return r;
    const model = project.compiled.models.find((m) => m.node.name === r.name);
    const missing = model ? await unbuiltInputs(adapter, project, model.refs).catch(() => []) : [];
    if (missing.length === 0) return r;
    return { ...r, message: `${describeUnbuilt(adapter, missing)}: build ${missing.length === 1 ? 'it' : 'them'} first with \`sf build --select +${r.name}\`` };
  }));
}
