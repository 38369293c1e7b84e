// Conformance (SQLite): another process holds the database file's write lock for longer than
// sf waits. sf (the real CLI, as a subprocess) waits up to its lock timeout, then says that
// another process holds the database, once, and exits 1 without writing anything.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ProjectPool } from './harness.js';

describe('two processes on one SQLite file', () => {
  const pool = new ProjectPool('sqlite', () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('the second waits, then names the holder in one line, exit 1', async () => {
    const p = await pool.create({
      files: { 'models/t.sql': "{{ config(materialized='table') }}\nselect 1 as id" },
      configSource: (target) => `import { defineConfig } from 'sf-transform';
export default defineConfig({ name: 'conformance', targets: { sqlite: ${JSON.stringify({ ...target, lockTimeout: 2, retries: 0 })} } });
`,
    });
    expect((await p.spawnSf(['build']).done).code).toBe(0);
    const holder = new Database(join(p.dir, 'target/conformance.sqlite'));
    holder.exec('begin exclusive');
    try {
      const t0 = Date.now();
      const run = await p.spawnSf(['build']).done;
      expect(run.code, run.text).toBe(1);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
      expect(run.text).toMatch(/waiting up to 2 s for t: it is being written by another process holding the database file/);
      expect(run.text).toMatch(/Model 't' \(t\) failed:\n {2}another process holds the SQLite database \S+conformance\.sqlite \(database is locked\); waited 2 s to write main\.t\n/);
      expect(run.text.match(/database is locked/g)).toHaveLength(1);
      expect(run.text).not.toMatch(/^\s+at /m);
    } finally {
      holder.exec('rollback');
      holder.close();
    }
    expect((await p.spawnSf(['build']).done).code).toBe(0);
  });
});
