// Which partitions a batched run builds, one batch each:
//   --start/--end (or dbt's --event-time-start/--event-time-end) ... exactly that range;
//   --missing / sf backfill ... the gaps between the first and last partition the ledger has
//                               built (never built, or whose last attempt failed);
//   sf retry ...................... the partitions that failed or were skipped last time;
//   microbatch, none of those ...... from `begin` on a first build; else the last `lookback`
//                                    periods up to now (dbt), and back to the last built
//                                    partition when runs were missed (sf).
// Models that are not batched return undefined and run as one unit.
import type { IncrementalSpec, TimePartition } from '../../compiler/incremental-settings.js';
import type { LedgerEntry } from '../ledger.js';
import { addPeriods, isTimeKey, keysBetween, keyStart, timeKey } from '../partitions.js';

export interface BatchRequest {
  readonly fullRefresh: boolean;
  /** Inclusive of the partition holding `end`, unless `endExclusive` (dbt's --event-time-end). */
  readonly range?: { readonly start: string; readonly end: string; readonly endExclusive: boolean } | undefined;
  readonly missing: boolean;
  /** Model name -> the partition keys to build again (sf retry). */
  readonly retry?: ReadonlyMap<string, readonly string[]> | undefined;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  readonly now: string;
}

export function batchKeys(
  model: string,
  spec: IncrementalSpec,
  isIncremental: boolean,
  ledger: readonly LedgerEntry[],
  request: BatchRequest,
): string[] | undefined {
  const part = spec.partition?.kind === 'time' ? spec.partition : undefined;
  if (!part || (spec.strategy !== 'insert_overwrite' && spec.strategy !== 'microbatch')) return undefined;
  const retry = request.retry?.get(model);
  if (retry) return [...new Set(retry.filter(isTimeKey))].sort();
  if (request.range) return rangeKeys(part, request.range);
  const begin = spec.strategy === 'microbatch' ? spec.begin : undefined;
  // Without a table there are no gaps: the model's first build follows.
  if (request.missing && isIncremental) return missingKeys(part, ledger, begin);
  if (spec.strategy !== 'microbatch') return undefined;
  if (!isIncremental) return keysBetween(begin!, request.now, part.granularity);
  const now = timeKey(request.now, part.granularity);
  let first = addPeriods(keyStart(now), part.granularity, -spec.lookback);
  const last = lastBuilt(ledger);
  // Runs were missed (or a first build never finished): go back to what is built, or to begin.
  const resume = last === undefined ? keyStart(timeKey(begin!, part.granularity)) : addPeriods(keyStart(last), part.granularity, 1);
  if (resume < first) first = resume;
  return keysBetween(first, request.now, part.granularity);
}

/** The partition keys --start/--end covers. */
export function rangeKeys(part: TimePartition, range: NonNullable<BatchRequest['range']>): string[] {
  const keys = keysBetween(range.start, range.end, part.granularity);
  return range.endExclusive ? keys.filter((k) => keyStart(k) < range.end) : keys;
}

/** Keys between the first (or `begin`) and the last built partition that are not built now. */
export function missingKeys(part: TimePartition, ledger: readonly LedgerEntry[], begin?: string): string[] {
  const keys = ledger.map((e) => e.partition).filter(isTimeKey).sort();
  if (keys.length === 0) return [];
  const first = begin !== undefined && keyStart(timeKey(begin, part.granularity)) < keyStart(keys[0]!) ? begin : keys[0]!;
  const built = new Set(ledger.filter((e) => e.status === 'success').map((e) => e.partition));
  return keysBetween(first, keys[keys.length - 1]!, part.granularity).filter((k) => !built.has(k));
}

/** The newest partition whose last write succeeded. */
export function lastBuilt(ledger: readonly LedgerEntry[]): string | undefined {
  const built = ledger.filter((e) => e.status === 'success' && isTimeKey(e.partition)).map((e) => e.partition).sort();
  return built[built.length - 1];
}
