// Secrets come from environment variables named SF_SECRET_* (and the Postgres password
// variables). Their values are scrubbed from anything sf prints or writes.

export const SECRET_ENV_PREFIX = 'SF_SECRET_';
const EXTRA_SECRET_VARS = ['SF_PG_PASSWORD', 'PGPASSWORD', 'DATABASE_URL'];

/** dbt's prefix for secret environment variables: masked too. */
export const DBT_SECRET_ENV_PREFIX = 'DBT_ENV_SECRET_';

export function isSecretEnvName(name: string): boolean {
  return name.startsWith(SECRET_ENV_PREFIX) || name.startsWith(DBT_SECRET_ENV_PREFIX) || EXTRA_SECRET_VARS.includes(name);
}

export function secretValues(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= 3 && isSecretEnvName(name)) values.push(value);
  }
  // Longest first so a secret containing another is replaced whole.
  return values.sort((a, b) => b.length - a.length);
}

/** Whether `value`, or any string in it (arrays and objects are searched), holds one of `secrets`. */
export function holdsSecret(value: unknown, secrets: readonly string[], seen = new Set<unknown>()): boolean {
  if (secrets.length === 0 || value === null || value === undefined) return false;
  if (typeof value === 'string') return secrets.some((s) => value.includes(s));
  if (typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  return Object.entries(value).some(([k, v]) => holdsSecret(k, secrets) || holdsSecret(v, secrets, seen));
}

/**
 * A copy of `fields` (a template's `target`) where reading a field that holds a secret gives
 * `refuse(key)` instead: a template may see the object, never that value.
 */
export function guardSecretFields(fields: object, secrets: readonly string[], refuse: (key: string) => unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...fields };
  for (const [key, value] of Object.entries(fields)) {
    if (holdsSecret(value, secrets)) Object.defineProperty(copy, key, { enumerable: true, get: () => refuse(key) });
  }
  return copy;
}

/** Replace every secret value in `text` with `***`, and mask passwords in URLs. */
export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return redactWith(text, secretValues(env));
}

/** `redact` with the secrets already listed: for many lines, since reading the environment is not free. */
export function redactWith(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const value of secrets) {
    out = out.split(value).join('***');
    // As it appears inside JSON (a quote or backslash in it escaped).
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) out = out.split(escaped).join('***');
  }
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1***@');
}
