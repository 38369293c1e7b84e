// A seed value its column's type refuses reads the same on every engine, as a user meets it
// (the built CLI, a subprocess): `seeds/people.csv:5: column joined_on (date): 'not-a-date'
// is not a valid date`, the file as the project names it, never the engine's own dump or a
// machine path; the table keeps what it held.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ProjectPool } from './harness.js';

const HEADER = 'id,name,joined_on,age,price,active,seen_at';
const GOOD = ['1,Ada,2026-01-05,36,1.50,true,2026-01-05 10:00:00', '2,Grace,2026-01-09,45,2.25,false,2026-01-09 11:30:00', '3,Edsger,2026-02-11,72,3.00,true,2026-02-11 09:15:00'];
const TYPES = { joined_on: 'date', age: 'integer', price: 'decimal(10,2)', active: 'boolean', seen_at: 'timestamp' };

/** Row 4 (file line 5) with one bad value, and the message every engine must give. */
const CASES: Array<[string, string, string]> = [
  ['joined_on', '4,Alan,not-a-date,41,1.00,true,2026-03-01 08:00:00', "seeds/people.csv:5: column joined_on (date): 'not-a-date' is not a valid date"],
  ['age', '4,Alan,2026-03-01,forty-one,1.00,true,2026-03-01 08:00:00', "seeds/people.csv:5: column age (integer): 'forty-one' is not a valid integer"],
  ['price', '4,Alan,2026-03-01,41,"1,5",true,2026-03-01 08:00:00', "seeds/people.csv:5: column price (decimal(10,2)): '1,5' is not a valid decimal"],
  ['active', '4,Alan,2026-03-01,41,1.00,maybe,2026-03-01 08:00:00', "seeds/people.csv:5: column active (boolean): 'maybe' is not a valid boolean"],
  ['seen_at', '4,Alan,2026-03-01,41,1.00,true,"2026-03-01 8 o""clock"', `seeds/people.csv:5: column seen_at (timestamp): '2026-03-01 8 o"clock' is not a valid timestamp`],
];

describe.each(['duckdb', 'postgres', 'sqlite'] as const)('a refused seed value on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('reads the same on every engine, with the file:line, and the table keeps its rows', async () => {
    const p = await pool.create({ files: { 'seeds/people.csv': [HEADER, ...GOOD, ''].join('\n') }, config: { seeds: { columnTypes: { people: TYPES } } } });
    expect((await p.sf('seed')).code).toBe(0);
    for (const [column, row, message] of CASES) {
      p.write('seeds/people.csv', [HEADER, ...GOOD, row, ''].join('\n'));
      const run = await p.spawnSf(['seed']).done;
      expect(run.code, `${column}: ${run.text}`).toBe(1);
      const failed = run.text.split('\n').filter((l) => l.includes('seeds/people.csv'));
      expect(failed, column).toEqual([`  ${message}`]);
      // (The header names the config as seen from where sf was started; the error never a path.)
      expect(run.text.slice(run.text.indexOf('Completed with'))).not.toContain(p.dir);
      expect((await p.query(`select count(*) as n from ${p.sql('people')}`)).map((r) => Number(r['n']))).toEqual([3]);
    }
  });
});
