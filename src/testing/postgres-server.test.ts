import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { freshPgSchema, quoteIdent } from './pg.js';
import type { PgSchema } from './pg.js';

describe('test PostgreSQL server', () => {
  const url = inject('pgUrl');
  const client = new pg.Client({ connectionString: url });
  let ns: PgSchema;

  beforeAll(async () => {
    await client.connect();
    ns = await freshPgSchema(url, 'pg_server_test');
  });

  afterAll(async () => {
    await ns?.drop();
    await client.end();
  });

  test('answers select version()', async () => {
    const { rows } = await client.query<{ version: string }>('select version() as version');
    expect(rows[0]?.version).toContain('PostgreSQL');
  });

  test('round-trips a numeric(10,2) exactly in a fresh schema', async () => {
    const t = `${quoteIdent(ns.schema)}.amounts`;
    await client.query(`create table ${t} (id int primary key, amount numeric(10,2) not null)`);
    await client.query(`insert into ${t} values ($1, $2), ($3, $4)`, [1, '12345678.9', 2, '0.10']);
    const { rows } = await client.query<{ id: number; amount: string }>(`select id, amount from ${t} order by id`);
    // pg returns numeric as a string: no float rounding
    expect(rows).toEqual([
      { id: 1, amount: '12345678.90' },
      { id: 2, amount: '0.10' },
    ]);
    const sum = await client.query<{ s: string }>(`select sum(amount)::text as s from ${t}`);
    expect(sum.rows[0]?.s).toBe('12345679.00');
  });

  test('fresh schemas are distinct', async () => {
    const other = await freshPgSchema(url, 'pg_server_test');
    try {
      expect(other.schema).not.toBe(ns.schema);
      const { rows } = await client.query('select 1 from information_schema.schemata where schema_name = $1', [other.schema]);
      expect(rows).toHaveLength(1);
    } finally {
      await other.drop();
    }
  });
});
