// What `sf test` prints: a line per test as it finishes, then the failures and a summary.
import type { FreshnessResult } from '../session/freshness.js';
import type { TestEvent, TestResult } from '../session/test.js';
import { dotted, type Printer } from './printer.js';

const LABEL = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR' } as const;

/** `3 of 8 FAIL 2 unique_orders_id ........ [FAIL 2 in 0.01s]` */
export function formatTestResult(e: TestEvent): string {
  const r = e.result;
  const count = r.status === 'warn' || r.status === 'fail' ? ` ${r.failures}` : '';
  return dotted(`${e.index} of ${e.total} ${LABEL[r.status]}${count} ${r.name}`, `[${LABEL[r.status]}${count} in ${r.seconds.toFixed(2)}s]`);
}

export function printTestSummary(p: Printer, results: readonly TestResult[], seconds: number): void {
  p.out();
  p.out(`Finished running ${results.length} test${results.length === 1 ? '' : 's'} in ${seconds.toFixed(2)}s.`);
  for (const r of results.filter((x) => x.status !== 'pass')) {
    p.out();
    const where = `${r.file}${r.line ? `:${r.line}` : ''}`;
    p.out(`${r.status === 'warn' ? 'Warning' : r.status === 'error' ? 'Error' : 'Failure'} in test ${r.name} (${where})`);
    for (const line of (r.message ?? '').split('\n')) p.out(`  ${line}`);
  }
  const n = (...s: TestResult['status'][]) => results.filter((r) => s.includes(r.status)).length;
  p.out();
  p.out(`Done. PASS=${n('pass')} WARN=${n('warn')} ERROR=${n('fail', 'error')} SKIP=0 TOTAL=${results.length}`);
}

/** `1 of 2 WARN freshness of raw.orders ........ [WARN in 0.01s]` */
export function formatFreshness(r: FreshnessResult, index: number, total: number): string {
  const label = r.status === 'pass' ? 'PASS' : r.status === 'warn' ? 'WARN' : 'ERROR';
  return dotted(`${index} of ${total} ${label} freshness of ${r.source}`, `[${label} in ${r.seconds.toFixed(2)}s]`);
}

export function printFreshnessSummary(p: Printer, results: readonly FreshnessResult[]): void {
  for (const r of results.filter((x) => x.status !== 'pass')) {
    p.out();
    p.out(`${r.status === 'warn' ? 'Warning' : 'Error'}: source ${r.source} (${r.file}${r.line ? `:${r.line}` : ''}): ${r.message}`);
  }
  const n = (...s: FreshnessResult['status'][]) => results.filter((r) => s.includes(r.status)).length;
  p.out();
  p.out(`Done. PASS=${n('pass')} WARN=${n('warn')} ERROR=${n('error', 'runtime error')} TOTAL=${results.length}`);
}
