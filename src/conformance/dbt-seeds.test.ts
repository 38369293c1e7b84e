// A dbt project's seeds on every engine: subfolders with their configs, and dbt's quote_columns.
// Unquoted (false), PostgreSQL folds a header's capitals to lower case as it would fold the
// unquoted names dbt writes; quoted (true, dbt-postgres' default), the header's case is kept.
// DuckDB and SQLite keep the case either way.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { profilesFor } from './dbt-profiles.js';

const PROJECT = [
  'name: shop', 'profile: shop',
  'seeds:',
  '  shop:',
  '    lookups:',
  '      +quote_columns: false',
  '      +delimiter: ";"',
  '      quoted:',
  '        +quote_columns: true',
].join('\n');

describe.each(ENGINES)('dbt seeds on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let build: CliRun;

  beforeAll(async () => {
    p = await pool.create({ files: {
      'dbt_project.yml': PROJECT,
      'seeds/lookups/plain.csv': 'Id;Name\n1;a\n2;b\n',
      'seeds/lookups/quoted.csv': 'Id;Name\n1;a\n',
      // Tests name the columns as the table has them.
      'seeds/lookups/_props.yml': `version: 2\nseeds:\n  - name: plain\n    columns:\n      - name: ${engine === 'postgres' ? 'id' : 'Id'}\n        data_tests: [unique, not_null]\n`,
    } });
    rmSync(join(p.dir, 'sf.config.ts'));
    p.write('profiles.yml', profilesFor(engine, p.target, 'shop'));
    build = await p.sf('build');
  });
  afterAll(() => pool.disposeAll());

  it('names the columns as dbt would: unquoted folded by the engine, quoted kept', async () => {
    expect(build.code, build.text).toBe(0);
    const columns = async (name: string) => Object.keys((await p.query(`select * from ${p.sql(name)}`))[0]!);
    expect(await columns('plain')).toEqual(engine === 'postgres' ? ['id', 'name'] : ['Id', 'Name']);
    expect(await columns('quoted')).toEqual(['Id', 'Name']);
    // Re-run: the same table.
    expect((await p.sf('seed')).code).toBe(0);
    expect(await columns('plain')).toEqual(engine === 'postgres' ? ['id', 'name'] : ['Id', 'Name']);
  });
});
