// Column lineage from parsed SQL, with node-sql-parser's PostgreSQL grammar and with DuckDB's
// own parser: qualified and unqualified names, CTEs, subqueries, `*`, unions, scalar
// subqueries; DuckDB's own syntax; a statement that does not parse is reported, never guessed.
import { describe, expect, it } from 'vitest';
import { parseWithDuckdb } from './duckdb-ast.js';
import { modelLineage, type ColumnRef, type Grammar } from './lineage.js';

const COLUMNS: Record<string, string[]> = {
  'main.orders': ['order_id', 'customer_id', 'order_ts', 'status'],
  'main.items': ['item_id', 'order_id', 'quantity', 'unit_price'],
  'raw.customers': ['customer_id', 'email'],
};
async function lineageIn(grammar: Grammar, sql: string): Promise<Record<string, string[]>> {
  const [duckdb] = grammar === 'DuckDB' ? await parseWithDuckdb([sql]) : [];
  const l = modelLineage(sql, [grammar], 'main', (rel) => COLUMNS[rel], duckdb);
  if (!l.ok) throw new Error(l.reason);
  return Object.fromEntries(Object.entries(l.columns).map(([k, v]) => [k, v.map((r: ColumnRef) => `${r.relation}.${r.column}`)]));
}

describe.each(['PostgreSQL', 'DuckDB'] as const)('column lineage (%s parser)', (grammar) => {
  const lineage = (sql: string) => lineageIn(grammar, sql);

  it('follows aliases through a join, and an expression to every column it reads', async () => {
    expect(await lineage(`select i.item_id, cast(o.order_ts as date) as order_date,
        round(i.quantity * i.unit_price, 2) as revenue, 1 as one
      from "main"."items" as i join main.orders o on o.order_id = i.order_id`)).toEqual({
      item_id: ['main.items.item_id'],
      order_date: ['main.orders.order_ts'],
      revenue: ['main.items.quantity', 'main.items.unit_price'],
      one: [],
    });
  });

  it('places an unqualified name by the columns each relation has, and reads bare names in the default schema', async () => {
    expect(await lineage('select quantity, status from items join orders using (order_id)')).toEqual({
      quantity: ['main.items.quantity'],
      status: ['main.orders.status'],
    });
  });

  it('goes through CTEs and subqueries to the base relations, and expands *', async () => {
    expect(await lineage(`with totals as (select order_id, sum(quantity * unit_price) as amount from items group by order_id),
        ranked as (select t.*, row_number() over (order by amount desc) as rk from totals t)
      select r.order_id, r.amount, r.rk, c.email
      from ranked r join (select o.order_id, cu.email from orders o join raw.customers cu on cu.customer_id = o.customer_id) as c
        on c.order_id = r.order_id`)).toEqual({
      order_id: ['main.items.order_id'],
      amount: ['main.items.quantity', 'main.items.unit_price'],
      rk: ['main.items.quantity', 'main.items.unit_price'],
      email: ['raw.customers.email'],
    });
    expect(Object.keys(await lineage('select * from raw.customers'))).toEqual(['customer_id', 'email']);
  });

  it('takes a union position by position, and a scalar subquery\'s columns', async () => {
    expect(await lineage(`select order_id as id, (select max(quantity) from items i where i.order_id = o.order_id) as most from orders o
      union all select item_id, quantity from items`)).toEqual({
      id: ['main.items.item_id', 'main.orders.order_id'],
      most: ['main.items.quantity'],
    });
  });

});

describe('column lineage, when a parser cannot', () => {
  it('reads DuckDB\'s own syntax with DuckDB\'s parser: * EXCLUDE, GROUP BY ALL, QUALIFY', async () => {
    const sql = `select * exclude (status), count(*) over (partition by customer_id) as n from orders qualify n > 1`;
    expect(await lineageIn('DuckDB', sql)).toEqual({
      order_id: ['main.orders.order_id'], customer_id: ['main.orders.customer_id'], order_ts: ['main.orders.order_ts'], n: ['main.orders.customer_id'],
    });
    expect(await lineageIn('DuckDB', 'select customer_id, sum(quantity) as q from items join orders using (order_id) group by all')).toEqual({
      customer_id: ['main.orders.customer_id'], q: ['main.items.quantity'],
    });
    // node-sql-parser's PostgreSQL grammar does not know EXCLUDE: said, not guessed.
    expect(modelLineage(sql, ['PostgreSQL'], 'main', () => undefined).ok).toBe(false);
  });

  it('says which construct it does not follow, rather than guess (DuckDB)', async () => {
    for (const [sql, what] of [
      ['select x from orders o, unnest([o.order_id, o.customer_id]) as u(x)', 'column names given to a relation in FROM'],
      ['select x from range(3) as r', 'table function in FROM'],
      ['with c(x, y) as (select order_id, status from orders) select x, y from c', 'column names given to the CTE c'],
      ['select * replace (status as order_ts) from orders', '* REPLACE or * RENAME'],
      ['select columns(\'order.*\') from orders', 'COLUMNS(...)'],
      ['select order_id from orders union by name select item_id as order_id from items', 'UNION BY NAME'],
    ] as const) {
      const [duck] = await parseWithDuckdb([sql]);
      expect(modelLineage(sql, ['DuckDB'], 'main', (rel) => COLUMNS[rel], duck), sql).toEqual({ ok: false, reason: `it uses ${what}, which column lineage does not follow` });
    }
  });

  it('says why when the SQL does not parse, or is not one SELECT', async () => {
    const bad = modelLineage('select from where', ['PostgreSQL'], 'main', () => undefined);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/^the SQL does not parse \(PostgreSQL: .+\)$/);
    const [duck] = await parseWithDuckdb(['select from where']);
    const viaDuckdb = modelLineage('select from where', ['DuckDB'], 'main', () => undefined, duck);
    expect(!viaDuckdb.ok && viaDuckdb.reason).toMatch(/^the SQL does not parse \(DuckDB: syntax error at or near "where"\)$/);
    const two = modelLineage('select 1; select 2', ['PostgreSQL'], 'main', () => undefined);
    expect(two).toEqual({ ok: false, reason: 'not a single SELECT statement' });
  });

  it('tries the next grammar when the first does not parse', () => {
    const l = modelLineage("select item_id from main.items where item_id ilike '1%'", ['SQLite', 'PostgreSQL'], 'main', (rel) => COLUMNS[rel]);
    expect(l.ok && l.grammar).toBe('PostgreSQL');
  });
});
