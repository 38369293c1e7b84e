// The fault-injection suite (src/testing/faults.ts): SIGKILL at seeded random fault points of
// sf commands, cut PostgreSQL connections, a full disk, races and changed or broken inputs, on
// a generated ShopFlow, on each engine, with the invariants checked after each.
//   npm run faults [-- --size small|full] [--trials N] [--seed S] [--engines duckdb,sqlite,postgres]
//                  [--scenarios full-refresh,incremental-run,backfill,quarantining-build,seed-load,
//                   connection-cut,disk-full,concurrent-builds,overlapping-backfills,source-change,bad-batch]
// Prints one table: scenario x engine -> trials, faults injected, invariant violations, rows
// lost; then each violation. Exit 1 on any violation. Needs a build (npm install).
import { parseArgs } from 'node:util';
import type { EngineName } from '../src/config/types.js';
import { ENGINES } from '../src/conformance/engines.js';
import { startPostgres } from '../src/testing/postgres-server.js';
import { formatResults, runFaults, SCENARIOS, type ScenarioName } from '../src/testing/faults.js';

const SIZES = {
  // About 13k order items: a build takes about a second.
  small: { days: 30, ordersPerDay: 100, trials: 2 },
  // About 45k order items: a ShopFlow build takes seconds.
  full: { days: 90, ordersPerDay: 120, trials: 50 },
} as const;

const { values } = parseArgs({ options: {
  size: { type: 'string', default: 'full' },
  trials: { type: 'string' },
  seed: { type: 'string', default: '1' },
  engines: { type: 'string', default: ENGINES.join(',') },
  scenarios: { type: 'string', default: SCENARIOS.join(',') },
  quiet: { type: 'boolean', default: false },
} });
const size = SIZES[values.size as keyof typeof SIZES];
if (!size) throw new Error(`--size is small or full, not ${values.size}`);
const engines = values.engines.split(',') as EngineName[];
const scenarios = values.scenarios.split(',') as ScenarioName[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`no scenario '${s}': ${SCENARIOS.join(', ')}`);
const trials = Number(values.trials ?? size.trials);

const pg = engines.includes('postgres') ? await startPostgres() : undefined;
try {
  const started = performance.now();
  console.log(`sf fault suite: size ${values.size} (${size.days} days, ${size.ordersPerDay} orders a day), ${trials} trials per scenario and engine, seed ${values.seed}`);
  const results = await runFaults({
    engines, scenarios, trials, seed: Number(values.seed), days: size.days, ordersPerDay: size.ordersPerDay,
    pgUrl: () => pg?.url ?? '',
    log: values.quiet ? undefined : (line) => console.log(`  ${line}`),
  });
  console.log('');
  for (const line of formatResults(results)) console.log(line);
  const violations = results.flatMap((r) => r.violations);
  for (const v of violations) console.log(`\nVIOLATION ${v}`);
  console.log(`\n${results.reduce((n, r) => n + r.faults, 0)} faults injected in ${results.reduce((n, r) => n + r.trials, 0)} trials, ${violations.length} violations, ${results.reduce((n, r) => n + r.rowsLost, 0)} rows lost; ${((performance.now() - started) / 1000).toFixed(0)} s`);
  process.exitCode = violations.length ? 1 : 0;
} finally {
  await pg?.stop();
}
