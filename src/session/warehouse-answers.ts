// Models that ask the warehouse while they render (compiler/warehouse.ts), rendered on the
// target's pool, outside any build transaction, once their parents are built.
import type { Adapter } from '../adapters/types.js';
import type { WarehouseAnswers } from '../compiler/warehouse.js';
import { renderWithAnswers, WarehouseQuestionFailed } from '../runner/answers.js';
import { openAdapter } from '../adapters/registry.js';
import { STATIC_CONTEXT } from '../compiler/types.js';
import { isUserError, userErrorsOf, UserError, UserErrors } from '../util/errors.js';
import type { LoadedProject } from './project.js';

/** A model's render, asking on the pool; a failing query is an error naming the model and what it read. */
export async function withWarehouseAnswers<T>(adapter: Adapter, model: { name: string; path: string }, attempt: (answers: WarehouseAnswers) => T): Promise<T> {
  try {
    return await renderWithAnswers(adapter, adapter.db, attempt);
  } catch (err) {
    if (!(err instanceof WarehouseQuestionFailed)) throw err;
    const query = err.question.kind === 'query' ? err.question.sql : `the columns of ${err.question.schema}.${err.question.name}`;
    throw new UserError('QUERY_FAILED', `model '${model.name}': ${err.message}`, {
      location: { file: model.path },
      hint: `the query: ${query.replace(/\s+/g, ' ').slice(0, 200)}; what it reads must exist first (build the model's parents: sf build --select +${model.name})`,
    });
  }
}

/**
 * `sf compile`, `sf show`: the SQL of models that ask the warehouse while they render, rendered
 * on a connection to the target (their inputs must be built). Errors are collected per model.
 */
export async function renderAskingModels(project: LoadedProject, names: readonly string[], adapter?: Adapter): Promise<Map<string, string>> {
  const asking = project.compiled.models.filter((m) => m.asksWarehouse && names.includes(m.node.name));
  const rendered = new Map<string, string>();
  if (!asking.length) return rendered;
  const own = adapter ?? await openAdapter(project.target, project.config.projectDir);
  const errors: UserError[] = [];
  try {
    for (const m of asking) {
      try {
        rendered.set(m.node.name, await withWarehouseAnswers(own, { name: m.node.name, path: m.node.path }, (answers) => project.compiled.render(m.node.name, STATIC_CONTEXT, answers)));
      } catch (err) {
        if (!isUserError(err)) throw err;
        errors.push(...userErrorsOf(err));
      }
    }
  } finally {
    if (!adapter) await own.close();
  }
  UserErrors.throwIfAny(errors);
  return rendered;
}
