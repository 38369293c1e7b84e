// Partition keys: the text the ledger records for a partition, and the SQL that selects its rows.
//   time (date/timestamp column): the period's start, `2026-06-01` (day, month, year) or
//     `2026-06-01 05:00:00` (hour); its rows are `col >= start and col < next start`;
//   int64 range: the bucket's first value (`200`); values outside [start, end) share the key
//     `__unpartitioned__`, as in BigQuery;
//   a NULL partition value has the key `__null__`.
// Date arithmetic is in UTC, on `YYYY-MM-DD HH:MM:SS` text.
import type { Granularity } from '../config/types.js';
import { UserError } from '../util/errors.js';
import type { SqlDialect } from '../adapters/types.js';
import type { IntPartition, PartitionSpec, TimePartition } from '../compiler/incremental-settings.js';

export const NULL_KEY = '__null__';
/** More batches than this in one run is a mistake (a begin in 1900 by the hour). */
const MAX_PARTITIONS = 100_000;
export const UNPARTITIONED_KEY = '__unpartitioned__';

/** The key expression for `column` (already quoted), never NULL. */
export function partitionKeySql(dialect: SqlDialect, column: string, spec: PartitionSpec): string {
  if (spec.kind === 'time') return `coalesce(${dialect.timePartitionKey(column, spec.granularity)}, '${NULL_KEY}')`;
  const bucket = `${spec.start} + ${dialect.intDivide(`${column} - ${spec.start}`, String(spec.interval))} * ${spec.interval}`;
  return `case when ${column} is null then '${NULL_KEY}' when ${column} < ${spec.start} or ${column} >= ${spec.end} then '${UNPARTITIONED_KEY}' else ${dialect.intToText(bucket)} end`;
}

/** A condition selecting the rows of the given keys; consecutive time keys become one range. */
export function partitionsCondition(dialect: SqlDialect, column: string, spec: PartitionSpec, keys: readonly string[]): string {
  if (keys.length === 0) return '1 = 0';
  const parts: string[] = [];
  if (keys.includes(NULL_KEY)) parts.push(`${column} is null`);
  const real = [...new Set(keys.filter((k) => k !== NULL_KEY))];
  if (spec.kind === 'int') {
    for (const key of real) {
      parts.push(key === UNPARTITIONED_KEY
        ? `${column} < ${spec.start} or ${column} >= ${spec.end}`
        : `${column} >= ${Number(key)} and ${column} < ${Math.min(Number(key) + spec.interval, spec.end)}`);
    }
  } else {
    for (const [start, end] of timeRanges(real, spec.granularity)) parts.push(dialect.timeRange(column, start, end));
  }
  return parts.length === 1 ? parts[0]! : parts.map((c) => `(${c})`).join(' or ');
}


/** Sorted, merged [start, end) ranges covering the time keys. */
function timeRanges(keys: readonly string[], granularity: Granularity): [string, string][] {
  const ranges: [string, string][] = [];
  for (const key of [...keys].sort()) {
    const start = keyStart(key);
    const end = addPeriods(start, granularity, 1);
    const last = ranges[ranges.length - 1];
    if (last && last[1] === start) last[1] = end;
    else ranges.push([start, end]);
  }
  return ranges;
}

/** `2026-06-01` -> `2026-06-01 00:00:00`. */
export function keyStart(key: string): string {
  return key.length === 10 ? `${key} 00:00:00` : key;
}

/** The key of the period `datetime` falls in. */
export function timeKey(datetime: string, granularity: Granularity): string {
  const d = toDate(datetime);
  switch (granularity) {
    case 'hour': return `${iso(d).slice(0, 13)}:00:00`;
    case 'day': return iso(d).slice(0, 10);
    case 'month': return `${iso(d).slice(0, 7)}-01`;
    case 'year': return `${iso(d).slice(0, 4)}-01-01`;
  }
}

/** `datetime` moved by `n` periods (may be negative), as `YYYY-MM-DD HH:MM:SS`. */
export function addPeriods(datetime: string, granularity: Granularity, n: number): string {
  const d = toDate(datetime);
  if (granularity === 'hour') d.setUTCHours(d.getUTCHours() + n);
  else if (granularity === 'day') d.setUTCDate(d.getUTCDate() + n);
  else if (granularity === 'month') d.setUTCMonth(d.getUTCMonth() + n);
  else d.setUTCFullYear(d.getUTCFullYear() + n);
  return iso(d);
}

/** Every key from the period of `first` to the period of `last`, both included. */
export function keysBetween(first: string, last: string, granularity: Granularity): string[] {
  const keys: string[] = [];
  const lastKey = timeKey(last, granularity);
  for (let at = keyStart(timeKey(first, granularity)); ; at = addPeriods(at, granularity, 1)) {
    const key = timeKey(at, granularity);
    if (key > lastKey) break;
    keys.push(key);
    if (keys.length > MAX_PARTITIONS) {
      throw new UserError('BAD_ARGUMENT', `${first} to ${last} by ${granularity} is more than ${MAX_PARTITIONS.toLocaleString('en-US')} partitions`, {
        hint: 'narrow --start/--end (or begin), or use a coarser granularity / batch_size',
      });
    }
  }
  return keys;
}

/** The [start, end) window of a time key. */
export function keyWindow(key: string, spec: TimePartition): { start: string; end: string; partition: string } {
  const start = keyStart(key);
  return { start, end: addPeriods(start, spec.granularity, 1), partition: key };
}

export function isTimeKey(key: string): boolean {
  return /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(key);
}

/** A key the engine can have computed for `spec`: checked before it goes into SQL. */
export function isPartitionKey(key: string, spec: PartitionSpec): boolean {
  if (key === NULL_KEY) return true;
  return spec.kind === 'time' ? isTimeKey(key) : key === UNPARTITIONED_KEY || /^-?\d+$/.test(key);
}

/** Int bucket keys from `first` to `last` present in a range (for gap detection). */
export function intKeysBetween(first: number, last: number, spec: IntPartition): string[] {
  const keys: string[] = [];
  for (let k = first; k <= last; k += spec.interval) keys.push(String(k));
  return keys;
}

function toDate(datetime: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(datetime);
  if (!m) throw new Error(`not a date or timestamp: ${datetime}`);
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), 0);
  return d;
}

function iso(d: Date): string {
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  const p = (n: number) => String(n).padStart(2, '0');
  return `${y}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
