// dbt's cross-database macros (dbt.date_trunc, dbt.dateadd, dbt.type_string, ...), each giving
// SQL this engine runs. Arguments are SQL text, as in dbt (`dbt.dateadd('day', 1, 'order_date')`
// adds to the column). Callable as `dbt.<name>(...)` and, as dbt's global project allows, by the
// bare name when the project defines no macro of that name. SQLite gets the functions it lacks
// (md5, split_part) as user-defined functions (adapters/sqlite/adapter.ts).
import type { EngineName } from '../config/types.js';

type SqlText = unknown;
const text = (v: SqlText) => String(v);

/** SQLite's date arithmetic by unit (modifiers for date()/datetime()). */
const SQLITE_UNITS: Readonly<Record<string, string>> = { year: 'years', quarter: 'months', month: 'months', week: 'days', day: 'days', hour: 'hours', minute: 'minutes', second: 'seconds' };

function datepart(part: SqlText): string {
  return text(part).replace(/^['"]|['"]$/g, '').trim().toLowerCase();
}

export function crossDbMacros(engine: EngineName): Record<string, (...args: unknown[]) => string> {
  const sqlite = engine === 'sqlite';
  const duck = engine === 'duckdb';
  const types: Readonly<Record<string, string>> = {
    string: duck ? 'varchar' : 'text', timestamp: 'timestamp', float: sqlite ? 'real' : 'float', numeric: 'numeric(28,6)',
    bigint: 'bigint', int: 'integer', boolean: 'boolean',
  };
  return {
    type_string: () => types['string']!,
    type_timestamp: () => types['timestamp']!,
    type_float: () => types['float']!,
    type_numeric: () => types['numeric']!,
    type_bigint: () => types['bigint']!,
    type_int: () => types['int']!,
    type_boolean: () => types['boolean']!,

    current_timestamp: () => (sqlite ? "datetime('now')" : 'current_timestamp'),
    escape_single_quotes: (s: SqlText) => text(s).replace(/'/g, "''"),
    // As dbt's: quotes the value as given (escape it first with escape_single_quotes).
    string_literal: (s: SqlText) => `'${text(s)}'`,
    concat: (fields: unknown) => `(${(Array.isArray(fields) ? fields : [fields]).map(text).join(' || ')})`,
    hash: (field: SqlText) => `md5(cast(${text(field)} as ${types['string']}))`,
    safe_cast: (field: SqlText, type: SqlText) => (duck ? `try_cast(${text(field)} as ${text(type)})` : `cast(${text(field)} as ${text(type)})`),
    cast_bool_to_text: (field: SqlText) => (sqlite
      ? `case when ${text(field)} is null then null when ${text(field)} then 'true' else 'false' end`
      : `cast(${text(field)} as ${types['string']})`),
    split_part: (s: SqlText, delimiter: SqlText, part: SqlText) => `split_part(${text(s)}, ${text(delimiter)}, ${text(part)})`,
    any_value: (expr: SqlText) => (duck ? `any_value(${text(expr)})` : `min(${text(expr)})`),
    bool_or: (expr: SqlText) => (sqlite ? `max(${text(expr)})` : `bool_or(${text(expr)})`),
    listagg: (measure: SqlText, delimiter: SqlText = "','", orderBy?: SqlText, limit?: SqlText) => {
      if (limit !== undefined && limit !== null) throw new Error('listagg: limit_num is not supported by sf on this engine');
      const order = orderBy ? ` ${text(orderBy)}` : '';
      return sqlite ? `group_concat(${text(measure)}, ${text(delimiter)}${order})` : `string_agg(${text(measure)}, ${text(delimiter)}${order})`;
    },

    except: () => 'except',
    intersect: () => 'intersect',
    cast: (field: SqlText, type: SqlText) => `cast(${text(field)} as ${text(type)})`,
    length: (expr: SqlText) => `length(${text(expr)})`,
    replace: (field: SqlText, old: SqlText, next: SqlText) => `replace(${text(field)}, ${text(old)}, ${text(next)})`,
    right: (s: SqlText, n: SqlText) => (sqlite ? `substr(${text(s)}, -(${text(n)}))` : `right(${text(s)}, ${text(n)})`),
    position: (sub: SqlText, s: SqlText) => (sqlite ? `instr(${text(s)}, ${text(sub)})` : `position(${text(sub)} in ${text(s)})`),
    date: (year: SqlText, month: SqlText, day: SqlText) => (sqlite
      ? `date(printf('%04d-%02d-%02d', ${text(year)}, ${text(month)}, ${text(day)}))`
      : `make_date(${text(year)}, ${text(month)}, ${text(day)})`),

    date_trunc: (part: SqlText, date: SqlText) => {
      const p = datepart(part);
      const d = text(date);
      if (!sqlite) return `date_trunc('${p}', ${d})`;
      switch (p) {
        case 'year': return `datetime(${d}, 'start of year')`;
        case 'month': return `datetime(${d}, 'start of month')`;
        case 'day': return `datetime(${d}, 'start of day')`;
        case 'hour': return `strftime('%Y-%m-%d %H:00:00', ${d})`;
        case 'minute': return `strftime('%Y-%m-%d %H:%M:00', ${d})`;
        case 'second': return `strftime('%Y-%m-%d %H:%M:%S', ${d})`;
        case 'week': return `datetime(${d}, 'start of day', '-' || ((cast(strftime('%w', ${d}) as integer) + 6) % 7) || ' days')`;
        case 'quarter': return `datetime(${d}, 'start of month', '-' || ((cast(strftime('%m', ${d}) as integer) - 1) % 3) || ' months')`;
        default: throw new Error(`date_trunc: datepart '${p}' is not supported on sqlite`);
      }
    },
    dateadd: (part: SqlText, interval: SqlText, from: SqlText) => {
      const p = datepart(part);
      const n = text(interval);
      const d = text(from);
      if (sqlite) {
        const unit = SQLITE_UNITS[p];
        if (!unit) throw new Error(`dateadd: datepart '${p}' is not supported on sqlite`);
        const scaled = p === 'week' ? `(${n}) * 7` : p === 'quarter' ? `(${n}) * 3` : `(${n})`;
        const modifier = `(${scaled}) || ' ${unit}'`;
        // A date stays a date (as text, '2018-01-02' compares equal to a date column's value).
        return ['hours', 'minutes', 'seconds'].includes(unit) ? `datetime(${d}, ${modifier})` : `(case when length(${d}) = 10 then date(${d}, ${modifier}) else datetime(${d}, ${modifier}) end)`;
      }
      // DuckDB: cast as dbt-duckdb does, so a text literal works too (a date plus an interval is a timestamp anyway).
      // PostgreSQL has no quarter interval: three months, as dbt-postgres does.
      const [count, unit] = p === 'quarter' ? [`(${n}) * 3`, 'month'] : [`(${n})`, p];
      return duck ? `(cast(${d} as timestamp) + ((${count}) * (interval '1 ${unit}')))` : `(${d} + ((${count}) * (interval '1 ${unit}')))`;
    },
    datediff: (first: SqlText, second: SqlText, part: SqlText) => {
      const p = datepart(part);
      const [a, b] = [text(first), text(second)];
      // As dbt-duckdb: the values cast to timestamps, so text literals work too.
      if (duck) return `date_diff('${p}', (${a})::timestamp, (${b})::timestamp)`;
      if (sqlite) {
        const days = `(julianday(date(${b})) - julianday(date(${a})))`;
        const seconds = `(strftime('%s', ${b}) - strftime('%s', ${a}))`;
        const months = `((cast(strftime('%Y', ${b}) as integer) - cast(strftime('%Y', ${a}) as integer)) * 12 + cast(strftime('%m', ${b}) as integer) - cast(strftime('%m', ${a}) as integer))`;
        switch (p) {
          case 'day': return `cast(${days} as integer)`;
          case 'week': return `cast(${days} / 7 as integer)`;
          case 'month': return months;
          case 'quarter': return `(${months} / 3)`;
          case 'year': return `(cast(strftime('%Y', ${b}) as integer) - cast(strftime('%Y', ${a}) as integer))`;
          case 'hour': return `(${seconds} / 3600)`;
          case 'minute': return `(${seconds} / 60)`;
          case 'second': return seconds;
          default: throw new Error(`datediff: datepart '${p}' is not supported on sqlite`);
        }
      }
      // PostgreSQL, as dbt-postgres writes it: whole units between the truncated values.
      switch (p) {
        case 'year': return `(date_part('year', (${b})::date) - date_part('year', (${a})::date))`;
        case 'quarter': return `((date_part('year', (${b})::date) - date_part('year', (${a})::date)) * 4 + date_part('quarter', (${b})::date) - date_part('quarter', (${a})::date))`;
        case 'month': return `((date_part('year', (${b})::date) - date_part('year', (${a})::date)) * 12 + date_part('month', (${b})::date) - date_part('month', (${a})::date))`;
        case 'day': return `((${b})::date - (${a})::date)`;
        case 'week': return `trunc(((${b})::date - (${a})::date) / 7)`;
        case 'hour': return `trunc(extract(epoch from ((${b})::timestamp - (${a})::timestamp)) / 3600)`;
        case 'minute': return `trunc(extract(epoch from ((${b})::timestamp - (${a})::timestamp)) / 60)`;
        case 'second': return `trunc(extract(epoch from ((${b})::timestamp - (${a})::timestamp)))`;
        default: throw new Error(`datediff: datepart '${p}' is not supported`);
      }
    },
    last_day: (date: SqlText, part: SqlText) => {
      const p = datepart(part);
      const d = text(date);
      if (sqlite) {
        if (p === 'month') return `date(${d}, 'start of month', '+1 month', '-1 day')`;
        if (p === 'year') return `date(${d}, 'start of year', '+1 year', '-1 day')`;
        if (p === 'quarter') return `date(${d}, 'start of month', '-' || ((cast(strftime('%m', ${d}) as integer) - 1) % 3) || ' months', '+3 months', '-1 day')`;
        throw new Error(`last_day: datepart '${p}' is not supported on sqlite`);
      }
      return `cast(date_trunc('${p}', ${d}) + interval '${p === 'quarter' ? '3 month' : `1 ${p}`}' - interval '1 day' as date)`;
    },
  };
}
