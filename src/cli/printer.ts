// The only code that writes to the terminal. What reaches it has passed through Output
// (output.ts), which masks every secret.
import { stepNode } from '../plan/types.js';
import type { RunEvent, StepResult } from '../runner/events.js';
import { UserError, UserErrors } from '../util/errors.js';
import { stripVTControlCharacters } from 'node:util';
import { paint } from './style.js';

const WIDTH = 72;
const FAIL_FAST = '--fail-fast stopped the run';

export type Level = 'info' | 'warn' | 'error';

export interface Printer {
  /** `level`: what the line reports (a failure's account is 'error'), for --log-format json. */
  out(line?: string, level?: Level): void;
  err(line?: string): void;
  /**
   * A terminal that can show a status line, rewritten in place (progress.ts). Absent when
   * output goes to a pipe, a file or CI: then batches print plain lines.
   */
  status?(text: string): void;
  /** Output (stdout) goes to a terminal (colour may be used). */
  readonly isTTY?: boolean;
  /** Errors (stderr) go to a terminal. */
  readonly errIsTTY?: boolean;
}

const liveTerminal = process.stdout.isTTY === true && !process.env['CI'];

/**
 * A stream whose reader went away (`sf ls | head -1`, `sf build | head`): writes stop quietly
 * and the work goes on, instead of an EPIPE error crashing the process mid-build.
 */
const closed = new Set<NodeJS.WriteStream>();
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closed.add(stream);
    else throw err;
  });
}
const write = (stream: NodeJS.WriteStream, text: string) => {
  if (!closed.has(stream) && !stream.destroyed) stream.write(text);
};

export const consolePrinter: Printer = {
  isTTY: process.stdout.isTTY === true,
  errIsTTY: process.stderr.isTTY === true,
  out: (line = '') => write(process.stdout, `${line}\n`),
  err: (line = '') => write(process.stderr, `${line}\n`),
  // `\r` and clear-to-end-of-line: the next status (or line) replaces it.
  ...(liveTerminal ? { status: (text: string) => write(process.stdout, `\r\x1b[K${text}`) } : {}),
};

export function dotted(left: string, right: string): string {
  // Measured without colour codes, which take no room on the screen.
  const dots = Math.max(3, WIDTH - stripVTControlCharacters(left).length - 1);
  return `${left} ${'.'.repeat(dots)} ${right}`;
}

/** `3 of 12 OK table main.dim_products ........ [OK 120 rows in 0.04s]` */
export function formatEvent(event: RunEvent): string | undefined {
  if (event.type === 'retry') {
    const what = event.unit.label ? `${event.step.name} [${event.unit.label}]` : event.step.name;
    return `retrying ${what} in ${(event.delayMs / 1000).toFixed(1)}s (attempt ${event.attempt + 1}): ${event.message.split('\n')[0]}`;
  }
  if (event.type === 'batch') return formatBatch(event);
  if (event.type === 'wait') return `waiting up to ${event.timeoutSeconds} s for ${event.step.name}: it is being written by ${event.holder}`;
  const prefix = `${event.index} of ${event.total}`;
  const how = event.step.how ? ` (${event.step.how})` : '';
  const what = `${event.step.kind} ${stepLabel(event.step, event.type === 'start' ? event.relation : event.result.relation)}${how}`;
  if (event.type === 'start') return dotted(`${prefix} START ${what}`, '[RUN]');
  const r = event.result;
  const time = `in ${r.seconds.toFixed(2)}s`;
  switch (r.status) {
    case 'success': {
      const warned = r.warnings?.length ? paint.warn : paint.ok;
      return dotted(`${prefix} ${warned('OK')} ${what}`, warned(`[OK ${r.rows !== undefined ? `${r.rows} rows ` : ''}${time}]`)) + testLines(r);
    }
    case 'error':
      return dotted(`${prefix} ${paint.error('ERROR')} ${what}`, paint.error(`[ERROR ${time}]`)) + testLines(r);
    case 'skipped':
      return dotted(`${prefix} ${paint.skip('SKIP')} ${what}`, paint.skip('[SKIP]'));
  }
}

/**
 * The data tests a step ran on its rows, one line each under it (dbt lists them as nodes):
 * `    PASS not_null_orders_id`, `    WARN 2 accepted_values_...`; over a step's batches, the
 * worst status and the failures added up.
 */
function testLines(r: StepResult): string {
  const byName = new Map<string, { status: 'pass' | 'warn' | 'fail'; failures: number; quarantined: number }>();
  const rank = { pass: 0, warn: 1, fail: 2 } as const;
  for (const t of r.tests ?? []) {
    const seen = byName.get(t.name) ?? { status: 'pass' as const, failures: 0, quarantined: 0 };
    byName.set(t.name, {
      status: rank[t.status] > rank[seen.status] ? t.status : seen.status,
      failures: seen.failures + t.failures, quarantined: seen.quarantined + (t.quarantined ?? 0),
    });
  }
  return [...byName].map(([name, t]) => {
    const word = t.status === 'pass' ? paint.ok('PASS') : t.status === 'warn' ? paint.warn(`WARN ${t.failures}`) : paint.error(`FAIL ${t.failures}`);
    return `\n    ${word} ${name}${t.quarantined ? ` (${t.quarantined} row${t.quarantined === 1 ? '' : 's'} quarantined)` : ''}`;
  }).join('');
}

