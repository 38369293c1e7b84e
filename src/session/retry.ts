// `sf retry`: run again exactly what failed or was skipped in the last build/run/seed, as dbt's
// retry does, from target/run_results.json — the same command, target and vars; a batched model
// re-runs only its failed and skipped partitions.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunArgs } from '../artifacts/write.js';
import { targetDir } from '../artifacts/paths.js';
import { UserError } from '../util/errors.js';

export interface RetryPlan {
  readonly args: RunArgs;
  /** Node names to run again. */
  readonly select: readonly string[];
  /** Batched models: the partitions to build again. */
  readonly partitions: ReadonlyMap<string, readonly string[]>;
}

interface SavedResult {
  unique_id: string;
  status: string;
  batches?: { partition: string; status: string; start: string | null }[];
}

/** What to retry; `undefined` when the last run succeeded. */
export function retryPlan(projectDir: string): RetryPlan | undefined {
  const file = join(targetDir(projectDir), 'run_results.json');
  if (!existsSync(file)) {
    throw new UserError('BAD_ARGUMENT', `no previous run to retry: ${file} does not exist`, { hint: 'run sf build (or run, seed) first' });
  }
  let saved: { args?: RunArgs; results?: SavedResult[] };
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError('BAD_ARGUMENT', `cannot read ${file}: ${(err as Error).message}`, { hint: 'run sf build again instead' });
  }
  const args = saved.args;
  if (!args || !['build', 'run', 'seed'].includes(args.command) || !Array.isArray(saved.results)) {
    throw new UserError('BAD_ARGUMENT', `${file} was not written by sf build, run or seed of this version`, { hint: 'run the command again instead' });
  }
  const failed = saved.results.filter((r) => r.status !== 'success');
  if (failed.length === 0) return undefined;
  const partitions = new Map<string, string[]>();
  for (const r of failed) {
    // Batches that never got a window (the prepare unit) are not partitions.
    const again = (r.batches ?? []).filter((b) => b.status !== 'success' && b.start !== null).map((b) => b.partition);
    if (again.length) partitions.set(nodeName(r.unique_id), again);
  }
  // A failed source check is planned again with the models reading it (they were skipped).
  const select = failed.filter((r) => !r.unique_id.startsWith('source.')).map((r) => nodeName(r.unique_id));
  return { args, select, partitions };
}

/** `model.shopflow.fact_sales` -> `fact_sales`, `test.shopflow.assert_x` -> `assert_x`. */
function nodeName(uniqueId: string): string {
  return uniqueId.split('.').slice(2).join('.');
}
