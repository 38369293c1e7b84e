// Conformance: a model (or singular test) is one SQL statement, on every engine. A second
// statement (`select 1 as x; drop table ...`) or none at all is a project error with the file
// and line, exit 2, before anything runs: the real CLI, as a subprocess.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool } from './harness.js';

describe.each(ENGINES)('one statement per model on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('a second statement, or none, is refused before anything runs; semicolons in strings and comments are fine', async () => {
    const p = await pool.create({ files: {
      'models/victim.sql': "{{ config(materialized='table') }}\nselect 1 as id",
      'models/sneaky.sql': "{{ config(materialized='table') }}\nselect 1 as x;\ndrop table {{ ref('victim') }}",
      'models/empty.sql': '-- nothing yet\n/* to do; later */\n',
      'models/fine.sql': "select 'a;b' as x, 1 as \"c;d\" -- trailing; comment\n;",
      'tests/assert_two.sql': "select * from {{ ref('fine') }} where x = 'z'; select 1",
    } });
    const run = await p.spawnSf(['build']).done;
    expect(run.code, run.text).toBe(2);
    expect(run.text).toContain("models/sneaky.sql:3: 'sneaky' holds 2 SQL statements; a model or test is one select statement");
    expect(run.text).toContain("models/empty.sql: 'empty' renders no SQL: it is empty or only comments");
    expect(run.text).toContain("tests/assert_two.sql:1: 'assert_two' holds 2 SQL statements");
    expect(run.text).not.toMatch(/fine/);
    expect(await p.unexpectedRelations([])).toEqual([]);

    p.write('models/sneaky.sql', "{{ config(materialized='table') }}\nselect 1 as x;");
    p.write('models/empty.sql', 'select 2 as y');
    p.write('tests/assert_two.sql', "select * from {{ ref('fine') }} where x = 'z';");
    const fixed = await p.spawnSf(['build']).done;
    expect(fixed.code, fixed.text).toBe(0);
    expect((await p.query(`select x from ${p.sql('fine')}`)).map((r) => r['x'])).toEqual(['a;b']);
    expect((await p.query(`select id from ${p.sql('victim')}`)).map((r) => Number(r['id']))).toEqual([1]);
  });
});

describe('identifier limits on postgres', () => {
  const pool = new ProjectPool('postgres', () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('two models whose names differ only past 63 bytes are refused at compile time, naming both', async () => {
    const stem = 'orders_enriched_with_customer_and_product_attributes_for_finance_';
    const p = await pool.create({ files: {
      [`models/${stem}daily.sql`]: 'select 1 as id',
      [`models/${stem}weekly.sql`]: 'select 2 as id',
    } });
    const run = await p.spawnSf(['build']).done;
    expect(run.code, run.text).toBe(2);
    expect(run.text).toContain(`models/${stem}daily.sql: relation name '${stem}daily' is ${stem.length + 5} bytes; postgres cuts names at 63, which makes it the same table as models/${stem}weekly.sql`);
    expect(await p.unexpectedRelations([])).toEqual([]);
    // compile, which opens no database, refuses them too.
    expect((await p.spawnSf(['compile']).done).code).toBe(2);
  });
});
