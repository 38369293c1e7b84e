import { z } from 'zod';
import { isSecretEnvName } from '../util/secrets.js';
import { closest } from '../util/suggest.js';
import { keysAt } from './errors.js';
import { GRANULARITIES, INCREMENTAL_STRATEGIES, MATERIALIZATIONS, ON_SCHEMA_CHANGE } from './types.js';

const identifier = z.string().min(1);
const threads = z.number().int().min(1).max(64).optional();
const lockTimeout = z.number().min(0).max(86_400).optional();
const retries = z.number().int().min(0).max(20).optional();
/** `sf estimate`'s limits for this target. */
const limits = z.strictObject({
  nodeRowsPerSecond: z.number().positive().optional(),
  buildBudgetSeconds: z.number().positive().optional(),
  storageBudgetBytes: z.number().positive().optional(),
}).optional();
const oneOf = (values: readonly string[]) => z.enum(values as [string, ...string[]]);
const columnList = z.array(identifier);
/** `YYYY-MM-DD` or `YYYY-MM-DD[ T]HH:MM[:SS]`, read as UTC. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]00:?00)?$/;

/** A date or timestamp in DATE_TIME's form that names a real moment (no month 13, no 25:00). */
export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1).map((x) => (x === undefined ? undefined : Number(x))) as number[];
  const date = new Date(0);
  date.setUTCFullYear(y!, mo! - 1, d!);
  return date.getUTCMonth() === mo! - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

const partitionBySchema = z.union([
  identifier,
  z.strictObject({
    field: identifier,
    data_type: z.enum(['date', 'timestamp', 'datetime', 'int64']).optional(),
    granularity: oneOf(GRANULARITIES).optional(),
    range: z.strictObject({ start: z.number().int(), end: z.number().int(), interval: z.number().int().positive() }).optional(),
  }),
]);

/** dbt's hook forms: SQL, {sql, transaction}, or a list of either; kept as the list of SQL templates. */
const hooks = z.union([z.string(), z.strictObject({ sql: z.string(), transaction: z.boolean().optional() }), z.array(z.union([z.string(), z.strictObject({ sql: z.string(), transaction: z.boolean().optional() })]))])
  .transform((v) => (Array.isArray(v) ? v : [v]).map((h) => (typeof h === 'string' ? h : h.sql)));

/** dbt-postgres' indexes of a table, incremental model or seed: created with the table (PostgreSQL only, as dbt's adapters do). */
export const indexesSchema = z.array(z.strictObject({
  columns: z.array(identifier).min(1),
  unique: z.boolean().optional(),
  type: z.string().regex(/^[a-z_]+$/i, 'an index method name: btree, hash, gin, gist, brin, ...').optional(),
}));

export const modelSettingsSchema = z.strictObject({
  materialized: oneOf(MATERIALIZATIONS).optional(),
  tags: z.array(identifier).optional(),
  schema: identifier.optional(),
  alias: identifier.optional(),
  enabled: z.boolean().optional(),
  incremental_strategy: oneOf(INCREMENTAL_STRATEGIES).optional(),
  // '' and [] are dbt's "no key".
  unique_key: z.union([z.string(), z.array(z.string())]).optional(),
  partition_by: partitionBySchema.optional(),
  partitions: z.array(identifier).optional(),
  merge_update_columns: columnList.optional(),
  merge_exclude_columns: columnList.optional(),
  incremental_predicates: z.array(identifier).optional(),
  predicates: z.array(identifier).optional(),
  on_schema_change: oneOf(ON_SCHEMA_CHANGE).optional(),
  full_refresh: z.boolean().optional(),
  event_time: identifier.optional(),
  batch_size: oneOf(GRANULARITIES).optional(),
  begin: z.string().refine(isDateTime, 'a date or timestamp: YYYY-MM-DD or YYYY-MM-DD HH:MM:SS').optional(),
  lookback: z.number().int().min(0).optional(),
  concurrent_batches: z.boolean().optional(),
  batch_concurrency: z.number().int().min(1).max(64).optional(),
  max_quarantine_rate: z.number().min(0).max(1).optional(),
  indexes: indexesSchema.optional(),
  pre_hook: hooks.optional(),
  post_hook: hooks.optional(),
});

/** Config keys a model may set, for hints. */
export const MODEL_SETTING_KEYS = Object.keys(modelSettingsSchema.shape);

