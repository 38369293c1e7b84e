// DuckDB's binder errors list every overload of the function that did not bind; sf keeps the
// first four and says how many more (a real error from a real DuckDB).
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../util/errors.js';
import { shortenCandidates } from './adapter.js';

describe('shortenCandidates', () => {
  it("keeps the error, the first four candidates and a count of the rest", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    const raw = await db.run(`select cast('3' as varchar) * cast(1.5 as decimal(10,2))`).then(() => '', (err: unknown) => errorMessage(err));
    instance.closeSync();
    const candidates = (m: string) => m.split('\n').filter((l) => l.startsWith('\t') && !l.includes('Candidate functions:'));
    const listed = candidates(raw).length;
    expect(listed).toBeGreaterThan(10);
    const short = shortenCandidates(raw);
    expect(short.split('\n')[0]).toBe(raw.split('\n')[0]);
    expect(short).toMatch(/No function matches the given name and argument types '\*\(VARCHAR, DECIMAL\(10,2\)\)'/);
    expect(candidates(short)).toHaveLength(5);
    expect(short).toContain(`\t... and ${listed - 4} more`);
    expect(shortenCandidates('Catalog Error: Table with name x does not exist!')).toBe('Catalog Error: Table with name x does not exist!');
  });
});
