// dbt's cross-database macros give the same results on every engine: date arithmetic, types,
// hashing, strings, and the aggregates, each called as dbt.<name> (and one by its bare name).
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ProjectPool } from './harness.js';

const MODEL = `{% set ts = "'2026-06-17 13:45:10'" if target.type == 'sqlite' else "timestamp '2026-06-17 13:45:10'" %}
{% set day = "'2026-06-17'" if target.type == 'sqlite' else "date '2026-06-17'" %}
{% set jan = "'2026-01-15'" if target.type == 'sqlite' else "date '2026-01-15'" %}
{% set feb = "'2026-02-10'" if target.type == 'sqlite' else "date '2026-02-10'" %}
select
  cast({{ dbt.date_trunc('month', ts) }} as {{ dbt.type_string() }}) as month_start,
  cast({{ dbt.date_trunc('week', day) }} as {{ dbt.type_string() }}) as week_start,
  cast({{ dbt.date_trunc('hour', ts) }} as {{ dbt.type_string() }}) as hour_start,
  cast({{ dbt.dateadd('day', 3, ts) }} as {{ dbt.type_string() }}) as plus_3_days,
  cast({{ dbt.dateadd('month', 2, day) }} as {{ dbt.type_string() }}) as plus_2_months,
  cast({{ dbt.dateadd('quarter', 1, day) }} as {{ dbt.type_string() }}) as plus_1_quarter,
  {{ dbt.datediff(jan, day, 'day') }} as days_between,
  {{ dbt.datediff(jan, day, 'month') }} as months_between,
  cast({{ dbt.last_day(feb, 'month') }} as {{ dbt.type_string() }}) as feb_end,
  cast({{ dbt.last_day(feb, 'quarter') }} as {{ dbt.type_string() }}) as quarter_end,
  cast({{ dbt.date_trunc('second', ts) }} as {{ dbt.type_string() }}) as second_start,
  {{ dbt.hash("'abc'") }} as hashed,
  {{ dbt.concat(["'a'", "'b'", "'c'"]) }} as joined,
  {{ dbt.safe_cast("'42'", dbt.type_int()) }} as forty_two,
  {{ dbt.split_part("'a,b,c'", "','", 2) }} as second_part,
  {{ dbt.string_literal(dbt.escape_single_quotes("it's")) }} as quoted,
  {{ dbt.cast_bool_to_text('1 = 1') }} as true_text,
  cast(7 as {{ dbt.type_bigint() }}) + cast(0.5 as {{ dbt.type_float() }}) as seven_and_a_half,
  {{ datediff(jan, feb, 'day') }} as bare_name
`;

const AGGREGATES = `select
  {{ dbt.listagg('letter', "'|'", 'order by letter') }} as letters,
  {{ dbt.bool_or('flag') }} as any_flag,
  {{ dbt.any_value('k') }} as some_k,
  count(*) as n
from (
  select 'b' as letter, 1 = 0 as flag, 1 as k
  union all select 'a', 1 = 1, 1
  union all select 'c', 1 = 0, 1
) as t
`;

const STRINGS = `select
  {{ dbt.length("'abcd'") }} as len,
  {{ dbt.replace("'a-b-c'", "'-'", "'+'") }} as replaced,
  {{ dbt.right("'abcdef'", 2) }} as tail,
  {{ dbt.position("'c'", "'abcdef'") }} as pos,
  {{ dbt.cast("'12'", dbt.type_int()) }} as twelve,
  cast({{ dbt.date(2024, 2, 29) }} as {{ dbt.type_string() }}) as leap_day,
  {% set day = "'2026-06-17'" if target.type == 'sqlite' else "date '2026-06-17'" %}
  {% set next = "'2026-06-18'" if target.type == 'sqlite' else "date '2026-06-18'" %}
  case when {{ dbt.dateadd('day', 1, day) }} = {{ next }} then 1 else 0 end as next_day_is_a_day,
  least(3, null, 1) as least_of, greatest(3, null, 1) as greatest_of
`;

