// `sf estimate --calibrate`: how many rows per second this machine's engine moves through a
// model's typical work (a join to a small dimension, an expression per row, written to a
// table), measured on a short synthetic load in temporary tables, inside a transaction that
// is rolled back: nothing is left behind. The figure is what `limits.nodeRowsPerSecond` holds.
import { sql } from 'kysely';
import type { Adapter } from '../adapters/types.js';

/** Rows per engine: a second or two of work here, enough to dwarf the statements' fixed cost. */
const ROWS = { duckdb: 4_000_000, postgres: 1_000_000, sqlite: 1_000_000 } as const;

export interface Calibration {
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

export async function calibrate(adapter: Adapter, rows: number = ROWS[adapter.dialect.engine]): Promise<Calibration> {
  const d = adapter.dialect;
  const [facts, dim, out] = ['sf_calibrate_facts', 'sf_calibrate_dim', 'sf_calibrate_out'].map((n) => d.quoteIdentifier(n));
  const rolledBack = new Error('calibrated');
  let measured: Calibration | undefined;
  await adapter.db.transaction().execute(async (trx) => {
    const run = (text: string) => sql.raw(text).execute(trx);
    await run(`create temp table ${facts} as select id, id % 1000 as k, (id * 7) % 10007 as amount from (${d.seriesSql(rows)}) as s`);
    await run(`create temp table ${dim} as select id as k, id % 17 as category from (${d.seriesSql(1000)}) as s`);
    const started = performance.now();
    await run(`create temp table ${out} as select f.id, f.k, d.category, f.amount * 2 + 1 as revenue from ${facts} as f inner join ${dim} as d on d.k = f.k`);
    const seconds = (performance.now() - started) / 1000;
    measured = { rows, seconds, rowsPerSecond: rows / seconds };
    throw rolledBack;
  }).catch((err: unknown) => {
    if (err !== rolledBack) throw err;
  });
  return measured!;
}
