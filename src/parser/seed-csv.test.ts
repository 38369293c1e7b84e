import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../util/errors.js';
import { inferType } from '../adapters/seed-types.js';
import { inspectSeed } from './seed-csv.js';
import type { SeedNode } from './nodes.js';

const dir = mkdtempSync(join(tmpdir(), 'sf-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function seed(content: string, columnTypes: Record<string, string> = {}): SeedNode {
  writeFileSync(join(dir, 'x.csv'), content);
  return { kind: 'seed', id: 'seed.t.x', name: 'x', path: 'x.csv', columnTypes, delimiter: ',' };
}

describe('type inference', () => {
  it.each([
    [['1', '-2', null], 'integer'],
    [['1', '3000000000'], 'bigint'],
    [['1.50', '2', '-0.125'], 'decimal(18,3)'],
    [['1e3', '2.5'], 'double'],
    [['true', 'FALSE', null], 'boolean'],
    [['2026-05-01', '2024-02-29'], 'date'],
    [['2026-02-30'], 'text'],
    [['2026-05-01 10:00:00', '2026-05-01T23:59:59.123'], 'timestamp'],
    [['a', '1'], 'text'],
    [[null, ''], 'text'],
  ] as const)('%j -> %s', (values, type) => {
    expect(inferType(values)).toBe(type);
  });
});

describe('inspectSeed', () => {
  it('infers per column and lets declared types win', async () => {
    const table = await inspectSeed(dir, seed('id,price,day,name\n1,9.99,2026-05-01,"a, b"\n2,,2026-05-02,""\n', { id: 'bigint' }));
    expect(table).toEqual({
      sampled: [],
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 'price', type: 'decimal(18,2)' },
        { name: 'day', type: 'date' },
        { name: 'name', type: 'text' },
      ],
    });
  });

  it('an empty CSV with a header gives columns and no rows', async () => {
    expect(await inspectSeed(dir, seed('a,b\n'))).toEqual({ sampled: [], columns: [{ name: 'a', type: 'text' }, { name: 'b', type: 'text' }] });
  });

  it('a ragged row is an error naming the line', async () => {
    const err = (await inspectSeed(dir, seed('a,b\n1,2\n3,4\n5\n')).catch((e: unknown) => e)) as UserError;
    expect(err.code).toBe('SEED_CSV');
    expect(err.format()).toMatch(/^x\.csv:4: the row does not have the header's 2 fields/);
  });

  it('duplicate header names and declared types for missing columns are errors', async () => {
    await expect(inspectSeed(dir, seed('a,a\n1,2\n'))).rejects.toThrow(/header names column 'a' twice/);
    await expect(inspectSeed(dir, seed('a\n1\n', { b: 'integer' }))).rejects.toThrow(/has no column 'b'/);
  });
});
