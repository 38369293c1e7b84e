// Conformance: seeds load the same table on every engine (types, NULL vs '', quoting,
// unicode, empty files, exact decimals), and a malformed CSV stops the run before anything
// is created.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES, typeFamily } from './engines.js';
import { ProjectPool, type CliRun, type ConformanceProject } from './harness.js';
import { toBigInt, toCents, toInt, toScaled } from './values.js';

const SEEDS: Record<string, string> = {
  // id: integer (10 > 9 only if numeric); big: bigint beyond 2^53; amount: decimal(18,2);
  // rate: decimal(18,3); flag: boolean (any case, one NULL); day: date; ts: timestamp; label: text.
  'seeds/typed.csv': [
    'id,big,amount,rate,flag,day,ts,label',
    '1,9007199254740993,19.99,0.150,true,2024-02-29,2024-01-05 13:45:00,first',
    '2,-9007199254740993,99.50,0.333,false,2024-03-01,2024-01-05 23:59:59,second',
    '3,5000000000,1234567.89,0.000,TRUE,2023-12-31,2023-12-31 00:00:00,third',
    '10,0,-0.01,1.000,,2024-01-01,2024-01-01 00:00:01,tenth',
  ].join('\n') + '\n',
  // note: NULL (unquoted empty), '' (quoted empty), a value; qty: integer with a NULL.
  'seeds/nulls.csv': 'id,note,qty\n1,,5\n2,"",\n3,x,7\n',
  'seeds/quoting.csv': [
    'id,name,city',
    '1,"Smith, ""Jr.""","Zürich, CH"',
    '2,Renée,Tromsø',
    '3,日本,"東京, ""Tokyo"""',
  ].join('\n') + '\n',
  'seeds/multiline.csv': 'id,body\n1,"line one\nline two"\n2,plain\n',
  'seeds/empty.csv': 'alpha,beta,gamma\n',
  'seeds/money.csv': [
    'id,amount',
    '1,0.10', '2,0.20', '3,0.70', '4,19.99', '5,1234567.89', '6,-0.01', '7,99999999.99', '8,0.05',
  ].join('\n') + '\n',
  // code looks like an integer but is text; zip is inferred integer (leading zero dropped);
  // price is integers declared decimal(10,2); day_text looks like a date but is text.
  'seeds/overrides.csv': 'code,zip,price,day_text\n001,02134,5,2024-01-05\n010,90210,12,2024-01-06\n',
};

const MONEY_CENTS = [10n, 20n, 70n, 1999n, 123456789n, -1n, 9999999999n, 5n];

