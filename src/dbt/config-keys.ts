// dbt's config keys, as sf treats them wherever a model's config is written (dbt_project.yml,
// `config()` in a model, a property file's `config:`):
//   sf's own        ModelSettings (dbt's names): applied.
//   no effect       dbt configs that change nothing sf builds (docs, metadata, access): accepted quietly.
//   not applied     dbt configs sf does not carry out yet (grants, contracts, sql_header): one
//                   warning each, so a difference is never silent.
//   other engines   keys of warehouses sf does not target (cluster_by, sort, file_format, ...): one
//                   warning each.
//   near miss       an unknown key within typing distance of a known one: an error with the suggestion.
//   custom          any other key: kept (config.get reads it), as dbt keeps custom configs.
import { MODEL_SETTING_KEYS } from '../config/schema.js';
import { closest } from '../util/suggest.js';

const NO_EFFECT = [
  'docs', 'persist_docs', 'meta', 'description', 'group', 'access', 'quoting', 'static_analysis',
  'on_configuration_change', 'deprecation_date', 'latest_version', 'version', 'freshness', 'compiled_code',
];

/** dbt configs whose effect sf does not reproduce yet: reported once, never silently dropped. */
const NOT_APPLIED: Readonly<Record<string, string>> = {
  sql_header: 'sf does not run sql_header yet',
  grants: 'sf does not apply grants yet',
  contract: 'sf does not enforce model contracts yet',
  database: 'sf builds in the target\'s database',
  unlogged: 'sf creates ordinary (logged) tables',
  packages: 'sf does not run Python models', submission_method: 'sf does not run Python models',
};

/** Configs of other warehouses' adapters (BigQuery, Snowflake, Redshift, Databricks/Spark, ...). */
const OTHER_ENGINES = [
  // BigQuery
  'cluster_by', 'partition_expiration_days', 'require_partition_filter', 'kms_key_name', 'labels',
  'hours_to_expiration', 'policy_tags', 'max_staleness', 'enable_refresh', 'refresh_interval_minutes',
  'grant_access_to', 'resource_tags', 'enable_list_inference', 'intermediate_format', 'job_execution_timeout_seconds',
  // Snowflake
  'transient', 'automatic_clustering', 'copy_grants', 'secure', 'snowflake_warehouse', 'query_tag',
  'tmp_relation_type', 'table_format', 'external_volume', 'base_location_root', 'base_location_subpath',
  'target_lag', 'warehouse', 'row_access_policy', 'table_tag',
  // Redshift
  'sort', 'dist', 'sort_type', 'bind', 'backup', 'autorefresh', 'auto_refresh',
  // Databricks / Spark
  'file_format', 'location_root', 'clustered_by', 'buckets', 'tblproperties', 'liquid_clustered_by',
  'auto_liquid_cluster', 'zorder', 'compression', 'include_full_name_in_path', 'databricks_tags', 'options',
  // Trino, Athena, others
  'properties', 'views_enabled', 'table_type', 'external_location', 'format', 'write_compression',
  'location', 'plugin', 'external',
];

export type KeyKind = 'sf' | 'no-effect' | 'not-applied' | 'other-engine' | 'custom';

const KNOWN = new Map<string, KeyKind>([
  ...MODEL_SETTING_KEYS.map((k) => [k, 'sf'] as const),
  ...NO_EFFECT.map((k) => [k, 'no-effect'] as const),
  ...Object.keys(NOT_APPLIED).map((k) => [k, 'not-applied'] as const),
  ...OTHER_ENGINES.map((k) => [k, 'other-engine'] as const),
]);

export interface KeyVerdict {
  readonly kind: KeyKind;
  /** For not-applied and other-engine keys: the warning; for a near miss: the error. */
  readonly message?: string | undefined;
  readonly error?: boolean | undefined;
}

