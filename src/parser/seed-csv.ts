// Read a seed CSV's header and first rows: check its shape (header, ragged rows) and infer a
// portable type per column (adapters/seed-types.ts), so every engine gets the same table.
// Declared `seeds.columnTypes` win over inference.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { raggedText, UNCLOSED_TEXT } from '../adapters/seed-errors.js';
import { sampleRule, TypeInference } from '../adapters/seed-types.js';
import type { ColumnSpec, SampledColumn } from '../adapters/types.js';
import { UserError, UserErrors } from '../util/errors.js';
import type { SeedNode } from './nodes.js';

export interface SeedTable {
  readonly columns: readonly ColumnSpec[];
  /** Columns typed from the first rows only (the file has more): loaders check their later values. */
  readonly sampled: readonly SampledColumn[];
}

/** Rows read to infer the types a config does not declare; a larger file is checked as it loads. */
export const SAMPLE_ROWS = 20_000;

/**
 * Check a seed's header against its config and type its columns. Declared types win, and a
 * seed whose every column is declared is read no further than its header; otherwise the
 * first `sampleRows` rows are read. Never the whole file: seeds may be far larger than memory.
 */
export async function inspectSeed(projectDir: string, seed: SeedNode, sampleRows = SAMPLE_ROWS): Promise<SeedTable> {
  const source = createReadStream(join(projectDir, seed.path));
  const parser = source.pipe(parse({ delimiter: seed.delimiter, bom: true, skip_empty_lines: true }));
  let names: string[] | undefined;
  let inferences: (TypeInference | undefined)[] = [];
  let rows = 0;
  let exhausted = true;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!names) {
        names = headerNames(seed, record);
        inferences = names.map((name) => (seed.columnTypes[name] ? undefined : new TypeInference()));
        if (inferences.every((i) => i === undefined)) {
          exhausted = false;
          break;
        }
        continue;
      }
      if (rows++ === sampleRows) {
        exhausted = false;
        break;
      }
      for (let i = 0; i < record.length; i++) inferences[i]?.add(record[i] ?? null);
    }
  } catch (err) {
    throw csvSyntaxError(seed, names?.length ?? 0, err);
  } finally {
    source.destroy();
  }
  if (!names) {
    throw new UserError('SEED_CSV', 'the file is empty; a seed needs at least a header row', { location: { file: seed.path, line: 1 } });
  }
  const columns = names.map((name, i) => ({ name, type: seed.columnTypes[name] ?? inferences[i]!.type }));
  const sampled = exhausted ? [] : names.flatMap((name, i) => (inferences[i] ? [{ name, rule: sampleRule(inferences[i]) }] : []));
  return { columns, sampled };
}

function csvSyntaxError(seed: SeedNode, width: number, err: unknown): Error {
  if (err instanceof UserError) return err;
  const e = err as Error & { lines?: number; code?: string };
  if (typeof e.code !== 'string' || !e.code.startsWith('CSV_')) {
    // Not the CSV's fault: the file could not be read.
    return new UserError('SEED_CSV', `cannot read the file: ${e.message}`, { location: { file: seed.path } });
  }
  const message = e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ? raggedText(width) : e.code === 'CSV_QUOTE_NOT_CLOSED' ? UNCLOSED_TEXT : e.message;
  return new UserError('SEED_CSV', message, { location: { file: seed.path, line: e.lines } });
}

/** The header's column names, checked: named, unique, and naming every declared column. */
function headerNames(seed: SeedNode, header: readonly string[]): string[] {
  const names = header.map((h) => (h ?? '').trim());
  names.forEach((name, i) => {
    if (!name) throw new UserError('SEED_CSV', `header column ${i + 1} has no name`, { location: { file: seed.path, line: 1 } });
    if (names.indexOf(name) !== i) {
      throw new UserError('SEED_CSV', `header names column '${name}' twice`, { location: { file: seed.path, line: 1 } });
    }
  });
  for (const declared of Object.keys(seed.columnTypes)) {
    if (!names.includes(declared)) {
      throw new UserError('SEED_CSV', `seeds.columnTypes.${seed.name}.${declared}: the CSV has no column '${declared}'`, {
        location: { file: seed.path, line: 1 },
        hint: `its columns are: ${names.join(', ')}`,
      });
    }
  }
  return names;
}

/** Every seed inspected at once, by name; all their errors together. */
export async function inspectSeeds(projectDir: string, seeds: readonly SeedNode[]): Promise<Map<string, SeedTable>> {
  const tables = new Map<string, SeedTable>();
  const errors = await seedHeaderErrors(projectDir, seeds, (seed, table) => tables.set(seed.name, table));
  UserErrors.throwIfAny(errors);
  return tables;
}

/** The user errors of inspecting `seeds` (their sampled rows' too), in seed order; each table to `onTable`. */
export async function seedHeaderErrors(
  projectDir: string,
  seeds: readonly SeedNode[],
  onTable?: (seed: SeedNode, table: SeedTable) => void,
): Promise<UserError[]> {
  const results = await Promise.all(seeds.map((seed) => inspectSeed(projectDir, seed).catch((err: unknown) => {
    if (err instanceof UserError) return err;
    throw err;
  })));
  return results.flatMap((result, i) => {
    if (result instanceof UserError) return [result];
    onTable?.(seeds[i]!, result);
    return [];
  });
}
