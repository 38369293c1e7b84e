/** Small PostgreSQL helpers for tests. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface PgSchema {
  /** The schema's (unquoted, lower-case) name. */
  schema: string;
  /** DROP SCHEMA ... CASCADE. Safe to call more than once. */
  drop(): Promise<void>;
}

/** Quotes an SQL identifier for PostgreSQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Creates a uniquely named schema `<prefix>_<pid>_<random>` in the database at
 * `url`, so test files running in parallel don't collide. Call `drop()` in
 * afterAll.
 */
export async function freshPgSchema(url: string, prefix = 'sf_test'): Promise<PgSchema> {
  let clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_') || 't';
  // must start with a letter or '_', and 'pg_' names are reserved for system schemas
  if (!/^[a-z_]/.test(clean) || clean.startsWith('pg_')) clean = `t_${clean}`;
  const suffix = `_${process.pid}_${randomBytes(4).toString('hex')}`;
  // PostgreSQL truncates identifiers to 63 bytes: keep the unique suffix intact.
  const schema = clean.slice(0, 63 - suffix.length) + suffix;
  await withPgClient(url, (c) => c.query(`CREATE SCHEMA ${quoteIdent(schema)}`));
  let dropped: Promise<void> | undefined;
  return {
    schema,
    drop(): Promise<void> {
      dropped ??= withPgClient(url, async (c) => {
        await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      });
      return dropped;
    },
  };
}

/** Runs `fn` with a connected pg.Client and always closes it. */
export async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
