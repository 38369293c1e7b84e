// Renders that ask the warehouse (compiler/warehouse.ts): render, answer the question it
// stopped at, render again with every answer so far, until it completes. `db` is where the
// questions are asked: the pool (a model's step, sf compile) or a unit's transaction (a data
// test that reads the rows being written).
import { sql, type Kysely } from 'kysely';
import type { Adapter, ColumnInfo } from '../adapters/types.js';
import { NeedsWarehouse, questionKey, type QueryAnswer, type WarehouseAnswers, type WarehouseQuestion } from '../compiler/warehouse.js';

/** More questions than any real template asks: a render that keeps asking is looping. */
const MAX_QUESTIONS = 500;

export async function renderWithAnswers<T>(adapter: Adapter, db: Kysely<any>, attempt: (answers: WarehouseAnswers) => T, askAs = (q: WarehouseQuestion) => q): Promise<T> {
  const answers: WarehouseAnswers = new Map();
  for (;;) {
    try {
      return attempt(answers);
    } catch (err) {
      if (!(err instanceof NeedsWarehouse)) throw err;
      if (answers.size >= MAX_QUESTIONS) throw new Error(`a template asked the warehouse ${MAX_QUESTIONS} different questions while rendering; it looks like a loop`);
      answers.set(questionKey(err.question), await answerQuestion(adapter, db, askAs(err.question)).catch((cause: unknown) => {
        throw new WarehouseQuestionFailed(err.what, err.question, adapter.describeError(cause).message.split('\n')[0] ?? '', { cause });
      }));
    }
  }
}

/** A query a template ran while rendering failed in the engine. */
export class WarehouseQuestionFailed extends Error {
  override readonly name = 'WarehouseQuestionFailed';
  constructor(readonly what: string, readonly question: WarehouseQuestion, readonly engineMessage: string, options?: ErrorOptions) {
    super(`the query its ${what} runs while rendering failed: ${engineMessage}`, options);
  }
}

async function answerQuestion(adapter: Adapter, db: Kysely<any>, q: WarehouseQuestion): Promise<QueryAnswer | ColumnInfo[]> {
  if (q.kind === 'columns') return adapter.describeColumns(db, { schema: q.schema, name: q.name });
  const result = await sql.raw<Record<string, unknown>>(q.sql).execute(db);
  const columns = result.rows.length ? Object.keys(result.rows[0]!) : await columnsOfEmpty(db, q.sql);
  return { columns, rows: result.rows.map((r) => columns.map((c) => plain(r[c]))) };
}

/** The column names of a select, whether or not it has rows. */
export async function columnsOfQuery(db: Kysely<any>, query: string): Promise<string[]> {
  const first = await sql.raw<Record<string, unknown>>(`select * from (${query}) as sf_q limit 1`).execute(db);
  return first.rows.length ? Object.keys(first.rows[0]!) : columnsOfEmpty(db, query);
}

/**
 * The column names of a query that returned no rows (the drivers give them only with rows):
 * its columns on one row of nulls, from a left join onto a single row. Only for a select.
 */
async function columnsOfEmpty(db: Kysely<any>, query: string): Promise<string[]> {
  const body = query.trim().replace(/;\s*$/, '');
  if (!/^(\(\s*)*(select|with)\b/i.test(body.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*\s*/, ''))) return [];
  const probe = await sql.raw<Record<string, unknown>>(`select sf_probe.* from (select 1 as sf_one) as sf_row left join (${body}\n) as sf_probe on 1 = 1`).execute(db).catch(() => undefined);
  return Object.keys(probe?.rows[0] ?? {});
}

/** Numbers as templates compare and add them (a bigint count is a number, as in Python). */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}
