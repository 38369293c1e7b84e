// Partition keys, windows and batch selection: pure functions, checked against fixed inputs.
import { describe, expect, it } from 'vitest';
import { dialectFor } from '../adapters/registry.js';
import type { IncrementalSpec } from '../compiler/incremental-settings.js';
import { UserError } from '../util/errors.js';
import type { LedgerEntry } from './ledger.js';
import { batchKeys, missingKeys } from './materializations/batches.js';
import { addPeriods, keysBetween, partitionsCondition, timeKey } from './partitions.js';

const duckdb = dialectFor('duckdb');
const sqlite = dialectFor('sqlite');
const entry = (partition: string, status: 'success' | 'failed' = 'success'): LedgerEntry => ({
  relation: 'main.m', model: 'm', partition, rows: 1, checksum: '1', runId: 'r', startedAt: '', finishedAt: '', status, attempts: 1, error: null,
});
const microbatch: IncrementalSpec = {
  strategy: 'microbatch', uniqueKey: [], partition: { kind: 'time', field: 'ts', granularity: 'day' }, predicates: [],
  onSchemaChange: 'ignore', begin: '2026-01-01 00:00:00', lookback: 1,
};
const request = { fullRefresh: false, missing: false, now: '2026-06-10 12:00:00' };

describe('partition keys and windows', () => {
  it('steps through days, months and hours in UTC, across month and year ends', () => {
    expect(keysBetween('2026-02-27', '2026-03-02', 'day')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(keysBetween('2025-11-15', '2026-02-01', 'month')).toEqual(['2025-11-01', '2025-12-01', '2026-01-01', '2026-02-01']);
    expect(keysBetween('2026-03-29 22:30:00', '2026-03-30 01:00:00', 'hour'))
      .toEqual(['2026-03-29 22:00:00', '2026-03-29 23:00:00', '2026-03-30 00:00:00', '2026-03-30 01:00:00']);
    expect(timeKey('2024-02-29 23:59:59', 'year')).toBe('2024-01-01');
    expect(addPeriods('2026-01-01 00:00:00', 'month', 1)).toBe('2026-02-01 00:00:00');
    expect(addPeriods('2026-03-01 00:00:00', 'day', -1)).toBe('2026-02-28 00:00:00');
  });

  it('merges consecutive days into one range; the last int bucket stops at the range end', () => {
    expect(partitionsCondition(duckdb, '"d"', { kind: 'time', field: 'd', granularity: 'day' }, ['2026-06-02', '2026-06-01', '2026-06-04']))
      .toBe(`("d" >= timestamp '2026-06-01 00:00:00' and "d" < timestamp '2026-06-03 00:00:00') or ("d" >= timestamp '2026-06-04 00:00:00' and "d" < timestamp '2026-06-05 00:00:00')`);
    expect(partitionsCondition(duckdb, '"k"', { kind: 'int', field: 'k', start: 0, end: 100, interval: 30 }, ['90']))
      .toBe('"k" >= 90 and "k" < 100');
  });

  it('on SQLite windows compare normalized timestamps, so a T-separated value lands in its own hour', () => {
    expect(sqlite.timeRange('"ts"', '2026-06-01 05:00:00', '2026-06-01 06:00:00'))
      .toBe(`datetime("ts") >= '2026-06-01 05:00:00' and datetime("ts") < '2026-06-01 06:00:00'`);
  });

  it('a range of more than 100,000 partitions is a user error, not a crash', () => {
    expect(() => keysBetween('1900-01-01', '2026-01-01', 'hour')).toThrow(UserError);
  });
});

describe('which batches a run builds', () => {
  it('microbatch: from begin on a first build; from now - lookback after; back to what is built, or to begin', () => {
    expect(batchKeys('m', microbatch, false, [], request)).toHaveLength(161);
    expect(batchKeys('m', microbatch, true, [entry('2026-06-09')], request)).toEqual(['2026-06-09', '2026-06-10']);
    expect(batchKeys('m', microbatch, true, [entry('2026-06-05')], request)).toEqual(['2026-06-06', '2026-06-07', '2026-06-08', '2026-06-09', '2026-06-10']);
    // A table whose first build never got a batch in: start again from begin.
    expect(batchKeys('m', microbatch, true, [], request)![0]).toBe('2026-01-01');
  });

  it('--missing: the gaps between the first and last built, and (microbatch) from begin', () => {
    const ledger = [entry('2026-06-02'), entry('2026-06-03', 'failed'), entry('2026-06-05')];
    const part = { kind: 'time', field: 'd', granularity: 'day' } as const;
    expect(missingKeys(part, ledger)).toEqual(['2026-06-03', '2026-06-04']);
    expect(missingKeys(part, ledger, '2026-06-01 00:00:00')).toEqual(['2026-06-01', '2026-06-03', '2026-06-04']);
    // No table yet: no gaps to fill; the model's first build runs instead.
    expect(batchKeys('m', { ...microbatch, strategy: 'insert_overwrite' }, false, [], { ...request, missing: true })).toBeUndefined();
  });
});
