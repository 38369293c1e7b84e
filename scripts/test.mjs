#!/usr/bin/env node
// The test command (`npm test`):
//   1. build dist/ with `tsc -p tsconfig.json`, type-check tests with tsconfig.check.json (fail fast);
//   2. `vitest run` with the default reporter on the terminal and the JSON reporter
//      to target/test-results.json; extra CLI args are forwarded (`npm test -- src/graph`);
//   3. print `N passed, N failed` (`, N skipped` when any) alone as the LAST line.
// Exits non-zero if tsc or vitest failed, if any test failed, or if no test ran.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultsFile = join(root, 'target', 'test-results.json');
const require = createRequire(join(root, 'package.json'));
const extraArgs = process.argv.slice(2);

/** Resolves a package's bin script so we can run it with this node (no npx lookup); falls back to npx. */
function tool(pkg, bin) {
  try {
    const pkgJsonPath = require.resolve(`${pkg}/package.json`);
    const pkgJson = JSON.parse(readFileSync(pkgJsonPath, 'utf8'));
    const rel = typeof pkgJson.bin === 'string' ? pkgJson.bin : pkgJson.bin?.[bin];
    if (rel) return { cmd: process.execPath, pre: [join(dirname(pkgJsonPath), rel)] };
  } catch {
    // not installed locally
  }
  return { cmd: 'npx', pre: ['--no', bin] };
}

let child;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  // Don't die before the child: pass the signal on and report after it exits.
  process.on(signal, () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

function run({ cmd, pre }, args) {
  return new Promise((done) => {
    child = spawn(cmd, [...pre, ...args], { cwd: root, stdio: 'inherit' });
    child.on('error', (err) => {
      console.error(`failed to run ${cmd}: ${err.message}`);
      done({ code: 127, signal: null });
    });
    child.on('exit', (code, signal) => done({ code, signal }));
  });
}

function finish(passed, failed, skipped, exitCode) {
  const line = `${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
  process.stdout.write(`${line}\n`);
  process.exitCode = exitCode;
}

// 1. build dist/ (bin/sf.cjs runs it) and type-check everything, tests included
for (const args of [['-p', 'tsconfig.json'], ['-p', 'tsconfig.check.json']]) {
  const t0 = Date.now();
  const tsc = await run(tool('typescript', 'tsc'), args);
  if (tsc.code !== 0) {
    console.error(`\ntype check failed (tsc ${args.join(' ')}, exit ${tsc.code ?? tsc.signal}); tests not run`);
    finish(0, 0, 0, tsc.code || 1);
    process.exit();
  }
  console.error(`tsc ${args.join(' ')} passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// 2. vitest
mkdirSync(dirname(resultsFile), { recursive: true });
rmSync(resultsFile, { force: true });
const vitest = await run(tool('vitest', 'vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${resultsFile}`,
  ...extraArgs,
]);
const vitestFailed = vitest.code !== 0;

// 3. closing line
let report;
try {
  report = JSON.parse(readFileSync(resultsFile, 'utf8'));
} catch {
  report = undefined;
}
if (!report) {
  console.error(
    vitest.signal
      ? `\nvitest was interrupted (${vitest.signal}); no results`
      : `\nvitest exited with ${vitest.code} and wrote no results to ${resultsFile}`,
  );
  finish(0, 0, 0, vitest.signal ? 128 + (constants.signals[vitest.signal] ?? 0) : vitest.code || 1);
} else {
  const passed = report.numPassedTests ?? 0;
  // A test file that fails to load (syntax error, failing import, failing beforeAll with no
  // tests run) has no failed test in it; count it as one failure so the line doesn't hide it.
  const brokenFiles = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  );
  for (const f of brokenFiles) console.error(`test file failed without a failing test: ${f.name}`);
  let failed = (report.numFailedTests ?? 0) + brokenFiles.length;
  // vitest also fails a run for errors outside any test (an unhandled exception): count one.
  if (vitestFailed && failed === 0) {
    console.error(`\nvitest exited ${vitest.code} with no failing test (an unhandled error, see above): counted as 1 failure`);
    failed = 1;
  }
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const ran = passed + failed;
  let code = 0;
  if (vitestFailed) code = vitest.code || 1;
  else if (failed > 0) code = 1;
  else if (ran === 0) {
    console.error('\nno tests ran');
    code = 1;
  }
  finish(passed, failed, skipped, code);
}
