// A Kysely dialect that speaks PostgreSQL's SQL over a driver of our own. DuckDB and our pg
// driver both reuse Kysely's Postgres query compiler, adapter and introspector.
import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Dialect, type Driver, type Kysely } from 'kysely';

export function postgresFlavouredDialect(createDriver: () => Driver): Dialect {
  return {
    createDriver,
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createAdapter: () => new PostgresAdapter(),
    createIntrospector: (db: Kysely<any>) => new PostgresIntrospector(db),
  };
}
