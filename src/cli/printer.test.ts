// The run summary's Done line counts as dbt does: a node that warned is WARN, not PASS; a node
// that failed after some of its batches warned is an ERROR only (it once made PASS negative).
import { describe, expect, it } from 'vitest';
import type { StepResult } from '../runner/events.js';
import { printSummary, type Printer } from './printer.js';

const result = (name: string, status: StepResult['status'], warnings?: string[]): StepResult => ({
  name, kind: 'incremental', relation: `main.${name}`, status, startedAt: '2026-06-01T00:00:00Z', seconds: 1, attempts: 1, ...(warnings ? { warnings } : {}),
});

describe('printSummary', () => {
  it('counts PASS, WARN, ERROR and SKIP, each node once', () => {
    const lines: string[] = [];
    const p: Printer = { out: (l = '') => lines.push(l), err: (l = '') => lines.push(l) };
    printSummary(p, [
      result('a', 'success'),
      result('b', 'success', ['quarantined 2 of 10 rows']),
      result('c', 'error', ['quarantined 1 of 9 rows']),
      result('d', 'skipped'),
    ], 1);
    expect(lines.at(-1)).toBe('Done. PASS=1 WARN=1 ERROR=1 SKIP=1 TOTAL=4');
  });
});
