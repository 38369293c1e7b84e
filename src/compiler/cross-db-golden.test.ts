// The SQL each of dbt's cross-database macros renders on each engine, recorded: a change to
// any of it shows in review. The results they give are checked on the real engines in
// src/conformance/cross-db-macros.test.ts. Regenerate after an intended change with
// UPDATE_GOLDEN=1 and review the diff.
import { describe, expect, it } from 'vitest';
import { golden } from '../testing/golden.js';
import { crossDbMacros } from './cross-db.js';

/** Each macro with the arguments a template passes (SQL text, as in dbt). */
const CALLS: readonly (readonly [string, ...unknown[]])[] = [
  ['type_string'], ['type_timestamp'], ['type_float'], ['type_numeric'], ['type_bigint'], ['type_int'], ['type_boolean'],
  ['current_timestamp'], ['escape_single_quotes', "it's"], ['string_literal', 'abc'],
  ['concat', ["'a'", 'b', "'c'"]], ['hash', 'email'], ['safe_cast', 'amount', 'integer'], ['cast_bool_to_text', 'is_active'],
  ['split_part', 'path', "'/'", 2], ['any_value', 'name'], ['bool_or', 'flag'],
  ['listagg', 'letter', "'|'", 'order by letter'], ['except'], ['intersect'], ['cast', 'amount', 'text'],
  ['length', 'name'], ['replace', 'name', "'-'", "'+'"], ['right', 'name', 2], ['position', "'c'", 'name'], ['date', 2024, 2, 29],
  ...['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'].flatMap((p) => [
    ['date_trunc', p, 'ts'], ['dateadd', p, 3, 'ts'], ['datediff', 'a', 'b', p],
  ] as const),
  ['last_day', 'd', 'month'], ['last_day', 'd', 'quarter'], ['last_day', 'd', 'year'],
];

describe.each(['duckdb', 'postgres', 'sqlite'] as const)('cross-database macros render on %s', (engine) => {
  it('as recorded', () => {
    const macros = crossDbMacros(engine) as Record<string, (...args: unknown[]) => unknown>;
    const lines = CALLS.map(([name, ...args]) => {
      let sql: string;
      try {
        sql = String(macros[name]!(...args));
      } catch (err) {
        sql = `error: ${(err as Error).message}`;
      }
      return `-- ${name}(${args.map((a) => JSON.stringify(a)).join(', ')})\n${sql}\n`;
    });
    golden(import.meta.url, `cross-db-${engine}.sql`, lines.join(''));
    // Every macro sf has is recorded.
    expect(Object.keys(macros).filter((m) => !CALLS.some(([name]) => name === m))).toEqual([]);
  });
});
