// Renders that ask the warehouse (compiler/warehouse.ts): render, answer the question it stopped
// at, render again with every answer so far, until it completes. The queries run on the
// target outside any build transaction, after the model's parents are built.
import { sql } from 'kysely';
import type { Adapter } from '../adapters/types.js';
import { NeedsWarehouse, questionKey, type QueryAnswer, type WarehouseAnswers, type WarehouseQuestion } from '../compiler/warehouse.js';
import { openAdapter } from '../adapters/registry.js';
import { STATIC_CONTEXT } from '../compiler/types.js';
import { isUserError, UserError, UserErrors } from '../util/errors.js';
import type { LoadedProject } from './project.js';

/** More questions than any real template asks: a render that keeps asking is looping. */
const MAX_QUESTIONS = 500;

export async function withWarehouseAnswers<T>(adapter: Adapter, model: { name: string; path: string }, attempt: (answers: WarehouseAnswers) => T): Promise<T> {
  const answers: WarehouseAnswers = new Map();
  for (;;) {
    try {
      return attempt(answers);
    } catch (err) {
      if (!(err instanceof NeedsWarehouse)) throw err;
      if (answers.size >= MAX_QUESTIONS) {
        throw new UserError('MODEL_SQL', `model '${model.name}' asked the warehouse ${MAX_QUESTIONS} different questions while rendering; it looks like a loop`, { location: { file: model.path } });
      }
      answers.set(questionKey(err.question), await answer(adapter, err.question, model, err.what));
    }
  }
}

async function answer(adapter: Adapter, q: WarehouseQuestion, model: { name: string; path: string }, what: string): Promise<QueryAnswer | Awaited<ReturnType<Adapter['describeColumns']>>> {
  if (q.kind === 'columns') return adapter.describeColumns(adapter.db, { schema: q.schema, name: q.name });
  try {
    const result = await sql.raw<Record<string, unknown>>(q.sql).execute(adapter.db);
    const columns = Object.keys(result.rows[0] ?? {});
    return { columns, rows: result.rows.map((r) => columns.map((c) => plain(r[c]))) };
  } catch (err) {
    throw new UserError('QUERY_FAILED', `model '${model.name}': the query its ${what} runs while rendering failed: ${adapter.describeError(err).message.split('\n')[0]}`, {
      location: { file: model.path },
      hint: `the query: ${q.sql.replace(/\s+/g, ' ').slice(0, 200)}; what it reads must exist first (build the model's parents: sf build --select +${model.name})`,
    });
  }
}

/** Numbers as templates compare and add them (a bigint count is a number, as in Python). */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
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
        errors.push(...(err instanceof UserErrors ? err.errors : [err]));
      }
    }
  } finally {
    if (!adapter) await own.close();
  }
  UserErrors.throwIfAny(errors);
  return rendered;
}
