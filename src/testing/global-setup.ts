/**
 * vitest globalSetup: provides a PostgreSQL connection URL to every test as
 * `inject('pgUrl')`.
 *
 * - env SF_TEST_PG_URL set: use that server (checked with `select 1`).
 * - otherwise: start a throwaway cluster (see postgres-server.ts) and stop it
 *   in teardown. Test files share the database; use freshPgSchema() (pg.ts)
 *   to get a schema of your own so parallel files don't collide.
 */
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { startPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://user@host:port/database of the test server */
    pgUrl: string;
  }
}

async function verify(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (e) {
    throw new Error(`SF_TEST_PG_URL is set but the server does not answer 'select 1': ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['SF_TEST_PG_URL'];
  if (external) {
    await verify(external);
    project.provide('pgUrl', external);
    return async () => {};
  }

  const server = await startPostgres();
  const t = server.timings;
  process.stderr.write(
    `[sf] PostgreSQL ${server.version} on ${server.host}:${server.port} ready in ${t.total} ms ` +
      `(initdb ${t.initdb} ms, start ${t.start} ms, createdb ${t.createdb} ms)\n`,
  );
  project.provide('pgUrl', server.url);
  return async () => {
    await server.stop();
  };
}
