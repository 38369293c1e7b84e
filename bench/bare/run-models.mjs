// The reference for `sf run` / `sf build`: the same transformations as plain SQL run directly,
// each model's compiled SQL (target/compiled/, from `sf compile`) created as a view or table
// in dependency order (target/manifest.json), one statement after another, no tests, no
// staging, no ledger. Incremental models are created whole, as a full refresh.
//   node bench/bare/run-models.mjs <project dir> duckdb|sqlite <db file>
//   node bench/bare/run-models.mjs <project dir> postgres <url> <schema>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dialectFor } from '../../dist/adapters/registry.js';

const [dir, engine, where, schema] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(join(dir, 'target/manifest.json'), 'utf8'));
const models = Object.entries(manifest.nodes).filter(([, n]) => n.kind === 'model' && n.config.materialized !== 'ephemeral');
const dialect = dialectFor(engine, schema);

// Dependency order: a model after every model it depends on.
const done = new Set(Object.entries(manifest.nodes).filter(([, n]) => n.kind !== 'model').map(([id]) => id));
const order = [];
while (order.length < models.length) {
  for (const [id, n] of models) if (!done.has(id) && n.depends_on.every((d) => done.has(d) || !manifest.nodes[d] || manifest.nodes[d].config?.materialized === 'ephemeral')) { done.add(id); order.push(n); }
}

const statements = order.flatMap((n) => {
  const [relSchema, name] = n.relation.split('.');
  const rel = dialect.renderRelation({ schema: relSchema, name });
  const sql = readFileSync(join(dir, n.compiled_path), 'utf8').trim().replace(/;$/, '');
  const view = n.config.materialized === 'view';
  return [`drop view if exists ${rel}`, `drop table if exists ${rel}`, `create ${view ? 'view' : 'table'} ${rel} as ${sql}`];
});

if (engine === 'duckdb') {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(where);
  const db = await instance.connect();
  for (const s of statements) await db.run(s).catch((e) => { if (!/drop (view|table)/.test(s)) throw e; });
  db.closeSync();
  instance.closeSync();
} else if (engine === 'sqlite') {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(where);
  for (const s of statements) { try { db.exec(s); } catch (e) { if (!/drop (view|table)/.test(s)) throw e; } }
  db.close();
} else {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: where });
  await client.connect();
  await client.query(`set search_path to "${schema}"`);
  for (const s of statements) await client.query(s).catch((e) => { if (!/drop (view|table)/.test(s)) throw e; });
  await client.end();
}
