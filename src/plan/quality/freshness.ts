// dbt's source freshness: the newest `loaded_at_field` of a source table against "now", judged
// by `warn_after` / `error_after` (a count of minutes, hours or days). Timestamps without a
// zone are taken as UTC, as dbt does. The newest value is read as text, so every engine's
// timestamp type (and SQLite's text) compares the same way.
import type { Relation, SqlDialect } from '../../adapters/types.js';
import type { FreshnessRule, FreshnessThreshold } from '../../config/types.js';

const SECONDS: Record<FreshnessThreshold['period'], number> = { minute: 60, hour: 3600, day: 86400 };

export function freshnessSql(dialect: SqlDialect, relation: Relation, loadedAtField: string, filter?: string): string {
  return `select cast(max(${loadedAtField}) as text) as max_loaded_at\nfrom ${dialect.renderRelation(relation)}${filter ? `\nwhere ${filter}` : ''}`;
}

/** A loaded_at_field naming a column the table lacks (an expression is not checked), in words. */
export function missingLoadedAtField(dialect: SqlDialect, field: string, relation: Relation, columns: readonly { name: string }[]): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field) || columns.some((c) => dialect.sameIdentifier(c.name, field))) return undefined;
  return `loaded_at_field '${field}' is not a column of ${relation.schema}.${relation.name} (${columns.map((c) => c.name).join(', ')})`;
}

export interface FreshnessVerdict {
  readonly status: 'pass' | 'warn' | 'error';
  /** ISO time of the newest row, or null when the table has none. */
  readonly maxLoadedAt: string | null;
  readonly ageSeconds: number | null;
  /** `newest row 2026-06-17 10:44:20 (13h 15m ago), error after 1 day` */
  readonly summary: string;
}

export function freshnessVerdict(newest: string | null, now: Date, rule: FreshnessRule): FreshnessVerdict {
  const limits = [rule.error_after && `error after ${threshold(rule.error_after)}`, rule.warn_after && `warn after ${threshold(rule.warn_after)}`]
    .filter(Boolean).join(', ');
  if (newest === null) return { status: 'error', maxLoadedAt: null, ageSeconds: null, summary: `has no rows to measure freshness from (${limits})` };
  const loaded = parseTimestamp(newest);
  if (!loaded) return { status: 'error', maxLoadedAt: newest, ageSeconds: null, summary: `its loaded_at_field gave '${newest}', which is not a timestamp` };
  const age = (now.getTime() - loaded.getTime()) / 1000;
  const over = (t?: FreshnessThreshold) => t !== undefined && age > t.count * SECONDS[t.period];
  const status = over(rule.error_after) ? 'error' : over(rule.warn_after) ? 'warn' : 'pass';
  const shown = loaded.toISOString().slice(0, 19).replace('T', ' ');
  return { status, maxLoadedAt: loaded.toISOString(), ageSeconds: age, summary: `newest row ${shown} UTC is ${duration(age)} old at ${now.toISOString().slice(0, 19).replace('T', ' ')} UTC (${limits})` };
}

/** `2026-06-17 10:44:20[.123][+00[:00]|Z]` or a date; no zone means UTC. */
export function parseTimestamp(text: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
  if (!m) return undefined;
  let zone = m[3] ?? 'Z';
  if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
  else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = new Date(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function threshold(t: FreshnessThreshold): string {
  return `${t.count} ${t.period}${t.count === 1 ? '' : 's'}`;
}

function duration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  const sign = seconds < 0 ? '-' : '';
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${sign}${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${sign}${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}
