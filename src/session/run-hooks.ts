// dbt_project.yml's on-run-start and on-run-end hooks: SQL templates rendered when a run starts
// or ends (on-run-end sees `results` and `schemas`, as in dbt) and run in one transaction each.
// A failing on-run-start stops the run before anything is built; on-run-end runs whatever the
// run's outcome.
import { sql } from 'kysely';
import type { Adapter } from '../adapters/types.js';
import type { StepResult } from '../runner/events.js';
import { UserError } from '../util/errors.js';
import type { LoadedProject } from './project.js';

export interface RunHookContext {
  /** The schemas the run builds in. */
  readonly schemas: readonly string[];
  /** on-run-end: each node's result, as dbt's `results` reads (status, node.name, message, execution_time). */
  readonly results?: readonly StepResult[] | undefined;
}

/** Runs the hooks; returns how many ran. */
export async function runProjectHooks(adapter: Adapter, project: LoadedProject, which: 'start' | 'end', context: RunHookContext): Promise<number> {
  const texts = (which === 'start' ? project.config.onRunStart : project.config.onRunEnd) ?? [];
  if (!texts.length) return 0;
  const extra = {
    schemas: [...context.schemas],
    database_schemas: context.schemas.map((s) => [null, s]),
    results: (context.results ?? []).map((r) => ({
      status: r.status, message: r.message ?? null, execution_time: r.seconds,
      node: { name: r.name, unique_id: r.name, resource_type: r.kind }, unique_id: r.name,
    })),
  };
  const statements = texts.map((text, i) =>
    project.compiled.renderSnippet(text, { name: `on_run_${which}_${i + 1}`, file: 'dbt_project.yml', what: `on-run-${which} hook ${i + 1}` }, extra).sql)
    .filter((s) => s.trim() !== '');
  try {
    await adapter.db.transaction().execute(async (trx) => {
      for (const statement of statements) await sql.raw(statement).execute(trx);
    });
  } catch (err) {
    throw new UserError('QUERY_FAILED', `an on-run-${which} hook failed: ${adapter.describeError(err).message.split('\n')[0]}`, {
      location: { file: 'dbt_project.yml' },
      hint: which === 'start' ? 'nothing was built: fix the hook (or its grants) and run again' : 'the run itself finished; its results are in target/run_results.json',
    });
  }
  return statements.length;
}
