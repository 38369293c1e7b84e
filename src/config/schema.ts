import { z } from 'zod';
import { isSecretEnvName } from '../util/secrets.js';
import { MATERIALIZATIONS } from './types.js';

const identifier = z.string().min(1);
const threads = z.number().int().min(1).max(64).optional();

export const modelSettingsSchema = z.strictObject({
  materialized: z.enum(MATERIALIZATIONS as [string, ...string[]]).optional(),
  tags: z.array(identifier).optional(),
  schema: identifier.optional(),
  alias: identifier.optional(),
  enabled: z.boolean().optional(),
});

const targetSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('duckdb'), path: z.string().min(1), schema: identifier.optional(), threads }),
  z.strictObject({ type: z.literal('sqlite'), path: z.string().min(1), threads }),
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
  }).refine(
    (t) => t.urlEnv === undefined || (t.host ?? t.port ?? t.user ?? t.database) === undefined,
    { message: 'give either urlEnv or host/port/user/database, not both: the URL names the server', path: ['urlEnv'] },
  ),
]);

export const configSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a name of letters, digits and _ (not starting with a digit)'),
  targets: z.record(z.string(), targetSchema).refine((t) => Object.keys(t).length > 0, 'at least one target'),
  defaultTarget: z.string().optional(),
  models: z.record(z.string(), modelSettingsSchema).optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  sources: z
    .record(identifier, z.strictObject({ schema: identifier.optional(), tables: z.array(identifier).min(1) }))
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
export function formatZodIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    let message = issue.message.replace(/^Invalid input: /, '');
    if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    return path ? `${path}: ${message}` : message;
  });
}