export const targetSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('duckdb'), path: z.string().min(1), schema: identifier.optional(), threads, lockTimeout, retries, limits }),
  z.strictObject({ type: z.literal('sqlite'), path: z.string().min(1), threads, lockTimeout, retries, limits }),
  z.strictObject({
    type: z.literal('postgres'),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    user: z.string().min(1).optional(),
    database: z.string().min(1).optional(),
    schema: identifier.optional(),
    threads,
    sslmode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).optional(),
    urlEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .refine(isSecretEnvName, 'name DATABASE_URL or a variable starting with SF_SECRET_, so sf masks its value in output')
      .optional(),
    passwordEnv: z.string().refine(isSecretEnvName, 'a secret variable name (SF_SECRET_*, DBT_ENV_SECRET_*, SF_PG_PASSWORD, PGPASSWORD), so sf masks its value').optional(),
    lockTimeout,
    retries,
    limits,
  }).refine(
    (t) => t.urlEnv === undefined || (t.host ?? t.port ?? t.user ?? t.database) === undefined,
    { message: 'give either urlEnv or host/port/user/database, not both: the URL names the server', path: ['urlEnv'] },
  ),
]);

const threshold = z.strictObject({ count: z.number().int().positive(), period: z.enum(['minute', 'hour', 'day']) });
/** dbt's freshness block (also read from property files: sources.ts). */
export const freshnessSchema = z.strictObject({ warn_after: threshold.optional(), error_after: threshold.optional(), filter: z.string().optional() });

/** dbt's warn_if / error_if on a failure count: `!=0`, `>10`, `>=5`, `<3`, `=0`. */
export const COUNT_CONDITION = /^\s*(!=|<>|>=|<=|==|=|>|<)\s*(-?\d+)\s*$/;
const countCondition = z.string().regex(COUNT_CONDITION, 'a condition on the failure count, e.g. ">10"');

/** A singular test's `{{ config(...) }}`: dbt's test settings. */
export const singularTestConfigSchema = z.strictObject({
  fail_calc: z.string().optional(),
  severity: z.string().transform((v) => v.toLowerCase()).pipe(z.enum(['error', 'warn'])).optional(),
  warn_if: countCondition.optional(),
  error_if: countCondition.optional(),
  limit: z.number().int().nonnegative().optional(),
  store_failures: z.boolean().optional(),
  tags: z.union([z.string(), z.array(z.string())]).optional(),
  enabled: z.boolean().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type SingularTestConfig = z.infer<typeof singularTestConfigSchema>;

export const configSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a name of letters, digits and _ (not starting with a digit)'),
  targets: z.record(z.string(), targetSchema).refine((t) => Object.keys(t).length > 0, 'at least one target'),
  defaultTarget: z.string().optional(),
  models: z.record(z.string(), modelSettingsSchema).optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  sources: z
    .record(identifier, z.strictObject({
      schema: identifier.optional(),
      loaded_at_field: z.string().min(1).optional(),
      freshness: freshnessSchema.optional(),
      tables: z.array(z.union([identifier, z.strictObject({
        name: identifier,
        identifier: identifier.optional(),
        event_time: identifier.optional(),
        loaded_at_field: z.string().min(1).optional(),
        freshness: freshnessSchema.nullable().optional(),
      })])).min(1),
    }))
    .optional(),
  seeds: z
    .strictObject({
      schema: identifier.optional(),
      columnTypes: z.record(z.string(), z.record(z.string(), z.string().min(1))).optional(),
      delimiter: z.string().length(1).optional(),
    })
    .optional(),
});

/** `targets.dev.path: expected string, received number` — one line per problem. */
export function formatZodIssues(error: z.ZodError, prefix = '', schema?: z.ZodType): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    let message = issue.message.replace(/^Invalid input: /, '');
    if (issue.code === 'unrecognized_keys') {
      const known = schema ? keysAt(schema, issue.path) : [];
      message = `unknown key(s) ${issue.keys.map((k) => `'${k}'${suggestion(k, known)}`).join(', ')}`;
    }
    // With safeParse's reportInput: the value given, and the closest allowed one.
    if (issue.code === 'invalid_value' && typeof issue.input === 'string') {
      const values = issue.values.map(String);
      message = `'${issue.input}' is not one of ${values.join(', ')}${suggestion(issue.input, values)}`;
    }
    return path ? `${path}: ${message}` : message;
  });
}

const suggestion = (given: string, candidates: readonly string[]) => {
  const near = closest(given, candidates);
  return near ? ` (did you mean '${near}'?)` : '';
};
