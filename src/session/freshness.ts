// `sf source freshness`: for each source table declaring freshness (dbt's loaded_at_field and
// warn_after / error_after), the newest row against now (or the `sf_now` var), read-only.
// A table that does not exist is a `runtime error` naming it, as dbt reports it.
import { sql } from 'kysely';
import { openAdapter } from '../adapters/registry.js';
import { sourceRelation, splitSourceKey } from '../config/sources.js';
import type { FreshnessRule } from '../config/types.js';
import { freshnessSql, freshnessVerdict, missingLoadedAtField, parseTimestamp } from '../plan/quality/freshness.js';
import { UserError } from '../util/errors.js';
import type { LoadedProject } from './project.js';

export interface FreshnessResult {
  /** `raw.orders` */
  readonly source: string;
  readonly relation: string;
  readonly status: 'pass' | 'warn' | 'error' | 'runtime error';
  readonly maxLoadedAt: string | null;
  readonly snapshottedAt: string;
  readonly ageSeconds: number | null;
  readonly message: string;
  readonly criteria: FreshnessRule;
  readonly file: string;
  readonly line?: number | undefined;
  readonly seconds: number;
}

/** The tables to check: all with freshness, or those `source:name[.table]` selects, less those excluded. */
export function freshnessTargets(project: LoadedProject, select: readonly string[] = [], exclude: readonly string[] = []): string[] {
  const all = Object.entries(project.config.sources).flatMap(([name, s]) =>
    Object.values(s.details).filter((d) => d.freshness).map((d) => `${name}.${d.name}`));
  const wanted = select.map((s) => s.replace(/^source:/, ''));
  for (const w of wanted) {
    if (!all.some((k) => k === w || k.startsWith(`${w}.`))) {
      throw new UserError('SELECTION', `'${w}' selects no source table that declares freshness`, {
        hint: all.length ? `declared: ${all.join(', ')}` : 'declare loaded_at_field and freshness on a source (see README, "Sources")',
      });
    }
  }
  const hits = (terms: readonly string[], k: string) => terms.some((w) => k === w || k.startsWith(`${w}.`));
  const excluded = exclude.map((s) => s.replace(/^source:/, ''));
  return all.filter((k) => (wanted.length === 0 || hits(wanted, k)) && !hits(excluded, k));
}

export function freshnessClock(project: LoadedProject, now: Date): Date {
  const pinned = project.config.vars['sf_now'];
  if (pinned === undefined) return now;
  const clock = parseTimestamp(String(pinned));
  if (!clock) throw new UserError('CONFIG_INVALID', `var sf_now '${String(pinned)}' is not a timestamp`, { location: { file: project.config.configPath }, hint: "write it as 'YYYY-MM-DD HH:MM:SS' (UTC)" });
  return clock;
}

/** With `warnError`, a table past warn_after is an error, as `--warn-error` asks. */
export async function sourceFreshness(project: LoadedProject, keys: readonly string[], now: Date, warnError: boolean, onResult?: (r: FreshnessResult, i: number) => void): Promise<FreshnessResult[]> {
  const clock = freshnessClock(project, now);
  const adapter = await openAdapter(project.target, project.config.projectDir);
  const results: FreshnessResult[] = [];
  try {
    for (const key of keys) {
      const t0 = performance.now();
      const [source, table] = splitSourceKey(key);
      const detail = project.config.sources[source]!.details[table]!;
      const relation = sourceRelation(project.config.sources, source, table);
      const base = {
        source: key, relation: `${relation.schema}.${relation.name}`, snapshottedAt: clock.toISOString(), criteria: detail.freshness!,
        file: detail.file, line: detail.line,
      };
      let result: FreshnessResult;
      try {
        const columns = await adapter.describeColumns(adapter.db, relation);
        if (columns.length === 0) throw new Error(`table ${relation.schema}.${relation.name} does not exist in the target`);
        const badField = missingLoadedAtField(adapter.dialect, detail.loadedAtField!, relation, columns);
        if (badField) throw new Error(badField);
        const row = await sql.raw<{ max_loaded_at: unknown }>(freshnessSql(adapter.dialect, relation, detail.loadedAtField!, detail.freshness!.filter)).execute(adapter.db);
        const newest = row.rows[0]?.max_loaded_at;
        const v = freshnessVerdict(newest === null || newest === undefined ? null : String(newest), clock, detail.freshness!);
        result = { ...base, status: warnError && v.status === 'warn' ? 'error' : v.status, maxLoadedAt: v.maxLoadedAt, ageSeconds: v.ageSeconds, message: v.summary, seconds: (performance.now() - t0) / 1000 };
      } catch (err) {
        const message = err instanceof Error && !('code' in err) ? err.message : adapter.describeError(err).message;
        result = { ...base, status: 'runtime error', maxLoadedAt: null, ageSeconds: null, message, seconds: (performance.now() - t0) / 1000 };
      }
      results.push(result);
      onResult?.(result, results.length);
    }
    return results;
  } finally {
    await adapter.close();
  }
}