// Rows 1 and 2, less 2 (except), and both with 2 (intersect).
const SETS = `select n, 'except' as op from (select n from (select 1 as n union all select 2) as a {{ dbt.except() }} select 2 as n) as e
union all
select n, 'intersect' from (select n from (select 1 as n union all select 2) as a {{ dbt.intersect() }} select 2 as n) as i
`;

describe.each(ENGINES)('dbt cross-database macros on %s', (engine) => {
  const pool = new ProjectPool(engine, () => inject('pgUrl'));
  afterAll(() => pool.disposeAll());

  it('give the same values on every engine', async () => {
    const p = await pool.create({ files: { 'models/dates.sql': MODEL, 'models/aggregates.sql': AGGREGATES, 'models/strings.sql': STRINGS, 'models/sets.sql': SETS } });
    const run = await p.sf('run');
    expect(run.code, run.text).toBe(0);
    const [row] = await p.query(`select * from ${p.sql('dates')}`);
    const r = row!;
    const text = (k: string) => String(r[k]);
    expect({
      month_start: text('month_start').slice(0, 10), week_start: text('week_start').slice(0, 10), hour_start: text('hour_start').slice(0, 19),
      plus_3_days: text('plus_3_days').slice(0, 10), plus_2_months: text('plus_2_months').slice(0, 10), plus_1_quarter: text('plus_1_quarter').slice(0, 10),
      days_between: Number(r['days_between']), months_between: Number(r['months_between']), feb_end: text('feb_end').slice(0, 10),
      quarter_end: text('quarter_end').slice(0, 10), second_start: text('second_start').slice(0, 19),
      hashed: text('hashed'), joined: text('joined'), forty_two: Number(r['forty_two']), second_part: text('second_part'),
      quoted: text('quoted'), true_text: text('true_text'), seven_and_a_half: Number(r['seven_and_a_half']), bare_name: Number(r['bare_name']),
    }).toEqual({
      month_start: '2026-06-01', week_start: '2026-06-15', hour_start: '2026-06-17 13:00:00',
      plus_3_days: '2026-06-20', plus_2_months: '2026-08-17', plus_1_quarter: '2026-09-17',
      days_between: 153, months_between: 5, feb_end: '2026-02-28', quarter_end: '2026-03-31', second_start: '2026-06-17 13:45:10',
      hashed: '900150983cd24fb0d6963f7d28e17f72', joined: 'abc', forty_two: 42, second_part: 'b',
      quoted: "it's", true_text: 'true', seven_and_a_half: 7.5, bare_name: 26,
    });
    const [strings] = await p.query(`select * from ${p.sql('strings')}`);
    const n = (k: string) => Number(strings![k]);
    expect({ ...strings, len: n('len'), pos: n('pos'), twelve: n('twelve'), leap_day: String(strings!['leap_day']).slice(0, 10), next_day_is_a_day: n('next_day_is_a_day'), least_of: n('least_of'), greatest_of: n('greatest_of') })
      // A day added to a date equals the next date (SQLite: as text too); least/greatest skip NULLs (SQLite: sf's functions).
      .toEqual({ len: 4, replaced: 'a+b+c', tail: 'ef', pos: 3, twelve: 12, leap_day: '2024-02-29', next_day_is_a_day: 1, least_of: 1, greatest_of: 3 });
    const sets = await p.query(`select n, op from ${p.sql('sets')} order by op`);
    expect(sets.map((r) => [Number(r['n']), r['op']])).toEqual([[1, 'except'], [2, 'intersect']]);
    const [agg] = await p.query(`select * from ${p.sql('aggregates')}`);
    expect({ letters: agg!['letters'], any_flag: [true, 1, '1'].includes(agg!['any_flag'] as never), some_k: Number(agg!['some_k']), n: Number(agg!['n']) })
      .toEqual({ letters: 'a|b|c', any_flag: true, some_k: 1, n: 3 });
  });
});
