// What `sf test` prints: a line per test as it finishes, then the failures and a summary.
import type { FreshnessResult } from '../session/freshness.js';
import type { TestEvent, TestResult } from '../session/test.js';
import { doneLine, dotted, type Printer } from './printer.js';
import { paint } from './style.js';

const LABEL = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR', skipped: 'SKIP' } as const;
const TONE = { pass: paint.ok, warn: paint.warn, fail: paint.error, error: paint.error, skipped: paint.skip } as const;

/** `3 of 8 FAIL 2 unique_orders_id ........ [FAIL 2 in 0.01s]` */
export function formatTestResult(e: TestEvent): string {
  const r = e.result;
  const count = r.status === 'warn' || r.status === 'fail' ? ` ${r.failures}` : '';
  const tone = TONE[r.status];
  return dotted(`${e.index} of ${e.total} ${tone(`${LABEL[r.status]}${count}`)} ${r.name}`, tone(`[${LABEL[r.status]}${count} in ${r.seconds.toFixed(2)}s]`));
}

export function printTestSummary(p: Printer, results: readonly TestResult[], seconds: number): void {
  p.out();
  p.out(`Finished running ${results.length} test${results.length === 1 ? '' : 's'} in ${seconds.toFixed(2)}s.`);
  for (const r of results.filter((x) => x.status !== 'pass' && x.status !== 'skipped')) {
    p.out();
    const where = `${r.file}${r.line ? `:${r.line}` : ''}`;
    const level = r.status === 'warn' ? 'warn' : 'error';
    p.out((r.status === 'warn' ? paint.warn : paint.error)(`${r.status === 'warn' ? 'Warning' : r.status === 'error' ? 'Error' : 'Failure'} in test ${r.name} (${where})`), level);
    for (const line of (r.message ?? '').split('\n')) p.out(`  ${line}`, level);
  }
  const n = (...s: TestResult['status'][]) => results.filter((r) => s.includes(r.status)).length;
  p.out();
  const skipped = results.find((r) => r.status === 'skipped');
  if (skipped) {
    p.out();
    p.out(paint.skip(`${skipped.message!.replace(/^not run: /, '')}: ${n('skipped')} test${n('skipped') === 1 ? '' : 's'} not run.`));
  }
  p.out(doneLine([['PASS', n('pass')], ['WARN', n('warn')], ['ERROR', n('fail', 'error')], ['SKIP', n('skipped')]], results.length));
}

/** `1 of 2 WARN freshness of raw.orders ........ [WARN in 0.01s]` */
export function formatFreshness(r: FreshnessResult, index: number, total: number): string {
  const label = r.status === 'pass' ? 'PASS' : r.status === 'warn' ? 'WARN' : 'ERROR';
  const tone = r.status === 'pass' ? paint.ok : r.status === 'warn' ? paint.warn : paint.error;
  return dotted(`${index} of ${total} ${tone(label)} freshness of ${r.source}`, tone(`[${label} in ${r.seconds.toFixed(2)}s]`));
}

export function printFreshnessSummary(p: Printer, results: readonly FreshnessResult[]): void {
  for (const r of results.filter((x) => x.status !== 'pass')) {
    p.out();
    p.out(`${r.status === 'warn' ? paint.warn('Warning') : paint.error('Error')}: source ${r.source} (${r.file}${r.line ? `:${r.line}` : ''}): ${r.message}`, r.status === 'warn' ? 'warn' : 'error');
  }
  const n = (...s: FreshnessResult['status'][]) => results.filter((r) => s.includes(r.status)).length;
  p.out();
  p.out(doneLine([['PASS', n('pass')], ['WARN', n('warn')], ['ERROR', n('error', 'runtime error')]], results.length));
}
