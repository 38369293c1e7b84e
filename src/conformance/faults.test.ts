// A reduced run of the fault-injection suite (src/testing/faults.ts; the full one is
// `npm run faults`): ShopFlow at a small size, one trial of each scenario on every engine (kills
// at seeded random fault points, races, bad inputs), the invariants checked after each fault
// and after the next run.
import { describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { formatResults, runFaults, SCENARIOS } from '../testing/faults.js';

describe.each(ENGINES)('the fault suite, reduced, on %s', (engine) => {
  it('runs every scenario (kills, races, bad inputs): no invariant violated, no row lost', async () => {
    const results = await runFaults({ engines: [engine], scenarios: SCENARIOS, trials: 1, seed: 7, days: 10, ordersPerDay: 20, pgUrl: () => inject('pgUrl') });
    console.log(formatResults(results).join('\n'));
    expect(results.flatMap((r) => r.violations)).toEqual([]);
    expect(results.reduce((n, r) => n + r.rowsLost, 0)).toBe(0);
    // Most trials are killed (a trial whose point falls past the end of its command gets through).
    expect(results.reduce((n, r) => n + r.faults, 0)).toBeGreaterThan(0);
  }, 900_000);
});
