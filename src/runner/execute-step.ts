// One step = one transaction: every statement and load lands, or none does.
import { sql } from 'kysely';
import type { Adapter } from '../adapters/types.js';
import type { PlanStep } from '../plan/types.js';

/** Runs the step's actions in a transaction; returns the rows it reports (or undefined). */
export async function executeStep(adapter: Adapter, step: PlanStep): Promise<number | undefined> {
  return adapter.db.transaction().execute(async (trx) => {
    let rows: number | undefined;
    for (const action of step.actions) {
      if ('kind' in action) {
        rows = await adapter.loadCsv(trx, action);
        continue;
      }
      const result = await sql.raw<Record<string, unknown>>(action.sql).execute(trx);
      if (action.rows === 'affected') rows = Number(result.numAffectedRows ?? 0n);
      if (action.rows === 'scalar') rows = Number(Object.values(result.rows[0] ?? {})[0] ?? 0);
    }
    return rows;
  });
}
