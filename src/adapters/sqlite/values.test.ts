import { describe, expect, it } from 'vitest';
import { CellError, converterFor, toDecimal } from './values.js';

describe('SQLite cell conversion by declared type', () => {
  it('keeps NULL for an unquoted empty field of any type', () => {
    for (const type of ['integer', 'text', 'decimal(10,2)', 'date', 'timestamp', 'boolean', 'double', 'char(2)']) {
      expect(converterFor(type)(null)).toBeNull();
    }
  });

  it("keeps '' for text and rejects it for typed columns", () => {
    expect(converterFor('text')('')).toBe('');
    expect(converterFor('char(2)')('')).toBe('');
    expect(() => converterFor('integer')('')).toThrow(CellError);
    expect(() => converterFor('date')('')).toThrow(/empty quoted value/);
  });

  it('integers: numbers, bigints past 2^53, trimmed, checked', () => {
    const int = converterFor('integer');
    expect(int(' 42 ')).toBe(42);
    expect(int('-7')).toBe(-7);
    expect(converterFor('bigint')('9007199254740993')).toBe(9007199254740993n);
    expect(() => int('4.5')).toThrow("'4.5' is not a valid integer");
    expect(() => int('99999999999999999999')).toThrow(/64-bit/);
  });

  it('decimals round half away from zero to the declared scale, exactly', () => {
    const money = converterFor('decimal(10,2)');
    expect(money('9.30')).toBe('9.30');
    expect(money('0.1')).toBe('0.10');
    expect(money('1.005')).toBe('1.01');
    expect(money('-1.005')).toBe('-1.01');
    expect(money('-0.001')).toBe('0.00');
    expect(money('1e3')).toBe('1000.00');
    expect(money('.5')).toBe('0.50');
    expect(money('12345678.99')).toBe('12345678.99');
    expect(() => money('123456789.00')).toThrow('does not fit decimal(10,2)');
    expect(() => money('1.2.3')).toThrow(/not a valid decimal/);
    expect(converterFor('decimal(4,3)')('0.3335')).toBe('0.334');
    expect(toDecimal('2.50', undefined, undefined)).toBe('2.50');
    // Canonical text takes a shortcut; it must agree with the general path.
    expect(['0.00', '9.30', '999.99', '12345678.99'].map(money)).toEqual(['0.00', '9.30', '999.99', '12345678.99']);
    expect(() => money('123456789.99')).toThrow('does not fit decimal(10,2)');
    expect(['09.30', '9.3', '-0.00', '+9.30'].map(money)).toEqual(['9.30', '9.30', '0.00', '9.30']);
  });

  it('booleans become 1/0', () => {
    const bool = converterFor('boolean');
    expect(['true', 'TRUE', 't', 'yes', '1', 'on'].map(bool)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(['false', 'F', 'no', '0', 'off'].map(bool)).toEqual([0, 0, 0, 0, 0]);
    expect(() => bool('maybe')).toThrow(/boolean/);
  });

  it('dates stay ISO text and must exist', () => {
    const date = converterFor('date');
    expect(date('2024-02-29')).toBe('2024-02-29');
    expect(() => date('2023-02-29')).toThrow(/not a valid date/);
    expect(() => date('31/01/2026')).toThrow(/not a valid date/);
  });

  it("timestamps become 'YYYY-MM-DD HH:MM:SS[.f]' text", () => {
    const ts = converterFor('timestamp');
    expect(ts('2026-05-01 01:49:52')).toBe('2026-05-01 01:49:52');
    expect(ts('2026-05-01T01:49:52')).toBe('2026-05-01 01:49:52');
    expect(ts('2026-05-01 01:49')).toBe('2026-05-01 01:49:00');
    expect(ts('2026-05-01')).toBe('2026-05-01 00:00:00');
    expect(ts('2026-05-01 01:49:52.500')).toBe('2026-05-01 01:49:52.5');
    expect(ts('2026-05-01 01:49:52.000')).toBe('2026-05-01 01:49:52');
    // timestamp without time zone: a zone suffix is dropped, as DuckDB and PostgreSQL do
    expect(ts('2026-05-01 01:49:52+02:00')).toBe('2026-05-01 01:49:52');
    expect(ts('2026-05-01T01:49:52Z')).toBe('2026-05-01 01:49:52');
    expect(() => ts('2026-05-01 24:00:00')).toThrow(/not a valid timestamp/);
  });

  it('doubles are numbers', () => {
    expect(converterFor('double')('1.5e3')).toBe(1500);
    expect(() => converterFor('double')('abc')).toThrow(/not a valid number/);
  });
});
