// dbt_utils' published source, unmodified, placed in a project's dbt_packages/: the same models
// and tests as dbt-utils-builtin.test.ts render and run with it on DuckDB and PostgreSQL, and
// give the same rows as sf's own versions of its macros.
//
// The package is not part of this repository (it is not ours to copy): the test reads it from
// SF_DBT_UTILS_DIR, or ../ext/dbt_utils beside the repository. Where neither holds it, the
// test says so loudly and is skipped.
import { cpSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { dbtUtilsProject } from './dbt-utils-fixture.js';

const SOURCE = process.env['SF_DBT_UTILS_DIR'] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../ext/dbt_utils');
const present = existsSync(join(SOURCE, 'dbt_project.yml'));
if (!present) {
  console.warn(`\n*** SKIPPED: dbt_utils' published source is not at ${SOURCE}; set SF_DBT_UTILS_DIR to a dbt_utils checkout to compare it with sf's own macros ***\n`);
}

const MODELS = ['keyed', 'pivoted', 'spine', 'unioned', 'safe'];

describe.skipIf(!present).each(['duckdb', 'postgres'] as const)("dbt_utils' published source on %s", (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let withPackage: ConformanceProject;
  let builtin: ConformanceProject;
  const runs: Record<string, CliRun> = {};

  beforeAll(async () => {
    withPackage = await pool.create({ files: dbtUtilsProject(engine) });
    cpSync(SOURCE, join(withPackage.dir, 'dbt_packages/dbt_utils'), { recursive: true });
    builtin = await pool.create({ files: dbtUtilsProject(engine) });
    runs['build'] = await withPackage.sf('build');
    runs['test'] = await withPackage.sf('test');
    runs['builtin'] = await builtin.sf('build');
  });
  afterAll(() => pool.disposeAll());

  it('builds and tests with exit 0, the package loaded in place of sf\'s own', () => {
    const macros = JSON.parse(withPackage.read('target/manifest.json')).macros as string[];
    expect(macros).toContain('dbt_packages/dbt_utils/macros/sql/star.sql');
    expect(macros.some((m) => m.startsWith('sf-builtin/dbt_utils'))).toBe(false);
    expect(runs['build']!.code, runs['build']!.text).toBe(0);
    expect(runs['builtin']!.code, runs['builtin']!.text).toBe(0);
    expect(runs['test']!.code, runs['test']!.text).toBe(0);
  });

  it("gives the rows sf's own versions give, model by model", async () => {
    for (const model of MODELS) {
      const order = model === 'spine' ? 'date_day' : model === 'pivoted' ? 'size' : model === 'safe' ? 'total' : 'id';
      const rows = async (p: ConformanceProject) => JSON.stringify(await p.query(`select * from ${p.sql(model)} order by ${order}`));
      expect(await rows(withPackage), model).toBe(await rows(builtin));
    }
  });

  it("judges the package's tests as sf's own: equality and expression_is_true pass, the failing rows counted alike", () => {
    const text = runs['test']!.text;
    for (const line of [
      /PASS dbt_utils_unique_combination_of_columns_keyed_id__color /,
      /PASS dbt_utils_equality_keyed_id__color__size__ref_items_ /,
      /PASS dbt_utils_expression_is_true_keyed_id_0 /,
      /WARN 1 dbt_utils_accepted_range_keyed_id__3__1 /,
      /WARN 1 dbt_utils_not_null_proportion_unioned_0_9__amount /,
    ]) expect(text).toMatch(line);
  });
});
