// `sf debug`: can sf reach the target and write to it? Opens the target, prints the engine
// version and the connection settings in effect (a password only as `***`), then creates,
// fills, reads and drops a scratch table in the target schema inside a transaction that is
// rolled back, so nothing is left behind.
// Exit codes: 0 all checks passed; 1 connected but a check failed; 2 cannot connect.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openAdapter } from '../adapters/registry.js';
import type { Adapter } from '../adapters/types.js';
import type { LoadedProject } from '../session/project.js';
import { isUserError, UserError } from '../util/errors.js';
import type { Printer } from './printer.js';

export async function runDebug(project: LoadedProject, printer: Printer): Promise<number> {
  const { target, targetName, dialect, config } = project;
  printer.out(`target: ${targetName} (${target.type})`);
  printer.out(`config: ${config.configPath}`);

  let adapter: Adapter;
  try {
    adapter = await openAdapter(target, config.projectDir);
  } catch (err) {
    if (!isUserError(err)) throw err;
    const errors = err instanceof UserError ? [err] : err.errors;
    for (const e of errors) printer.err(`error: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
    return 2;
  }
  try {
    const info = await adapter.info();
    printer.out(`engine: ${info.version}`);
    const width = Math.max(...Object.keys(info.settings).map((k) => k.length));
    for (const [key, value] of Object.entries(info.settings)) printer.out(`  ${key.padEnd(width)}  ${value}`);

    const scratch = { schema: dialect.defaultSchema, name: `sf_debug_${randomBytes(4).toString('hex')}` };
    const where = dialect.renderRelation(scratch);
    try {
      await adapter.db.transaction().execute(async (trx) => {
        const statements = [
          ...(dialect.capabilities.schemas ? dialect.createSchema(scratch.schema) : []),
          ...dialect.createTable(scratch, [{ name: 'id', type: 'integer' }]),
          { sql: `insert into ${where} values (1)` },
        ];
        for (const s of statements) await sql.raw(s.sql).execute(trx);
        const read = await sql.raw<Record<string, unknown>>(`select count(*) as n from ${where}`).execute(trx);
        if (Number(Object.values(read.rows[0] ?? {})[0]) !== 1) throw new Error(`reading ${where} back did not return the row written`);
        await sql.raw(dialect.dropRelation(scratch, 'table').sql).execute(trx);
        throw new RolledBack();
      });
    } catch (err) {
      if (!(err instanceof RolledBack)) {
        printer.err(`error: cannot create and drop a table in ${where}: ${adapter.describeError(err).message.split('\n')[0]}`);
        return 1;
      }
    }
    printer.out(`write check: created, filled, read and dropped ${where} (rolled back)`);
    printer.out('All checks passed.');
    return 0;
  } catch (err) {
    printer.err(`error: ${isUserError(err) ? err.message : adapter.describeError(err).message.split('\n')[0]}`);
    return 1;
  } finally {
    await adapter.close();
  }
}

/** Thrown to roll the scratch transaction back once every check has passed. */
class RolledBack extends Error {}
