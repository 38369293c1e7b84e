import { describe, expect, it } from 'vitest';
import { lineAt, scanStatements } from './sql-statements.js';

describe('scanStatements', () => {
  const count = (sql: string, template = false) => scanStatements(sql, { template }).count;

  it('counts statements, not semicolons inside strings, identifiers, dollar quotes or comments', () => {
    expect(count('select 1 as x')).toBe(1);
    expect(count('select 1 as x;')).toBe(1);
    expect(count('select 1 as x; -- done\n/* and; more */\n')).toBe(1);
    expect(count("select 'a;b' as x, 'it''s; fine' as y")).toBe(1);
    expect(count("select E'\\';' as x")).toBe(1);
    expect(count('select 1 as "a;b", 2 as `c;d`')).toBe(1);
    expect(count('select $$;$$ as x, $fn$ ; $fn$ as y')).toBe(1);
    expect(count('select 1 /* outer /* nested; */ still; */ as x')).toBe(1);
    expect(count('select 1 as x; drop table main.dim_products')).toBe(2);
    expect(count("select 1; select 'x;'; select 3")).toBe(3);
  });

  it('finds no statement in an empty text or only comments', () => {
    expect(count('')).toBe(0);
    expect(count('  -- nothing here\n/* nor; here */  ;  ')).toBe(0);
  });

  it('drops a final semicolon and what only comments follow it', () => {
    expect(scanStatements('select 1 as x ; -- trailing\n').body).toBe('select 1 as x');
    expect(scanStatements("select ';' as x").body).toBe("select ';' as x");
  });

  it('in a template, skips tags and finds the second statement line', () => {
    const raw = "{{ config(materialized='table') }}\nselect '{{ \";\" }}' as x;\n\ndrop table t";
    const scan = scanStatements(raw, { template: true });
    expect(scan.count).toBe(2);
    expect(lineAt(raw, scan.secondAt!)).toBe(4);
    expect(count("{% set x = 'a;b' %}select 1", true)).toBe(1);
  });
});