/** What sf does with config key `key` of a model (`extra`: keys valid in this place too, e.g. a seed's). */
/** dbt_project.yml spells hooks `pre-hook`; config() can only write `pre_hook`: one name for both. */
export function canonicalKey(key: string): string {
  const name = key.replace(/^\+/, '');
  return name === 'pre-hook' ? 'pre_hook' : name === 'post-hook' ? 'post_hook' : name;
}

export function judgeConfigKey(key: string, extra: readonly string[] = []): KeyVerdict {
  const name = canonicalKey(key);
  if (extra.includes(name)) return { kind: 'sf' };
  const kind = KNOWN.get(name);
  if (kind === 'not-applied') return { kind, message: `config '${name}' is not applied: ${NOT_APPLIED[name]}` };
  if (kind === 'other-engine') return { kind, message: `config '${name}' belongs to another warehouse's adapter; sf ignores it` };
  if (kind) return { kind };
  const near = closest(name, [...KNOWN.keys(), ...extra]);
  if (near && near !== name) return { kind: 'custom', error: true, message: `unknown config '${name}': did you mean '${near}'?` };
  return { kind: 'custom' };
}

/** A seed's configs sf applies (dbt's names), besides a model's that also fit a seed. */
export const SEED_CONFIG_KEYS = ['schema', 'alias', 'column_types', 'delimiter', 'quote_columns', 'enabled', 'tags', 'indexes', 'pre_hook', 'post_hook'];

/** A seed's hooks as dbt_project.yml or a property file write them (one, or a list; `{sql: ...}` too), as a list. */
export function seedHooks<T extends { pre_hook?: unknown; post_hook?: unknown }>(settings: T): T {
  const list = (v: unknown): string[] => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]))
    .map((h: unknown) => (h && typeof h === 'object' && 'sql' in h ? String((h as { sql: unknown }).sql) : String(h)));
  const { pre_hook: pre, post_hook: post } = settings;
  return {
    ...settings,
    ...(pre !== undefined ? { pre_hook: list(pre) } : {}),
    ...(post !== undefined ? { post_hook: list(post) } : {}),
  };
}

/** A source's configs sf applies (dbt's names), as dbt_project.yml's `sources:` may set them. */
export const SOURCE_CONFIG_KEYS = ['enabled', 'freshness', 'loaded_at_field', 'event_time'];

/** A data test's configs (dbt's names), as dbt_project.yml's `tests:` may set them. */
export const TEST_CONFIG_KEYS = ['severity', 'store_failures', 'store_failures_as', 'warn_if', 'error_if', 'limit', 'where', 'enabled', 'tags', 'meta', 'fail_calc'];

export interface ConfigEntry {
  readonly key: string;
  readonly value: unknown;
  readonly line: number;
}

/**
 * The configs at one path as an object of sf's keys; the others judged (config-keys.ts). A
 * project's own keys (not dbt's) go to `custom`, for config.get in templates.
 */
export function configsOf(entries: readonly ConfigEntry[], extra: readonly string[], report: (line: number, message: string, error: boolean) => void, custom?: Record<string, unknown>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const e of entries) {
    const verdict = judgeConfigKey(e.key, extra);
    if (verdict.message) report(e.line, verdict.message, verdict.error ?? false);
    if (verdict.kind === 'custom' && !verdict.error && custom) custom[e.key.replace(/^\+/, '')] = e.value;
    if (verdict.kind !== 'sf') continue;
    const key = canonicalKey(e.key);
    // Hooks add up across levels (mergeSettings); at one level, a later entry replaces.
    if (key !== e.key.replace(/^\+/, '')) {
      settings[key] = e.value;
      continue;
    }
    // Tags add up across levels; a single tag may be written as a string.
    if (e.key === 'tags') settings['tags'] = [...((settings['tags'] as string[] | undefined) ?? []), ...(Array.isArray(e.value) ? e.value.map(String) : [String(e.value)])];
    else settings[e.key] = e.value;
  }
  return settings;
}

