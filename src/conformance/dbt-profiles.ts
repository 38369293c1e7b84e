// profiles.yml for a conformance target, written as each dbt adapter documents its outputs.
import type { EngineName, TargetConfig } from '../config/types.js';

/** A profiles.yml whose output (named after the engine) is the conformance target, as the dbt adapters spell it. */
export function profilesFor(engine: EngineName, target: TargetConfig, profile = 'jaffle_shop'): string {
  const output = (() => {
    switch (target.type) {
      case 'duckdb':
        return `type: duckdb\n      path: ${target.path}\n      threads: 4`;
      case 'sqlite':
        return `type: sqlite\n      threads: 1\n      database: database\n      schema: main\n      schemas_and_paths:\n        main: ${target.path}\n      schema_directory: target`;
      case 'postgres':
        return `type: postgres\n      host: ${target.host}\n      port: ${target.port}\n      user: ${target.user}\n      password: "{{ env_var('DBT_ENV_SECRET_PG_PASSWORD', '') }}"\n      dbname: ${target.database}\n      schema: ${target.schema}\n      threads: 4`;
    }
  })();
  return `${profile}:\n  target: ${engine}\n  outputs:\n    ${engine}:\n      ${output}\n`;
}