describe.each(ENGINES)('seeds on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  let p: ConformanceProject;
  let run: CliRun;
  const t = (name: string) => p.sql(name);

  beforeAll(async () => {
    p = await pool.create({
      files: SEEDS,
      config: { seeds: { columnTypes: { overrides: { code: 'text', price: 'decimal(10,2)', day_text: 'text' } } } },
    });
    run = await p.sf('seed');
  });
  afterAll(() => pool.disposeAll());

  it('loads every seed (exit 0)', () => {
    expect(run.code, run.text).toBe(0);
    expect(run.out.join('\n')).toMatch(/PASS=7 ERROR=0 SKIP=0 TOTAL=7/);
  });

  it('infers integer, bigint, decimal, boolean, date, timestamp and text, and they behave so', async () => {
    const [r] = await p.query(`
      select
        count(*) as n,
        sum(case when id > 9 then 1 else 0 end) as ids_over_9,
        sum(case when amount > 100 then 1 else 0 end) as amounts_over_100,
        sum(case when flag then 1 else 0 end) as trues,
        sum(case when not flag then 1 else 0 end) as falses,
        sum(case when flag is null then 1 else 0 end) as null_flags,
        sum(case when day < '2024-01-02' then 1 else 0 end) as days_before
      from ${t('typed')}`);
    expect(r).toBeDefined();
    expect(toInt(r!['n'])).toBe(4);
    expect(toInt(r!['ids_over_9']), 'id compares as a number').toBe(1);
    expect(toInt(r!['amounts_over_100']), 'amount compares as a number').toBe(1);
    expect(toInt(r!['trues']), "'true' and 'TRUE' are true").toBe(2);
    expect(toInt(r!['falses'])).toBe(1);
    expect(toInt(r!['null_flags']), 'an empty boolean is NULL').toBe(1);
    expect(toInt(r!['days_before'])).toBe(2);

    const rows = await p.query(`
      select id, big - 9007199254740992 as big_offset, cast(big as text) as big_text,
             cast(day as text) as day_text, cast(ts as text) as ts_text, label
      from ${t('typed')} order by id`);
    expect(rows.map((row) => toInt(row['id']))).toEqual([1, 2, 3, 10]);
    expect(toBigInt(rows[0]!['big_offset']), 'bigint beyond 2^53 is exact').toBe(1n);
    expect(rows.map((row) => row['big_text'])).toEqual(['9007199254740993', '-9007199254740993', '5000000000', '0']);
    expect(rows.map((row) => row['day_text'])).toEqual(['2024-02-29', '2024-03-01', '2023-12-31', '2024-01-01']);
    expect(rows.map((row) => row['ts_text'])).toEqual([
      '2024-01-05 13:45:00', '2024-01-05 23:59:59', '2023-12-31 00:00:00', '2024-01-01 00:00:01',
    ]);
    expect(rows.map((row) => row['label'])).toEqual(['first', 'second', 'third', 'tenth']);

    const decimals = await p.query(`select amount, rate from ${t('typed')} order by id`);
    expect(decimals.map((row) => toCents(row['amount']))).toEqual([1999n, 9950n, 123456789n, -1n]);
    expect(decimals.map((row) => toScaled(row['rate'], 3))).toEqual([150n, 333n, 0n, 1000n]);
  });

  it('declares the inferred types in the catalog (storage classes on SQLite)', async () => {
    if (engine === 'sqlite') {
      const [r] = await p.query(`
        select typeof(id) as id, typeof(big) as big, typeof(amount) as amount, typeof(flag) as flag,
               typeof(day) as day, typeof(ts) as ts, typeof(label) as label
        from ${t('typed')} where id = 1`);
      expect(r).toEqual({ id: 'integer', big: 'integer', amount: 'real', flag: 'integer', day: 'text', ts: 'text', label: 'text' });
      return;
    }
    const columns = await p.columns(p.rel('typed'));
    expect(columns.map((c) => [c.name, typeFamily(c.type)])).toEqual([
      ['id', 'integer'], ['big', 'bigint'], ['amount', 'decimal'], ['rate', 'decimal'],
      ['flag', 'boolean'], ['day', 'date'], ['ts', 'timestamp'], ['label', 'text'],
    ]);
  });

  it('applies seeds.columnTypes over inference', async () => {
    const rows = await p.query(`
      select code, zip, price, day_text, price * 100 as price_cents_expr
      from ${t('overrides')} order by code`);
    expect(rows.map((r) => r['code']), "declared text keeps '001'").toEqual(['001', '010']);
    expect(rows.map((r) => toInt(r['zip'])), 'inferred integer drops the leading zero').toEqual([2134, 90210]);
    expect(rows.map((r) => toCents(r['price']))).toEqual([500n, 1200n]);
    expect(rows.map((r) => r['day_text'])).toEqual(['2024-01-05', '2024-01-06']);
    if (engine !== 'sqlite') {
      const columns = await p.columns(p.rel('overrides'));
      expect(columns.map((c) => [c.name, typeFamily(c.type)])).toEqual([
        ['code', 'text'], ['zip', 'integer'], ['price', 'decimal'], ['day_text', 'text'],
      ]);
    } else {
      const [r] = await p.query(`select typeof(code) as code, typeof(zip) as zip from ${t('overrides')} limit 1`);
      expect(r).toEqual({ code: 'text', zip: 'integer' });
    }
  });

  it("loads an unquoted empty field as NULL and a quoted empty field as ''", async () => {
    const rows = await p.query(`
      select id,
             case when note is null then 'NULL' else '[' || note || ']' end as note,
             case when qty is null then 'NULL' else 'n' end as qty
      from ${t('nulls')} order by id`);
    expect(rows.map((r) => [toInt(r['id']), r['note'], r['qty']])).toEqual([
      [1, 'NULL', 'n'],
      [2, '[]', 'NULL'],
      [3, '[x]', 'n'],
    ]);
  });

  it('keeps quotes, commas and unicode inside quoted fields', async () => {
    const rows = await p.query(`select id, name, city from ${t('quoting')} order by id`);
    expect(rows.map((r) => [toInt(r['id']), r['name'], r['city']])).toEqual([
      [1, 'Smith, "Jr."', 'Zürich, CH'],
      [2, 'Renée', 'Tromsø'],
      [3, '日本', '東京, "Tokyo"'],
    ]);
    const [lengths] = await p.query(`select length(name) as n from ${t('quoting')} where id = 3`);
    expect(toInt(lengths!['n']), 'length counts characters, not bytes').toBe(2);
  });

  it('keeps a newline inside a quoted field', async () => {
    const rows = await p.query(`select id, body from ${t('multiline')} order by id`);
    expect(rows.map((r) => [toInt(r['id']), r['body']])).toEqual([[1, 'line one\nline two'], [2, 'plain']]);
  });

  it('creates an empty table with the header columns from a header-only CSV', async () => {
    const [r] = await p.query(`select count(*) as n from ${t('empty')}`);
    expect(toInt(r!['n'])).toBe(0);
    expect((await p.columns(p.rel('empty'))).map((c) => c.name)).toEqual(['alpha', 'beta', 'gamma']);
    expect(await p.kindOf(p.rel('empty'))).toBe('table');
  });

  it('reads decimals back exact to the cent, one by one and summed', async () => {
    const rows = await p.query(`select amount from ${t('money')} order by id`);
    expect(rows.map((r) => toCents(r['amount']))).toEqual(MONEY_CENTS);
    const [sum] = await p.query(`select cast(round(sum(amount) * 100) as bigint) as cents from ${t('money')}`);
    expect(toBigInt(sum!['cents'])).toBe(MONEY_CENTS.reduce((a, b) => a + b, 0n));
  });

  it('leaves no staging relation behind', async () => {
    const names = Object.keys(SEEDS).map((path) => path.replace(/^seeds\/|\.csv$/g, ''));
    expect(await p.unexpectedRelations(names.map((n) => p.rel(n)))).toEqual([]);
  });

  it('rejects a ragged row with exit 2 and seeds/x.csv:LINE, creating nothing', async () => {
    const bad = await pool.create({
      files: {
        'seeds/good.csv': 'id,name\n1,a\n',
        'seeds/ragged.csv': 'id,name\n1,a\n2,b,extra\n3,c\n',
        'models/reader.sql': "select * from {{ ref('good') }}",
      },
    });
    const result = await bad.sf('build');
    expect(result.code, result.text).toBe(2);
    expect(result.err.join('\n')).toContain('seeds/ragged.csv:3');
    expect(await bad.unexpectedRelations([])).toEqual([]);
  });
});
