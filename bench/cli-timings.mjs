#!/usr/bin/env node
// Wall-clock timings of sf commands on the ShopFlow project, as a user runs them (a new
// process each time). Prints min / median / max over N runs per command.
//   node bench/cli-timings.mjs [runs=7] [--target name]
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 7);
const targetIdx = process.argv.indexOf('--target');
const target = targetIdx > 0 ? ['--target', process.argv[targetIdx + 1]] : [];
const commands = [
  ['ls'], ['compile'], ['seed', ...target], ['build', ...target], ['run', '--select', 'fact_sales', ...target],
  // A backfill of every ShopFlow day: 45 batches, one transaction each.
  ['run', '--select', 'fact_sales', '--start', '2026-05-01', '--end', '2026-06-14', ...target],
];

console.log(`sf CLI timings, ShopFlow, ${runs} runs each; node ${process.version}, ${cpus().length} x ${cpus()[0].model}`);
for (const args of commands) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, ['bin/sf.cjs', ...args], { cwd: repo, stdio: 'ignore' });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const f = (ms) => `${(ms / 1000).toFixed(3)}s`;
  console.log(`sf ${args.join(' ').padEnd(34)} min ${f(times[0])}  median ${f(times[times.length >> 1])}  max ${f(times.at(-1))}`);
}
