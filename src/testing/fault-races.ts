// The fault suite's races (faults.ts runs them): two sf processes writing the same target at
// once. Two builds of the whole project, and two backfills of fact_sales over overlapping
// ranges; the second starts at a seeded random moment of the first, and either waits for it
// (a long --lock-timeout) or gives up at once (a short one). Whatever the interleaving: each
// process succeeds or stops naming the other's PID; no duplicate keys, the ledger matches; each
// partition is what the runs that succeeded make it (the twin runs the same commands one after
// the other), every other partition as it was.
import type { ChildResult } from '../conformance/harness.js';
import { buildBoth, compareStates, dayAfter, mixStates, rerun, sleep, stateOf, type State, type Trial } from './fault-state.js';

/** One process of a race: its command, and whether it succeeded or stopped naming the other. */
interface Racer {
  readonly args: readonly string[];
  readonly result: ChildResult;
  readonly pid: number;
}

/**
 * Starts `first`, then `second` after `delayMs` with a long or short --lock-timeout; returns
 * both results and whether they overlapped (the second began before the first ended).
 */
async function race(t: Trial, first: readonly string[], second: readonly string[], delayMs: number, patient: boolean): Promise<{ a: Racer; b: Racer; overlapped: boolean }> {
  const a = t.victim.spawnSf(first);
  let aDone = false;
  void a.done.then(() => (aDone = true));
  await sleep(delayMs);
  const overlapped = !aDone;
  const bArgs = [...second, '--lock-timeout', patient ? '120' : '0.2'];
  const b = t.victim.spawnSf(bArgs);
  const [ra, rb] = await Promise.all([a.done, b.done]);
  return { a: { args: first, result: ra, pid: a.child.pid! }, b: { args: bArgs, result: rb, pid: b.child.pid! }, overlapped };
}

/** A racer that failed must have stopped for the other's lock, naming its PID, in one clean message. */
function racerProblems(me: Racer, other: Racer): string[] {
  const { code, text } = me.result;
  if (code === 0) return [];
  const problems: string[] = [];
  if (!text.includes(`PID ${other.pid}`)) problems.push(`\`sf ${me.args.join(' ')}\` failed without naming the other process (PID ${other.pid}):\n${text}`);
  if (code !== 1 && code !== 2) problems.push(`\`sf ${me.args.join(' ')}\` ended with exit ${code}:\n${text}`);
  if (/internal error|at .*\.js:\d+/.test(text)) problems.push(`a stack trace or internal error:\n${text}`);
  return problems;
}

function judge(t: Trial, where: string, after: State, expected: State, harmed: { a: Racer; b: Racer; overlapped: boolean }): void {
  const { tally } = t;
  tally.trials++;
  if (harmed.overlapped) tally.faults++;
  tally.violations.push(...[...racerProblems(harmed.a, harmed.b), ...racerProblems(harmed.b, harmed.a)].map((m) => `${where}: ${m}`));
  const found = compareStates(after, expected, expected);
  tally.violations.push(...found.problems.map((m) => `${where}: ${m}`));
  tally.rowsLost += found.rowsLost;
  const outcome = (r: Racer) => (r.result.code === 0 ? 'ok' : `stopped (exit ${r.result.code})`);
  t.log(`${where}: first ${outcome(harmed.a)}, second ${outcome(harmed.b)}; ${tally.violations.length} violations so far`);
}

/** Two `sf build`s of the whole project at once. */
export async function concurrentBuilds(t: Trial, trials: number): Promise<void> {
  t.useData(0);
  const shape = await buildBoth(t);
  for (let trial = 1; trial <= trials; trial++) {
    t.useData(trial);
    const before = await stateOf(t.victim, shape);
    const started = performance.now();
    const clean = await t.twin.spawnSf(['build']).done;
    if (clean.code !== 0) throw new Error(`${t.engine} ${t.name} trial ${trial}: the twin's build failed:\n${clean.text}`);
    const expected = await stateOf(t.twin, shape);
    const delay = t.next() * (performance.now() - started);
    const patient = t.next() < 0.5;
    const harmed = await race(t, ['build'], ['build'], delay, patient);
    const where = `${t.engine} ${t.name} trial ${trial} (second after ${(delay / 1000).toFixed(1)} s, ${patient ? 'waiting' : 'not waiting'})`;
    // One build that succeeded publishes the clean state; none leaves the one before.
    const succeeded = harmed.a.result.code === 0 || harmed.b.result.code === 0;
    judge(t, where, await stateOf(t.victim, shape), succeeded ? expected : before, harmed);
    await rerun(t, where, shape, [['build']], expected);
  }
}

/** Two backfills of fact_sales over overlapping ranges of days, at once. */
export async function overlappingBackfills(t: Trial, trials: number): Promise<void> {
  t.useData(0);
  const shape = await buildBoth(t);
  const relation = (rel: string) => /\.fact_sales(__quarantine)?$/i.test(rel);
  for (let trial = 1; trial <= trials; trial++) {
    t.useData(trial);
    for (const p of [t.victim, t.twin]) {
      const seeded = await p.sf('seed');
      if (seeded.code !== 0) throw new Error(`${t.engine} ${t.name} trial ${trial}: seed failed:\n${seeded.text}`);
    }
    // A covers [a1, a2]; B starts inside A and may run past it.
    const day = (f: number) => Math.floor(f * t.days);
    const a1 = day(t.next() * 0.5);
    const a2 = a1 + 1 + day(t.next() * 0.5);
    const b1 = a1 + 1 + Math.floor(t.next() * (a2 - a1));
    const b2 = Math.min(t.days, b1 + day(t.next() * 0.5));
    const ranges = [[a1, a2], [b1, b2]].map(([s, e]) => [dayAfter(t.first, s!), dayAfter(t.first, e!)] as const);
    const commands = ranges.map(([s, e]) => ['run', '--select', 'fact_sales', '--start', s, '--end', e, '--threads', '2']);
    const before = await stateOf(t.victim, shape);
    const started = performance.now();
    for (const c of commands) {
      const clean = await t.twin.spawnSf(c).done;
      if (clean.code !== 0) throw new Error(`${t.engine} ${t.name} trial ${trial}: the twin's ${c.join(' ')} failed:\n${clean.text}`);
    }
    const clean = await stateOf(t.twin, shape);
    const delay = t.next() * (performance.now() - started) / 2;
    const patient = t.next() < 0.5;
    const harmed = await race(t, commands[0]!, commands[1]!, delay, patient);
    // Each partition of a range whose backfill succeeded is the clean one; the rest as before.
    const done = ranges.filter((_, i) => [harmed.a, harmed.b][i]!.result.code === 0);
    const expected = mixStates(before, clean, (rel, key) => relation(rel) && done.some(([s, e]) => key >= s && key <= e));
    const where = `${t.engine} ${t.name} trial ${trial} (${ranges.map(([s, e]) => `${s}..${e}`).join(' and ')}, second after ${(delay / 1000).toFixed(1)} s, ${patient ? 'waiting' : 'not waiting'})`;
    judge(t, where, await stateOf(t.victim, shape), expected, harmed);
    await rerun(t, where, shape, commands, clean);
  }
}
