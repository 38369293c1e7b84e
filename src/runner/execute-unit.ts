// One unit = one transaction: every statement, load and deferred action lands, or none does.
import { sql, type Kysely } from 'kysely';
import { ModelError, type Adapter, type StepAction, type TestOutcome, type UnitContext } from '../adapters/types.js';
import type { PlanUnit } from '../plan/types.js';
import { SampleTooNarrow } from '../adapters/seed-types.js';
import { faultPoint } from './faults.js';
import { interruptRequested } from './interrupts.js';
import { rememberStatement } from './sql-lines.js';
import { renderWithAnswers } from './answers.js';

/**
 * The commit itself failed (the connection dropped while committing): the unit may or may not
 * have landed, so it is not run again blindly (an append would add its rows twice).
 */
export class AmbiguousCommit extends Error {
  override readonly name = 'AmbiguousCommit';
}

export interface UnitOutcome {
  /** The rows its writes report, or undefined. */
  readonly rows: number | undefined;
  /** What its actions reported without failing (data test warnings). */
  readonly notes: readonly string[];
  readonly tests: readonly TestOutcome[];
}

interface Collected {
  readonly notes: string[];
  readonly tests: TestOutcome[];
  readonly failures: string[];
}

/**
 * Runs the unit's actions in a transaction. A `fail` action (a check that failed) lets the
 * transaction commit, then fails the unit; a ModelError thrown rolls it back. Either way the
 * error carries the data test outcomes known by then.
 */
export async function executeUnit(adapter: Adapter, unit: PlanUnit, ctx: UnitContext): Promise<UnitOutcome> {
  try {
    return await executeActions(adapter, unit.actions, ctx);
  } catch (err) {
    // Rolled back: load the seed again, typed from every row rather than the first ones.
    if (!(err instanceof SampleTooNarrow) || !unit.reinfer) throw err;
    return executeActions(adapter, await unit.reinfer(), ctx);
  }
}

async function executeActions(adapter: Adapter, actions: readonly StepAction[], ctx: UnitContext): Promise<UnitOutcome> {
  const seen: Collected = { notes: [], tests: [], failures: [] };
  // Rolled back: rows it had moved to quarantine are not there either.
  const undo = (err: unknown) => {
    const undone = seen.tests.map((t) => (t.quarantined ? { ...t, quarantined: 0, message: `${t.failures} failing row${t.failures === 1 ? '' : 's'}, not quarantined: the write rolled back` } : t));
    if (err instanceof ModelError) err.tests = [...undone, ...err.tests];
  };
  // A transaction of our own rather than Kysely's callback form: when the engine has already
  // ended a failed transaction (a full disk fails the commit), the rollback after it fails too,
  // and it must not hide what the engine said.
  const trx = await adapter.db.startTransaction().execute();
  let rows: number | undefined;
  try {
    rows = await runActions(adapter, trx, actions, ctx, seen);
    // Let a pending Ctrl-C be heard (a synchronous engine never yields on its own: two
    // turns of the event loop reach the poll phase that delivers signals), then roll back
    // rather than commit what the user asked to stop.
    for (let turn = 0; turn < 2; turn++) await new Promise((r) => setImmediate(r));
    stopIfInterrupted(ctx);
    faultPoint('before commit');
  } catch (err) {
    await trx.rollback().execute().catch(() => {});
    undo(err);
    throw err;
  }
  try {
    await trx.commit().execute();
  } catch (err) {
    await trx.rollback().execute().catch(() => {});
    undo(err);
    // The engine refused the commit (a full disk): nothing was written, and it says why.
    if (!adapter.describeError(err).retryable) throw err;
    throw new AmbiguousCommit(`the commit did not answer (${adapter.describeError(err).message.split('\n')[0]}): this unit may or may not have been written; check the table (sf ls --partitions for partitions), then run it again`, { cause: err });
  }
  if (seen.failures.length) {
    const failed = new ModelError(seen.failures.join('\n'));
    failed.tests = seen.tests;
    throw failed;
  }
  return { rows, notes: seen.notes, tests: seen.tests };
}

/** Ctrl-C or --fail-fast: the unit rolls back rather than commit what the user asked to stop. */
function stopIfInterrupted(ctx: UnitContext): void {
  if (interruptRequested() || ctx.stopped?.()) throw new ModelError('interrupted: rolled back');
}

async function runActions(adapter: Adapter, trx: Kysely<any>, actions: readonly StepAction[], ctx: UnitContext, seen: Collected): Promise<number | undefined> {
  let rows: number | undefined;
  const add = (n: number) => (rows = (rows ?? 0) + n);
  for (const action of actions) {
    stopIfInterrupted(ctx);
    if (!('kind' in action)) {
      faultPoint(action.sql);
      const result = await sql.raw<Record<string, unknown>>(action.sql).execute(trx).catch((err: unknown) => {
        rememberStatement(err, action.sql);
        throw err;
      });
      if (action.rows === 'affected') add(Number(result.numAffectedRows ?? 0n));
      if (action.rows === 'scalar') add(Number(Object.values(result.rows[0] ?? {})[0] ?? 0));
    } else if (action.kind === 'note') {
      seen.notes.push(action.message);
    } else if (action.kind === 'test-result') {
      seen.tests.push(action);
    } else if (action.kind === 'fail') {
      seen.failures.push(action.message);
    } else if (action.kind === 'rendered') {
      const more = await renderWithAnswers(adapter, trx, action.render, action.askAs);
      const n = await runActions(adapter, trx, more, ctx, seen);
      if (n !== undefined) add(n);
    } else if (action.kind === 'csv-load') {
      faultPoint('csv load');
      add(await adapter.loadCsv(trx, action));
    } else {
      const columns = [];
      for (const rel of action.describe) columns.push(await adapter.describeColumns(trx, rel));
      const values = [];
      for (const query of action.queries ?? []) {
        const result = await sql.raw<Record<string, unknown>>(query).execute(trx);
        values.push(result.rows.map((r) => {
          const v = Object.values(r)[0];
          return v === null || v === undefined ? null : String(v);
        }));
      }
      const more = await runActions(adapter, trx, action.build({ columns, values, unit: ctx }), ctx, seen);
      if (more !== undefined) add(more);
    }
  }
  return rows;
}
