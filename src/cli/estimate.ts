// `sf estimate`'s account: one verdict line per model and source, its daily rows as a sparkline,
// the figures behind it; or all of it as JSON. Exit 1 when a --fail-if condition is met.
import { basename, join, relative } from 'node:path';
import { openAdapter } from '../adapters/registry.js';
import { targetDir } from '../artifacts/paths.js';
import { writeCharts } from '../estimate/chart.js';
import { calibrate, type Calibration } from '../estimate/calibrate.js';
import { estimate, failures, type Estimate, type EstimateOptions } from '../estimate/estimate.js';
import { gatherFacts } from '../estimate/facts.js';
import { human, rate, type FailIf } from '../estimate/math.js';
import type { LoadedProject } from '../session/project.js';
import type { Printer } from './printer.js';
import { paint } from './style.js';

export interface EstimateRun {
  readonly failIf: readonly FailIf[];
  readonly output: 'text' | 'json';
  readonly charts: boolean;
  /** Measure the node's rows per second first, and use it (unless given on the command line). */
  readonly calibrate: boolean;
  readonly nodeRowsGiven: boolean;
}

export async function runEstimate(project: LoadedProject, selected: ReadonlySet<string>, options: EstimateOptions, run: EstimateRun, p: Printer): Promise<number> {
  const { failIf, output, charts } = run;
  const adapter = await openAdapter(project.target, project.config.projectDir);
  let estimates: Estimate[];
  let o = options;
  let calibration: Calibration | undefined;
  try {
    if (run.calibrate) {
      calibration = await calibrate(adapter);
      if (!run.nodeRowsGiven) o = { ...o, nodeRowsPerSecond: Math.round(calibration.rowsPerSecond) };
      if (output === 'text') {
        p.out(`Calibrated: ${project.target.type} joined and wrote ${human(calibration.rows)} synthetic rows in ${calibration.seconds.toFixed(2)} s on this machine: ${human(calibration.rowsPerSecond)} rows/s.`);
        p.out(`  to keep it, set the target's limits: { nodeRowsPerSecond: ${Math.round(calibration.rowsPerSecond)} }`);
        p.out('');
      }
    }
    estimates = (await gatherFacts(project, adapter, selected, { days: o.windowDays, end: o.windowEnd })).map((f) => estimate(f, o));
  } finally {
    await adapter.close();
  }
  const failed = estimates.flatMap((e) => failures(e, failIf));
  const dir = join(targetDir(project.config.projectDir), 'estimate');
  const written = charts ? await writeCharts(estimates, dir) : [];
  if (output === 'json') p.out(JSON.stringify({ options: o, ...(calibration ? { calibration } : {}), estimates, failures: failed }, null, 2));
  else {
    p.out(`Capacity over the ${o.windowDays} days of data ${o.windowEnd ? `up to ${o.windowEnd}` : 'up to the newest'}, at --growth ${o.growth}x (peak factor ${o.peakFactor} where no hour was measured):`);
    for (const e of estimates) printEstimate(p, e);
    if (written.length) p.out(`\nCharts (rows per day, projection, build seconds): ${relative(project.config.projectDir, dir)}/ (${written.map((w) => basename(w)).join(', ')})`);
    for (const f of failed) p.out(`${paint.error('FAIL')} ${f}`, 'error');
  }
  return failed.length ? 1 : 0;
}

function printEstimate(p: Printer, e: Estimate): void {
  p.out('');
  p.out(e.verdict);
  if (e.rowsPerDay.days === 0) return;
  p.out(`  ${e.kind} ${e.relation}, rows per day from ${e.from === 'ledger' ? 'the partition ledger' : 'its event_time'}, ${e.window!.first}..${e.window!.last}: ${e.sparkline}`);
  p.out(`  rows/day mean ${human(e.rowsPerDay.mean)}, p95 ${human(e.rowsPerDay.p95)}, max ${human(e.rowsPerDay.max)}; growth ${(e.dailyGrowth * 100).toFixed(2)}%/day`);
  if (e.bytes) p.out(`  bytes per row ${e.bytes.perRow.stored.toFixed(0)} stored, ${e.bytes.perRow.raw.toFixed(0)} as text; per day ${human(e.bytes.perDay.stored, 'B')} stored, ${human(e.bytes.perDay.raw, 'B')} as text; a year ${human(e.bytes.perYear.stored, 'B')} / ${human(e.bytes.perYear.raw, 'B')}`);
  if (e.build) {
    const perMillion = e.build.b * 1e6;
    p.out(`  build seconds = ${e.build.a.toFixed(3)} ${perMillion < 0 ? '-' : '+'} ${Math.abs(perMillion).toFixed(2)} per million rows (${e.build.units} units)`);
  }
  const at = e.projected;
  p.out(`  at ${at.growth}x: ${human(at.rowsPerDay)} rows/day, ${rate(at.peakRowsPerSecond)}/s peak${at.buildSeconds !== undefined ? `, daily build ${at.buildSeconds.toFixed(1)} s` : ''}${at.storedPerYear !== undefined ? `, ${human(at.storedPerYear, 'B')} a year stored` : ''}`);
}
