// dbt-labs' classic jaffle_shop, unmodified (read from ../shared/fixtures, copied to a temp
// directory), with only a profiles.yml added: `sf seed`, `sf run` and `sf test` on each engine
// give its documented figures (the fixtures' README), and its 20 declared tests pass.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { toInt } from './values.js';
import { profilesFor } from './dbt-profiles.js';

const PASSWORD = 'jaffle-pw-7f3e91';
const JAFFLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/dbt/jaffle_shop');

describe.each(ENGINES)('jaffle_shop (dbt-labs), unmodified, on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  const runs: Record<string, CliRun> = {};

  beforeAll(async () => {
    if (!existsSync(JAFFLE)) throw new Error(`the jaffle_shop fixture is not at ${JAFFLE}: tests read ../shared/fixtures/ beside the repository`);
    p = await pool.create();
    rmSync(join(p.dir, 'sf.config.ts'));
    cpSync(JAFFLE, p.dir, { recursive: true });
    p.write('profiles.yml', profilesFor(engine, p.target));
    // The throwaway server trusts every login: a password is sent, and must never be shown.
    process.env['DBT_ENV_SECRET_PG_PASSWORD'] = PASSWORD;
    for (const command of ['seed', 'run', 'test', 'debug']) runs[command] = await p.sf(command);
  });
  afterAll(() => pool.disposeAll());

  const scalar = async (sql: string) => toInt((await p.query(sql))[0]!['v']);

  it('seeds, runs and tests with exit 0', () => {
    for (const command of ['seed', 'run', 'test']) expect(runs[command]!.code, runs[command]!.text).toBe(0);
    expect(runs['seed']!.text).toMatch(/PASS=3 .*TOTAL=3/);
    expect(runs['run']!.text).toMatch(/PASS=5 .*TOTAL=5/);
  });

  it('loads the seeds with their documented row counts and cents', async () => {
    expect(await scalar(`select count(*) as v from ${p.sql('raw_customers')}`)).toBe(100);
    expect(await scalar(`select count(*) as v from ${p.sql('raw_orders')}`)).toBe(99);
    expect(await scalar(`select count(*) as v from ${p.sql('raw_payments')}`)).toBe(113);
    expect(await scalar(`select sum(amount) as v from ${p.sql('raw_payments')}`)).toBe(167200);
  });

  it('builds the staging views and the two tables as dbt_project.yml configures them', async () => {
    const kinds: Record<string, string | undefined> = {};
    for (const name of ['stg_customers', 'stg_orders', 'stg_payments', 'customers', 'orders']) kinds[name] = await p.kindOf(p.rel(name));
    expect(kinds).toEqual({ stg_customers: 'view', stg_orders: 'view', stg_payments: 'view', customers: 'table', orders: 'table' });
    expect(await scalar(`select count(*) as v from ${p.sql('stg_payments')}`)).toBe(113);
    expect(await scalar(`select sum(amount) as v from ${p.sql('stg_payments')}`)).toBe(1672);
  });

  it('gives the documented figures: orders by payment method, customers and their lifetime value', async () => {
    const orders = p.sql('orders');
    expect(await scalar(`select count(*) as v from ${orders}`)).toBe(99);
    expect(await scalar(`select sum(amount) as v from ${orders}`)).toBe(1672);
    expect(await scalar(`select sum(credit_card_amount) as v from ${orders}`)).toBe(871);
    expect(await scalar(`select sum(coupon_amount) as v from ${orders}`)).toBe(185);
    expect(await scalar(`select sum(bank_transfer_amount) as v from ${orders}`)).toBe(411);
    expect(await scalar(`select sum(gift_card_amount) as v from ${orders}`)).toBe(205);
    const customers = p.sql('customers');
    expect(await scalar(`select count(*) as v from ${customers}`)).toBe(100);
    expect(await scalar(`select count(*) as v from ${customers} where number_of_orders > 0`)).toBe(62);
    expect(await scalar(`select sum(customer_lifetime_value) as v from ${customers}`)).toBe(1672);
  });

  if (engine === 'postgres') it('connects with the profile\'s password and never prints it', () => {
    expect(runs['debug']!.code, runs['debug']!.text).toBe(0);
    expect(runs['debug']!.text).toMatch(/password +\*\*\*/);
    for (const run of Object.values(runs)) expect(run.text).not.toContain(PASSWORD);
    expect(p.read('target/sf.log')).not.toContain(PASSWORD);
  });

  it('runs the 20 tests its schema.yml files declare, all passing', () => {
    const results = JSON.parse(p.read('target/run_results.json')).results as { unique_id: string; status: string }[];
    const tests = results.filter((r) => r.unique_id.startsWith('test.'));
    expect(tests).toHaveLength(20);
    expect(tests.filter((t) => t.status !== 'pass')).toEqual([]);
  });
});