/** The relation as the engine names it; a source check shows the source (`raw.orders`), a singular test its name. */
function stepLabel(step: { name: string }, relation: string): string {
  const node = stepNode(step.name);
  return node.check ? node.name : relation;
}

/** `Model 'x' (main.x)`, `Source 'raw.orders' (raw.orders)`, `Test 'assert_x'`. */
function describeResult(r: StepResult): string {
  const kind = r.kind === 'seed' ? 'Seed' : r.kind === 'source' ? 'Source' : r.kind === 'test' ? 'Test' : 'Model';
  const { name } = stepNode(r.name);
  return r.kind === 'test' ? `${kind} '${name}'` : `${kind} '${name}' (${r.relation})`;
}

/** `  batch 3/24 2026-06-03 OK 52 rows in 0.03s` */
export function formatBatch(event: Extract<RunEvent, { type: 'batch' }>): string {
  const r = event.result;
  const status = r.status === 'success' ? paint.ok('OK') : r.status === 'error' ? paint.error('ERROR') : paint.skip('SKIP');
  const rows = r.rows !== undefined ? ` ${r.rows} rows` : '';
  const retried = r.attempts > 1 ? ` after ${r.attempts} attempts` : '';
  return `  ${event.step.name} batch ${event.done}/${event.total} ${r.label} ${status}${rows} in ${r.seconds.toFixed(2)}s${retried}`;
}

export function printSummary(p: Printer, results: readonly StepResult[], seconds: number): void {
  const count = (kind: string) => results.filter((r) => r.kind === kind).length;
  const parts = (['seed', 'view', 'table', 'incremental', 'source', 'test'] as const)
    .map((k) => [k, count(k)] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`);
  p.out();
  p.out(`Finished running ${parts.join(', ') || 'nothing'} in ${seconds.toFixed(2)}s.`);
  const warned = results.filter((r) => r.warnings?.length);
  for (const r of warned) {
    p.out();
    p.out(paint.warn(`${describeResult(r)} ${r.kind === 'source' || r.kind === 'test' ? 'passed' : 'was published'} with warnings:`), 'warn');
    for (const w of r.warnings!) p.out(`  ${w}`, 'warn');
  }
  const errors = results.filter((r) => r.status === 'error');
  if (errors.length) {
    p.out();
    p.out(paint.error(`Completed with ${errors.length} error${errors.length === 1 ? '' : 's'}:`), 'error');
    for (const r of errors) {
      p.out();
      p.out(paint.error(`${describeResult(r)} failed:`), 'error');
      for (const line of (r.message ?? '').split('\n')) p.out(`  ${line}`, 'error');
      if (r.compiledPath) p.out(`  compiled SQL: ${r.compiledPath}`, 'error');
    }
  }
  const stopped = results.filter((r) => r.status === 'skipped' && r.message?.includes(FAIL_FAST));
  if (stopped.length) {
    const note = stopped[0]!.message!.slice(stopped[0]!.message!.indexOf(FAIL_FAST)).replace(/:.*$/, '');
    p.out();
    p.out(paint.skip(`${note}: ${stopped.length} node${stopped.length === 1 ? '' : 's'} skipped (not started, or rolled back mid-write).`));
  }
  const n = (s: StepResult['status']) => results.filter((r) => r.status === s).length;
  p.out();
  // As dbt counts: a node that warned is in WARN, not PASS.
  // A node that failed after some of its batches warned is counted as an error, not a warning.
  const warnedOk = warned.filter((r) => r.status === 'success').length;
  p.out(doneLine([['PASS', n('success') - warnedOk], ...(warnedOk ? [['WARN', warnedOk] as const] : []), ['ERROR', n('error')], ['SKIP', n('skipped')]], results.length));
}

/** `Done. PASS=3 WARN=1 ERROR=0 SKIP=0 TOTAL=4`, each count in its colour when not zero. */
export function doneLine(counts: ReadonlyArray<readonly [string, number]>, total: number): string {
  const tones: Record<string, (s: string) => string> = { PASS: paint.ok, WARN: paint.warn, ERROR: paint.error, SKIP: paint.skip };
  const parts = counts.map(([label, n]) => (n > 0 ? (tones[label] ?? String)(`${label}=${n}`) : `${label}=${n}`));
  return `Done. ${parts.join(' ')} TOTAL=${total}`;
}

export function printUserError(p: Printer, err: UserError | UserErrors): void {
  const errors = err instanceof UserErrors ? err.errors : [err];
  for (const e of errors) p.err(`${paint.error('error:')} ${e.format()}`);
  if (errors.length > 1) p.err(`${errors.length} errors; nothing was run.`);
}
